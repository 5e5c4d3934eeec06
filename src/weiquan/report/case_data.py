"""The facts the case report shows, as plain data (read from the store by ``weiquan.services.case_report``).

Legal names and citations come from the law pack (``load_law``); without it the report shows the raw ids and
says so.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
import datetime as dt
from typing import TYPE_CHECKING, Any

from weiquan.law.lenders import product_of
from weiquan.report.charts import ContactStats
from weiquan.report.evidence import EvidenceItem

if TYPE_CHECKING:
    from weiquan.law.pack import LawPack

MAX_QUOTES_PER_FINDING = 20
QUOTE_CONTEXT = 60


@dataclass
class LawInfo:
    """Names and citations from the law pack (or ids when it is not installed)."""

    available: bool
    night: tuple[dt.time, dt.time] | None = None
    night_source: str | None = None
    _pack: Any = None

    def category_name(self, category: str) -> str:
        if self._pack is not None and category in self._pack.violations:
            return str(self._pack.violations[category].name_zh)
        return category

    def cite(self, provision: Any, period: tuple[dt.date, dt.date] | None = None) -> tuple[str, str | None] | None:
        """(citation, summary) of a provision id or ``{"provision_id": …}``; with the ``period`` of the conduct,
        in the version then in force (None: the rule was not yet in force and has no earlier counterpart)."""
        pid = provision.get("provision_id") or provision.get("id") if isinstance(provision, dict) else str(provision)
        if self._pack is not None and pid in self._pack.provisions:
            p = self._pack.provisions[pid]
            if period is None or p.role != "conduct":
                return p.cite(), p.summary_zh
            cite, era = p.cite_for_conduct(*period)
            if cite is None:
                return None
            # the words of the version then in force (the 2012 text's for 2024 conduct), never the new wording
            texts = p.texts_for_conduct(*period) or []
            words = texts[0].text_zh if len(texts) == 1 else p.summary_zh
            return cite, f"{words}（{era}）" if era else words
        return str(pid), None

    def category_provisions(self, category: str) -> list[str]:
        if self._pack is not None and category in self._pack.violations:
            return [r.provision_id for r in self._pack.violations[category].provisions]
        return []

    def product(self, *names: str | None) -> str | None:
        """The loan product the lender's names tell ("信用卡" → credit_card), as the documents read it."""
        if self._pack is None:
            return None

        return product_of(self._pack.lender_registry, *names)

    def night_basis(
        self, licence_type: str | None, product: str | None, first: dt.date | None, last: dt.date | None
    ) -> str | None:
        """The night-time rules that bind this lender for conduct between ``first`` and ``last``, as the documents
        apply them: not a standard outside the lender's licence type or product (GB/T 45251 and a credit card), not
        an association's rule for a lender not known to be a member (the CBA guideline), not a rule for conduct
        before it existed (the CBA guideline from 2026-01-30) — with "仅适用于…起的行为" when the conduct straddles
        its date. None when no rule binds the lender."""
        if self._pack is None:
            return self.night_source
        out: list[str] = []
        for r in self._pack.conduct.night.rules:
            p = self._pack.provisions.get(getattr(r, "provision_id", None) or "")
            if p is None:
                continue
            applies = p.applies_to(licence_type, None, product)
            if applies is False or (applies is None and p.association is not None):
                continue
            cite, era = p.cite_for_conduct(first, last)
            if cite is None:
                continue
            cite = f"{cite}（{era}）" if era else cite
            if applies is None and p.licence_note_zh:
                cite = f"{cite}（{p.licence_note_zh}）"
            if cite not in out:
                out.append(cite)
        return "；".join(out) or None

    def breached(
        self,
        provisions: list[Any],
        licence_type: str | None,
        category: str | None = None,
        shows: set[str] | None = None,
        product: str | None = None,
    ) -> list[Any]:
        """The provisions a finding can say were broken: conduct rules (not procedure or remedies) that
        govern this lender (the 民间借贷 rules do not govern licensed lenders; unknown licence: kept; an association's
        rule only for a known member), and whose preconditions the evidence shows (``ProvisionRef.requires``:
        民法典 1019 only with an image, 刑法 293之一 only for an illegal debt) — as the documents cite them."""
        if self._pack is None:
            return provisions
        refs = (
            {r.provision_id: r for r in self._pack.violations[category].provisions}
            if category in self._pack.violations
            else {}
        )
        out = []
        for prov in provisions:
            pid = prov.get("provision_id") or prov.get("id") if isinstance(prov, dict) else str(prov)
            p = self._pack.provisions.get(pid)
            if p is None:
                out.append(prov)
                continue
            ref = refs.get(pid)
            if ref is not None and shows is not None and not set(ref.requires) <= shows:
                continue
            applies = p.applies_to(licence_type, None, product)
            if p.role == "conduct" and applies is not False and not (applies is None and p.association):
                out.append(prov)
        return out


def load_law(pack: LawPack) -> LawInfo:
    night = pack.conduct.night
    cites = []
    for r in night.rules:
        pid = getattr(r, "provision_id", None)
        cites.append(pack.provisions[pid].cite() if pid and pid in pack.provisions else str(getattr(r, "source", "")))
    source = "；".join(dict.fromkeys(c for c in cites if c)) or None
    return LawInfo(available=True, night=(night.start, night.end), night_source=source, _pack=pack)


@dataclass
class Quote:
    when: dt.datetime  # local time
    channel: str
    counterpart: str | None
    recipient: str
    before: str
    hit: str
    after: str
    refs: list[str]


@dataclass
class FindingRow:
    id: int
    category: str
    name_zh: str
    severity: str
    confidence: float
    review_state: str
    summary: str | None
    explanation: str | None
    provisions: list[tuple[str, str | None]]
    events: int
    quotes: list[Quote] = field(default_factory=list)


@dataclass(frozen=True)
class ReportCase:
    """The case record as the report shows it."""

    id: int
    name: str
    lender_name: str | None
    lender_entity: str | None
    licence_type: str | None
    timezone: str
    extra: dict[str, Any] = field(default_factory=dict)  # Case.extra (e.g. the analysis' contact figures)


@dataclass
class ReportData:
    case: ReportCase
    tz: str
    stats: ContactStats
    channels: Counter[str]
    third_party: int
    night_count: int
    findings: list[FindingRow]
    rejected: int
    evidence: list[EvidenceItem]
    law: LawInfo
    category_events: dict[str, int] = field(default_factory=dict)  # distinct events per category

    @property
    def by_category(self) -> list[tuple[str, str, int, int, list[tuple[str, str | None]]]]:
        """(category, name, findings, events, provisions) per category, in order of first appearance.

        Findings of one category may share events (a flood inside a number rotation): the events are counted
        once (``category_events``), not summed over the findings."""
        out: dict[str, list[Any]] = {}
        for f in self.findings:
            row = out.setdefault(f.category, [f.category, f.name_zh, 0, 0, []])
            row[2] += 1
            row[3] += f.events
            for p in f.provisions:
                if p not in row[4]:
                    row[4].append(p)
        for cat, row in out.items():
            row[3] = self.category_events.get(cat, row[3])
        return [tuple(r) for r in out.values()]  # type: ignore[misc]  # rows are built as lists and returned as the declared tuples


def in_window(t: dt.time, window: tuple[dt.time, dt.time]) -> bool:
    a, b = window
    return a <= t < b if a <= b else (t >= a or t < b)
