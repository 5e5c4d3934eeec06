"""Law-pack look-ups phrased for the web UI: a violation category in plain words with its provisions."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from pydantic import BaseModel


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
    tz: str = "Asia/Shanghai"  # the case's time zone (local dates of a finding's events)

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


def _pack() -> Any:
    from weiquan.law.pack import load_pack

    return load_pack()


def provision_info(pid: str, note_zh: str | None = None, scope: LawScope | None = None) -> ProvisionInfo | None:
    """The provision as the case's documents cite it: in the version in force when the conduct happened, with that
    version's words and penalty; None when it was not in force then or does not bind the lender."""
    p = _pack().provisions.get(pid)
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
    return ProvisionInfo(id=pid, cite=cite, summary_zh=p.summary_zh, penalty=penalty, confidence=p.confidence,
                         unverified=p.confidence == "unverified", note_zh=note_zh, era_zh=era, words_zh=words)


@lru_cache(maxsize=256)
def _category_info(category: str, key: tuple[Any, ...]) -> CategoryInfo:
    scope = LawScope(first=key[0], last=key[1], licence_type=key[2], members=dict(key[3]), shows=key[4],
                     product=key[5]) if key else None
    v = _pack().violations.get(category)
    if v is None:
        return CategoryInfo(id=category, name_zh=category, description_zh="", severity="medium", provisions=[], unverified=True)
    provs = [pi for ref in v.provisions
             if (scope is None or scope.shows is None or set(ref.requires) <= scope.shows)
             and (pi := provision_info(ref.provision_id, ref.note_zh, scope)) is not None]
    return CategoryInfo(id=v.id, name_zh=v.name_zh, description_zh=v.description_zh, severity=v.severity, provisions=provs,
                        unverified=v.confidence == "unverified")


def category_info(category: str, scope: LawScope | None = None) -> CategoryInfo:
    """The violation category from the law pack, its provisions as cited for the case (``scope``); unknown ids
    come back named by their id, marked unverified."""
    return _category_info(category, scope.key() if scope else ())


def provisions_for(ids: list[Any], scope: LawScope | None = None) -> list[ProvisionInfo]:
    """Provision infos for a finding's ``provisions`` list (ids or {provision_id: …} dicts)."""
    out = []
    for item in ids:
        pid = item.get("provision_id") or item.get("id") if isinstance(item, dict) else str(item)
        if pid and (pi := provision_info(str(pid), None, scope)) is not None:
            out.append(pi)
    return out


def case_scope(ws: Any, case_id: int) -> LawScope:
    """The case's law scope: local dates of the events behind its findings (rejected and stale ones left out) and
    the lender's licence type and memberships (case record first, then the lender registry)."""
    from zoneinfo import ZoneInfo

    from sqlalchemy import func, select

    from weiquan.act.plan import _lender_lookup
    from weiquan.store.models import Case, Event, Finding, FindingEvent

    with ws.db.read_session() as s:
        case = s.get(Case, case_id)
        if case is None:
            return LawScope()
        q = (select(func.min(Event.start), func.max(Event.start))
             .join(FindingEvent, FindingEvent.event_id == Event.id).join(Finding, Finding.id == FindingEvent.finding_id)
             .where(Finding.case_id == case_id, Finding.review_state != "rejected", Finding.stale.is_(False)))
        lo, hi = s.execute(q).one()
        tz = ZoneInfo(case.timezone or "Asia/Shanghai")
        reg = None
        for name in (case.lender_entity, case.lender_name):
            reg = _lender_lookup(_pack(), name)
            if reg is not None:
                break
        licence = case.licence_type or (reg.licence_type if reg is not None else None)

        def local(t: dt.datetime | None) -> dt.date | None:
            if t is None:
                return None
            return (t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)).astimezone(tz).date()

        from weiquan.services.case_report import evidence_shows

        findings = s.execute(select(Finding).where(Finding.case_id == case_id, Finding.review_state != "rejected",
                                                   Finding.stale.is_(False))).scalars().all()
        shows = frozenset(evidence_shows(s, case_id, list(findings), licence))
        from weiquan.law.lenders import product_of

        product = product_of(_pack().lender_registry, case.lender_name, case.lender_entity)
        return LawScope(first=local(lo), last=local(hi), licence_type=licence, shows=shows, product=product,
                        tz=case.timezone or "Asia/Shanghai",
                        members={"nifa": getattr(reg, "nifa_member", None), "cba": getattr(reg, "cba_member", None)})
