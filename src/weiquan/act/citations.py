"""Which provisions a document cites, in which version and under which conditions.

Every citation comes from the law pack (``Provision.cite()`` / ``cite_for_conduct``); the case supplies only the
categories of conduct found, the period of that conduct and the lender's licence type.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from weiquan.act.facts import CaseFacts
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


def cited_provisions(
    pack: Any,
    facts: CaseFacts,
    kinds: list[str] | None,
    extra_ids: list[str],
    licence: str | None = None,
    lender: Any = None,
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
            add(ref.provision_id, ref.kind, ref, v.name_zh, ref.if_carried_out, period)
        for f in fs:
            for pid in f.provisions:
                add(pid, None, None, v.name_zh, None, period)
    for pid in extra_ids:
        add(pid, None, None, None, None, (case_first, case_last))

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
    return sorted(
        out,
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
    """Remedy provision ids the case's conduct makes available (``ProvisionRef.remedies`` in violations.yaml);
    a remedy the law only created after all the conduct (e.g. the 2026 禁止接触 order for 2024 conduct) is not."""
    first, last = conduct_period(facts)
    out: list[str] = []
    for cat in sorted(facts.categories, key=lambda c: category_sort_key(pack, c)):
        v = pack.violations.get(cat)
        for ref in v.provisions if v else []:
            p = pack.provisions.get(ref.provision_id)
            if p is None or (lender.bound_by(p) if lender is not None else p.applies_to(licence)) is False:
                continue
            out += [
                r
                for r in ref.remedies
                if r in pack.provisions
                and r not in out
                and pack.provisions[r].cite_for_conduct(first, last)[0] is not None
            ]
    return out
