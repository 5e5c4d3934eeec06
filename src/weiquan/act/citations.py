"""Which provisions a document cites, in which version and under which conditions.

Every citation comes from the law pack (``Provision.cite()`` / ``cite_for_conduct``); the case supplies only the
categories of conduct found, the period of that conduct and the lender's licence type.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from weiquan.act.facts import CaseFacts
from weiquan.act.policy import plan_policy
from weiquan.zh.labels import severity_rank

# Citation order of provision kinds in a document's list of rules.
KIND_ORDER = {"civil": 0, "administrative": 1, "criminal": 2, "standard": 3, "self_regulatory": 4}


@dataclass
class CitedProvision:
    id: str
    cite: str
    short: str
    kind: str
    confidence: str
    confidence_zh: str
    role: str = "conduct"  # conduct | procedure | remedy (law pack): only conduct is a rule the collector broke
    conditions: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)  # names of the case's conducts it is cited for
    scope_zh: str | None = None  # which lenders it governs, when the case's lender licence type is unknown
    if_carried_out: bool = False  # engaged only if a threatened act is carried out (ProvisionRef.if_carried_out)
    # the provision's own words in the version(s) in force when the conduct happened: (citation, words, penalty)
    words: list[tuple[str, str, str | None]] = field(default_factory=list)
    note_zh: str | None = None  # carried by every citation (e.g. 刑法第二百四十六条：告诉的才处理)


SAME_CONDITION_CHARS = 6


def _condition_core(c: str) -> str:
    return c.strip().rstrip("。；时").removeprefix("仅当")


def add_condition(conditions: list[str], cond: str) -> None:
    """Add a condition of a provision unless it is already there in other words. The law pack words the condition
    per conduct ("仅当债务为非法债务且情节严重", "仅当催收的是高利放贷等非法债务且情节严重"); conditions that end
    in the same words (at least ``SAME_CONDITION_CHARS`` characters, "时" aside) state one condition, printed once
    in its most specific (longest) wording."""
    core = _condition_core(cond)
    for i, old in enumerate(conditions):
        o = _condition_core(old)
        n = 0
        while n < min(len(o), len(core)) and o[-1 - n] == core[-1 - n]:
            n += 1
        if o == core or n >= SAME_CONDITION_CHARS:
            if len(cond) > len(old):
                conditions[i] = cond
            return
    conditions.append(cond)


def evidence_shows(facts: CaseFacts, lender: Any = None) -> set[str]:
    """Facts the evidence shows that some provisions require (``ProvisionRef.requires``): "illegal_debt" (a loan
    check puts the loan above the caps, or the lender has no licence, or a confirmed illegal-debt finding) and
    "image" (an event behind a finding says an image of the borrower was made or spread, not merely threatened)."""
    out: set[str] = set()
    if (
        any(ln.verdict not in (None, "", "lawful") for ln in facts.loans)
        or "illegal_debt" in facts.categories
        or (getattr(lender, "licence_type", None) == "unlicensed" and facts.loans)
    ):
        out.add("illegal_debt")
    pats = [re.compile(p) for p in plan_policy().image_made_patterns]
    if any(p.search(e.text or "") for f in facts.findings for e in f.events for p in pats):
        out.add("image")
    return out


def cited_provisions(
    pack: Any,
    facts: CaseFacts,
    kinds: list[str] | None,
    extra_ids: list[str],
    licence: str | None = None,
    lender: Any = None,
    shows: set[str] | None = None,
    extra_label: dict[str, str] | None = None,
) -> list[CitedProvision]:
    """Provisions the findings engage (filtered by provision kind) plus a document's own, in citation order.

    A provision is cited in the version in force on the days of the conduct it is cited for — the dates of the
    categories that engage it, not of the whole case — with that version's words and conditions
    (``Provision.cite_for_conduct``); a rule that did not exist on any of those days is left out. A provision
    that does not bind the lender (licence type, association membership) is left out; when that is unknown it is
    kept with its scope (``scope_zh``) so the reader sees the condition.
    """
    case_first, case_last = conduct_period(facts)
    entries: dict[str, dict[str, Any]] = {}
    shown = evidence_shows(facts, lender) if shows is None else shows
    extra_label = extra_label or {}

    def add(
        pid: str,
        kind_hint: str | None,
        cond: Any,
        cat_name: str | None,
        carried: bool | None,
        period: tuple[dt.date | None, dt.date | None],
    ) -> None:
        p = pack.provisions.get(pid)
        if p is None:
            return
        kind = kind_hint or p.kind
        if kinds is not None and kind not in kinds and p.kind not in kinds:
            return
        applies = lender.bound_by(p) if lender is not None else p.applies_to(licence)
        if applies is False:
            return
        if applies is None and p.association is not None:
            # an association's rule binds its members only: not asserted against a lender whose membership is
            # unknown (the cover sheet says so)
            return
        e = entries.get(pid)
        if e is None:
            e = entries[pid] = {
                "first": period[0],
                "last": period[1],
                "conds": [],
                "cats": [],
                "carried": bool(carried),
                "applies": applies,
            }
        else:
            if period[0] is not None and (e["first"] is None or period[0] < e["first"]):
                e["first"] = period[0]
            if period[1] is not None and (e["last"] is None or period[1] > e["last"]):
                e["last"] = period[1]
            if carried is False:
                e["carried"] = False  # another conduct engages it as it stands
        if cond:
            e["conds"].append(cond)
        if cat_name and cat_name not in e["cats"]:
            e["cats"].append(cat_name)

    for cat in sorted(facts.categories, key=lambda c: category_sort_key(pack, c)):
        v = pack.violations.get(cat)
        if v is None:
            continue
        fs = facts.by_category(cat)
        days = [t.date() for f in fs for t in (f.first, f.last) if t is not None]
        period = (min(days), max(days)) if days else (case_first, case_last)
        for ref in v.provisions:
            if not set(ref.requires) <= shown:
                continue  # e.g. 民法典 1019 without an image, 刑法 293之一 without an illegal debt
            add(ref.provision_id, ref.kind, ref, v.name_zh, ref.if_carried_out, period)
        in_refs = {r.provision_id for r in v.provisions}
        for f in fs:
            for pid in f.provisions:
                if pid not in in_refs:  # the category's own refs are cited above, with their preconditions
                    add(pid, None, None, v.name_zh, None, period)
    for pid in extra_ids:
        add(pid, None, None, extra_label.get(pid), None, (case_first, case_last))

    out: list[CitedProvision] = []
    for pid, e in entries.items():
        p = pack.provisions[pid]
        first, last = e["first"], e["last"]
        cite, era = p.cite_for_conduct(first, last) if p.role == "conduct" else (p.cite(), None)
        if cite is None:
            continue  # not in force on any day of the conduct it would be cited for, and no earlier counterpart
        texts = (p.texts_for_conduct(first, last) if p.role == "conduct" else None) or (
            [p.current_text] if p.current_text else []
        )
        cp = CitedProvision(
            id=pid,
            cite=cite,
            short=p.short_cite(),
            kind=p.kind,
            confidence=p.confidence,
            confidence_zh=p.confidence_zh,
            role=p.role,
            scope_zh=p.licence_note_zh if e["applies"] is None else None,
            words=[(t.citation, t.text_zh, t.penalty) for t in texts],
            note_zh=p.note_zh,
            if_carried_out=e["carried"],
            categories=list(e["cats"]),
        )
        if era:
            cp.conditions.append(era)
        for c in e["conds"]:
            # a condition in the words of the version in force (the 2012 text's for 2024 conduct)
            if not isinstance(c, str):
                by_version = c.notes_by_version.get(texts[0].version) if len(texts) == 1 else None
                c = by_version or c.note_zh
            if c:
                add_condition(cp.conditions, c)
        out.append(cp)
    # two provisions that read as one in the version cited (the 2012 Art. 51 para. 1 covers both today's Art. 62
    # paras. 1 and 3) are printed once, for all their conduct
    merged: dict[tuple[str, bool, str], CitedProvision] = {}
    for cp in out:
        key = (cp.cite, cp.if_carried_out, cp.role)
        first_cp = merged.get(key)
        if first_cp is None:
            merged[key] = cp
            continue
        first_cp.categories += [c for c in cp.categories if c not in first_cp.categories]
        for c in cp.conditions:
            add_condition(first_cp.conditions, c)
    return sorted(
        merged.values(),
        key=lambda c: (
            KIND_ORDER.get(c.kind, 9),
            pack.provisions[c.id].statute_id,
            pack.provisions[c.id].article or 0,
            c.id,
        ),
    )


def category_sort_key(pack: Any, cat: str) -> tuple[int, int, str]:
    """Most severe first; within a severity, in the order the law pack lists the categories."""
    v = pack.violations.get(cat)
    order = list(pack.violations)
    return (severity_rank(v.severity if v else "low"), order.index(cat) if cat in order else len(order), cat)


def conduct_period(facts: CaseFacts) -> tuple[dt.date | None, dt.date | None]:
    """First and last local date of the events behind the case's findings (None, None without findings)."""
    days = [t.date() for f in facts.findings for t in (f.first, f.last) if t is not None]
    return (min(days), max(days)) if days else (None, None)


