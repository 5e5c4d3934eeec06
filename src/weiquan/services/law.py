"""Law-pack services: listings for the CLI and web, lender check, LPR import, and the law a case's pages cite
(a violation category in plain words with its provisions, in the version in force and binding the lender)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import func, select

from weiquan.config import DEFAULT_TIMEZONE, zone_or_default
from weiquan.act.plan import lender_lookup
from weiquan.law.lenders import check_lender, product_of
from weiquan.law.lpr import read_lpr_csv, merge_fixings, save_user_fixings
from weiquan.law.pack import LawPack, clear_cache, load_pack, user_lpr_path
from weiquan.law.schema import CONFIDENCE_LABEL_ZH
from weiquan.services.case_report import evidence_shows
from weiquan.store.models import Case, Event, Finding, FindingEvent
from weiquan.workspace import Workspace


def provision_rows(pack: LawPack, statute: str | None = None) -> list[dict[str, Any]]:
    out = []
    for p in pack.provisions.values():
        if statute and statute not in (p.statute_id, p.statute_short, p.statute):
            continue
        d = p.model_dump(mode="json")
        d["citation"] = p.cite()
        d["old_article"] = p.old_article
        d["in_force_from"] = p.in_force.isoformat() if p.in_force else None
        d["binds"] = {"licence_types": p.licence_types, "association": p.association, "note_zh": p.licence_note_zh}
        d["confidence_zh"] = CONFIDENCE_LABEL_ZH[p.confidence]
        out.append(d)
    return out


def violation_rows(pack: LawPack) -> list[dict[str, Any]]:
    out = []
    for v in pack.violations.values():
        d = v.model_dump(mode="json")
        d["citations"] = [pack.provisions[r.provision_id].cite() for r in v.provisions]
        out.append(d)
    return out


def channel_rows(pack: LawPack, licence_type: str | None = None, violation: str | None = None) -> list[dict[str, Any]]:
    chans = (
        pack.channels_for(licence_type=licence_type, violation=violation)
        if (licence_type or violation)
        else sorted(pack.channels.values(), key=lambda c: (c.order, c.id))
    )
    return [c.model_dump(mode="json") for c in chans]


def lender_report(name: str, *, home: Path, limit: int = 5) -> dict[str, Any]:
    """Everything `weiquan lender check NAME` prints: matches, licence type, regulator, channels, red flags."""
    pack = load_pack(home)
    c = check_lender(pack.lender_registry, name, limit=limit)
    return {
        "query": c.query,
        "found": c.licence_source == "registry",
        "licence_type": c.licence_type,
        "licence_source": c.licence_source,
        "claimed_licence": c.claimed_licence,
        "regulator": c.regulator,
        "matches": [
            {
                "id": m.lender.id,
                "entity": m.lender.entity,
                "brands": m.lender.brands,
                "former_names": m.lender.former_names,
                "matched_name": m.matched_name,
                "score": m.score,
                "exact": m.exact,
                "licence_type": m.lender.licence_type,
                "regulator": m.lender.regulator,
                "hotline": m.lender.hotline,
                "nifa_member": m.lender.nifa_member,
                "source": m.lender.source,
                "confidence": m.lender.confidence,
                "brand_confidence": m.lender.brand_confidence,
                "name_suffix_verified": m.lender.name_suffix_verified,
            }
            for m in c.matches
        ],
        "channels": [
            {
                "id": cid,
                "name": pack.channels[cid].name_zh,
                "hotline": pack.channels[cid].contact.hotline,
                "portal": pack.channels[cid].contact.portal,
            }
            for cid in c.channels
            if cid in pack.channels
        ],
        "red_flags": c.red_flags,
        "notes": c.notes,
        "how_to_check": [h.model_dump(mode="json") for h in pack.lender_registry.how_to_check],
    }


def _lpr_multiple(pack: LawPack) -> float:
    """The multiple of the LPR that caps private lending (interest.yaml ``four_lpr_contract``: 4)."""
    multiple = pack.interest_rules.caps["four_lpr_contract"].multiple
    assert multiple is not None  # an lpr_multiple cap has one (schema)
    return multiple


def lpr_rows(pack: LawPack) -> dict[str, Any]:
    m = _lpr_multiple(pack)
    return {
        "known_through": pack.lpr_known_through.isoformat(),
        "user_file": str(pack.user_lpr_path) if pack.user_lpr_path else None,
        "live_sources": pack.lpr_table.live_sources,
        "fixings": [
            {
                "date": f.date.isoformat(),
                "rate": f.rate,
                "four_times": round(m * f.rate, 6),
                "change": f.change,
                "source": f.source,
                "confidence": f.confidence,
            }
            for f in pack.lpr_table.fixings
        ],
    }


def import_lpr(csv_path: Path, *, home: Path) -> dict[str, Any]:
    """Validate a downloaded LPR CSV against the pack and store its new fixings in the data home."""
    extra = read_lpr_csv(csv_path)
    pack = load_pack(home)
    merged = merge_fixings(pack.lpr_table, extra)  # raises on conflicts
    known = {f.date for f in pack.lpr_table.fixings}
    new = [f for f in merged.fixings if f.date not in known]
    target = user_lpr_path(home)
    if new:
        save_user_fixings(target, new)
        clear_cache()
    return {
        "file": str(csv_path),
        "rows": len(extra),
        "added": [{"date": f.date.isoformat(), "rate": f.rate} for f in new],
        "stored_in": str(target),
        "known_through": max(merged.known_through, pack.lpr_known_through).isoformat(),
    }


def lpr_on(date: dt.date, *, home: Path) -> dict[str, Any]:
    pack = load_pack(home)
    info = pack.lpr_fixing_on(date)
    return {
        "date": date.isoformat(),
        "rate": info.rate,
        "four_times": round(_lpr_multiple(pack) * info.rate, 6),
        "fixing_date": info.fixing_date.isoformat(),
        "source": info.source,
        "confidence": info.confidence,
        "stale": info.stale,
        "note": info.note_zh,
    }


# ---------------------------------------------------------------- the law a case's pages cite


class LawScope(BaseModel):
    """What decides which law a case's web pages cite: the dates of the conduct (the version then in force) and
    the lender's licence type and association memberships (whom each norm binds) — the same inputs the
    documents and the report use (``Provision.cite_for_conduct``, ``LenderInfo.bound_by``)."""

    first: dt.date | None = None
    last: dt.date | None = None
    licence_type: str | None = None
    members: dict[str, bool | None] = {}
    shows: frozenset[str] | None = None  # preconditions the evidence shows (ProvisionRef.requires); None: unknown
    product: str | None = None  # loan product the lender's names tell ("credit_card"; law pack product_words)
    tz: str = DEFAULT_TIMEZONE  # the case's time zone (local dates of a finding's events)

    def key(self) -> tuple[Any, ...]:
        return (self.first, self.last, self.licence_type, tuple(sorted(self.members.items())), self.shows, self.product)


class ProvisionInfo(BaseModel):
    id: str
    cite: str
    summary_zh: str
    penalty: str | None = None
    confidence: str
    unverified: bool
    note_zh: str | None = None
    era_zh: str | None = None  # which version applies to which days, when the conduct spans a revision
    words_zh: str | None = None  # the provision's words in the version in force


class CategoryInfo(BaseModel):
    id: str
    name_zh: str
    description_zh: str
    severity: str
    provisions: list[ProvisionInfo]
    unverified: bool


def provision_info(
    pack: LawPack, pid: str, note_zh: str | None = None, scope: LawScope | None = None
) -> ProvisionInfo | None:
    """The provision as the case's documents cite it: in the version in force when the conduct happened, with that
    version's words and penalty; None when it was not in force then or does not bind the lender."""
    p = pack.provisions.get(pid)
    if p is None:
        return None
    cite, era, penalty, words = p.cite(), None, p.penalty, (p.current_text.text_zh if p.current_text else None)
    if scope is not None:
        applies = p.applies_to(scope.licence_type, scope.members.get(p.association or ""), scope.product)
        if applies is False or (applies is None and p.association is not None):
            return None  # as the documents: an association's rule only for a known member
        if p.role == "conduct":
            cite, era = p.cite_for_conduct(scope.first, scope.last)
            if cite is None:
                return None
            texts = p.texts_for_conduct(scope.first, scope.last) or []
            if len(texts) == 1:
                penalty, words = texts[0].penalty or penalty, texts[0].text_zh
            elif len(texts) > 1:
                # conduct on both sides of a revision: each version's words and penalty, for its own days — never
                # the new text's penalty for the old days (the 2012 治安 caps fines at 500 yuan, the 2025 text at 1,000)
                words = "；".join(f"{t.citation}规定“{t.text_zh.rstrip('。；')}”" for t in texts)
                pens = [f"{t.citation}：{t.penalty}" for t in texts if t.penalty]
                penalty = "；".join(pens) if pens else penalty
    return ProvisionInfo(
        id=pid,
        cite=cite,
        summary_zh=p.summary_zh,
        penalty=penalty,
        confidence=p.confidence,
        unverified=p.confidence == "unverified",
        note_zh=note_zh,
        era_zh=era,
        words_zh=words,
    )