def remedies_open(pack: Any, facts: CaseFacts, licence: str | None = None, lender: Any = None) -> list[str]:
    """Remedy provision ids the case's conduct makes available (``ProvisionRef.remedies`` in violations.yaml).

    A remedy is open only for conduct in the version of the law that has it, repeated, and still punishable: the
    禁止接触 order (治安 Art. 50(2), new in the 2025 text) needs at least ``no_contact_min_events`` contacts of the
    滋扰、纠缠、跟踪 kind on or after 2026-01-01, the latest within the six-month limit (it is ordered 除依照前款规定
    给予处罚外); conduct of 2025 or older never opens it (issue 16 item 5)."""
    policy = plan_policy()
    out: list[str] = []
    for cat in sorted(facts.categories, key=lambda c: category_sort_key(pack, c)):
        v = pack.violations.get(cat)
        events = {e.id: e.local.date() for f in facts.by_category(cat) for e in f.events}
        for ref in v.provisions if v else []:
            p = pack.provisions.get(ref.provision_id)
            if p is None or (lender.bound_by(p) if lender is not None else p.applies_to(licence)) is False:
                continue
            for r in ref.remedies:
                rp = pack.provisions.get(r)
                if rp is None or r in out:
                    continue
                days = sorted(d for d in events.values() if rp.in_force is None or d >= rp.in_force)
                barred = not days or _months_before(facts.today, policy.police_time_limit_months) > days[-1]
                if len(days) >= policy.no_contact_min_events and not barred:
                    out.append(r)
    return out


def _months_before(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 - months, 12)
    year, month = d.year + y, m + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))