@dataclass(frozen=True, eq=False)
class _PackRef:
    """A law pack as a cache key, by identity (a data home's pack is one object until its LPR file changes)."""

    pack: LawPack


@lru_cache(maxsize=256)
def _category_info(ref: _PackRef, category: str, key: tuple[Any, ...]) -> CategoryInfo:
    scope = (
        LawScope(first=key[0], last=key[1], licence_type=key[2], members=dict(key[3]), shows=key[4], product=key[5])
        if key
        else None
    )
    pack = ref.pack
    v = pack.violations.get(category)
    if v is None:
        return CategoryInfo(
            id=category, name_zh=category, description_zh="", severity="medium", provisions=[], unverified=True
        )
    provs = [
        pi
        for pref in v.provisions
        if (scope is None or scope.shows is None or set(pref.requires) <= scope.shows)
        and (pi := provision_info(pack, pref.provision_id, pref.note_zh, scope)) is not None
    ]
    return CategoryInfo(
        id=v.id,
        name_zh=v.name_zh,
        description_zh=v.description_zh,
        severity=v.severity,
        provisions=provs,
        unverified=v.confidence == "unverified",
    )


def category_info(pack: LawPack, category: str, scope: LawScope | None = None) -> CategoryInfo:
    """The violation category from the law pack, its provisions as cited for the case (``scope``); unknown ids
    come back named by their id, marked unverified."""
    return _category_info(_PackRef(pack), category, scope.key() if scope else ())


def provisions_for(pack: LawPack, ids: list[Any], scope: LawScope | None = None) -> list[ProvisionInfo]:
    """Provision infos for a finding's ``provisions`` list (ids or {provision_id: …} dicts); a provision whose
    preconditions the evidence does not show (``scope.shows``) is left out as the documents leave it out
    (``ProvisionRef.requires``: 刑法 293之一 only for an illegal debt, 民法典 1019 only with an image)."""
    # a provision that needs a fact for one conduct needs it for any (the finding may have stored it elsewhere)
    requires: dict[str, set[str]] = {}
    for v in pack.violations.values():
        for r in v.provisions:
            requires.setdefault(r.provision_id, set()).update(r.requires)
    out = []
    for item in ids:
        pid = item.get("provision_id") or item.get("id") if isinstance(item, dict) else str(item)
        if not pid:
            continue
        if scope is not None and scope.shows is not None and not requires.get(str(pid), set()) <= scope.shows:
            continue
        if (pi := provision_info(pack, str(pid), None, scope)) is not None:
            out.append(pi)
    return out


def case_scope(ws: Workspace, case_id: int) -> LawScope:
    """The case's law scope: local dates of the events behind its findings (rejected and stale ones left out) and
    the lender's licence type and memberships (case record first, then the lender registry)."""
    pack = ws.law
    with ws.db.read_session() as s:
        case = s.get(Case, case_id)
        if case is None:
            return LawScope()
        q = (
            select(func.min(Event.start), func.max(Event.start))
            .join(FindingEvent, FindingEvent.event_id == Event.id)
            .join(Finding, Finding.id == FindingEvent.finding_id)
            .where(Finding.case_id == case_id, Finding.review_state != "rejected", Finding.stale.is_(False))
        )
        lo, hi = s.execute(q).one()
        tz = zone_or_default(case.timezone)
        reg = None
        for name in (case.lender_entity, case.lender_name):
            reg = lender_lookup(pack, name)
            if reg is not None:
                break
        licence = case.licence_type or (reg.licence_type if reg is not None else None)

        def local(t: dt.datetime | None) -> dt.date | None:
            if t is None:
                return None
            return (t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)).astimezone(tz).date()

        findings = (
            s.execute(
                select(Finding).where(
                    Finding.case_id == case_id, Finding.review_state != "rejected", Finding.stale.is_(False)
                )
            )
            .scalars()
            .all()
        )
        shows = frozenset(evidence_shows(s, case_id, list(findings), licence))
        product = product_of(pack.lender_registry, case.lender_name, case.lender_entity)
        return LawScope(
            first=local(lo),
            last=local(hi),
            licence_type=licence,
            shows=shows,
            product=product,
            tz=case.timezone or DEFAULT_TIMEZONE,
            members={"nifa": getattr(reg, "nifa_member", None), "cba": getattr(reg, "cba_member", None)},
        )


def category_scopes(ws: Workspace, case_id: int, scope: LawScope | None = None) -> dict[str, LawScope]:
    """The case's scope narrowed, per violation category, to the local days of that category's findings (rejected
    and stale ones left out): a category of 2026 acts only is cited in the 2025 text alone, one of 2025 acts in the
    2012 text — as the documents cite each conduct for its own days."""
    scope = scope or case_scope(ws, case_id)
    tz = ZoneInfo(scope.tz)
    with ws.db.read_session() as s:
        rows = s.execute(
            select(Finding.category, func.min(Event.start), func.max(Event.start))
            .join(FindingEvent, FindingEvent.finding_id == Finding.id)
            .join(Event, Event.id == FindingEvent.event_id)
            .where(Finding.case_id == case_id, Finding.review_state != "rejected", Finding.stale.is_(False))
            .group_by(Finding.category)
        ).all()

    def local(t: dt.datetime) -> dt.date:
        return (t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)).astimezone(tz).date()

    return {
        cat: scope.model_copy(update={"first": local(lo), "last": local(hi)})
        for cat, lo, hi in rows
        if lo is not None and hi is not None
    }
