"""The facts the case report shows, read from the store in a streaming-friendly way.

Events are read column-wise in batches and aggregated on the fly (counts, charts),
so a case with 100,000 events needs no more memory than one with 100. Findings are
read with their events' text and provenance; rejected and stale findings are
counted but not listed. Legal names and citations come from the law pack when it
is installed; without it the report shows the raw ids and says so.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from weiquan.report.charts import ChartEvent, ContactStats, aggregate
from weiquan.report.evidence import EvidenceItem
from weiquan.store.models import Case, Event, EventSource, Finding, FindingEvent

MAX_QUOTES_PER_FINDING = 20
QUOTE_CONTEXT = 60
SEVERITY_ZH = {"high": "严重", "medium": "较重", "low": "一般"}
REVIEW_ZH = {"auto": "自动识别，待人工核实", "confirmed": "已人工确认", "rejected": "已驳回"}
CHANNEL_ZH = {"call": "电话", "sms": "短信", "mms": "彩信", "chat": "聊天消息", "visit": "上门", "letter": "信函", "other": "其他"}


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

    def breached(self, provisions: list[Any], licence_type: str | None, category: str | None = None,
                 shows: set[str] | None = None) -> list[Any]:
        """The provisions a finding can say were broken: conduct rules (not procedure or remedies) that
        govern this lender (the 民间借贷 rules do not govern licensed lenders; unknown licence: kept; an association's
        rule only for a known member), and whose preconditions the evidence shows (``ProvisionRef.requires``:
        民法典 1019 only with an image, 刑法 293之一 only for an illegal debt) — as the documents cite them."""
        if self._pack is None:
            return provisions
        refs = {r.provision_id: r for r in self._pack.violations[category].provisions} \
            if category in self._pack.violations else {}
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
            applies = p.applies_to(licence_type)
            if p.role == "conduct" and applies is not False and not (applies is None and p.association):
                out.append(prov)
        return out


def load_law() -> LawInfo:
    from weiquan.law.pack import load_pack

    pack = load_pack()
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


@dataclass
class ReportData:
    case: Case
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
        return [tuple(r) for r in out.values()]  # type: ignore[misc]


def _event_rows(s: Session, case_id: int, batch: int = 5000) -> Iterator[tuple[Any, ...]]:
    q = (select(Event.start, Event.channel, Event.recipient, Event.counterpart, Event.signature)
         .where(Event.case_id == case_id, Event.date_unconfirmed.is_(False))  # unconfirmed dates: not counted
         .order_by(Event.start, Event.id).execution_options(yield_per=batch))
    yield from s.execute(q)


def load_report_data(s: Session, case: Case, evidence: list[EvidenceItem], law: LawInfo) -> ReportData:
    tz = case.timezone or "Asia/Shanghai"
    zone = ZoneInfo(tz)
    channels: Counter[str] = Counter()
    counters = {"third": 0, "night": 0}

    def events() -> Iterator[ChartEvent]:
        for start, channel, recipient, counterpart, signature in _event_rows(s, case.id):
            channels[channel] += 1
            if recipient and recipient != "borrower":
                counters["third"] += 1
            if law.night is not None and _in_window(start.astimezone(zone).time(), law.night):
                counters["night"] += 1
            yield ChartEvent(start, channel, recipient or "borrower", counterpart, signature)

    stats = aggregate(events(), tz, default_group=case.lender_name)
    findings, rejected = _findings(s, case.id, zone, evidence, law, case.licence_type)
    return ReportData(case=case, tz=tz, stats=stats, channels=channels, third_party=counters["third"],
                      night_count=counters["night"], findings=findings, rejected=rejected, evidence=evidence, law=law,
                      category_events=_category_events(s, case.id))


def _category_events(s: Session, case_id: int) -> dict[str, int]:
    """Distinct events per category over the findings the report lists (not rejected, not stale)."""
    rows = s.execute(select(Finding.category, func.count(func.distinct(FindingEvent.event_id)))
                     .join(FindingEvent, FindingEvent.finding_id == Finding.id)
                     .where(Finding.case_id == case_id, Finding.stale.is_(False), Finding.review_state != "rejected")
                     .group_by(Finding.category))
    return {cat: int(n) for cat, n in rows}


def _in_window(t: dt.time, window: tuple[dt.time, dt.time]) -> bool:
    a, b = window
    return a <= t < b if a <= b else (t >= a or t < b)


def evidence_shows(s: Session, case_id: int, findings: list[Finding], licence_type: str | None) -> set[str]:
    """What the evidence shows for the provisions' preconditions — the same test the documents apply
    (``act.context.evidence_shows``): an illegal debt (a loan check above the caps, an unlicensed lender with a loan,
    an illegal-debt finding), an image of the borrower made or spread (act/data/plan.yaml image_made_patterns)."""
    import re

    from weiquan.act.policy import plan_policy
    from weiquan.store.models import Loan

    out: set[str] = set()
    loans = s.execute(select(Loan.verdict).where(Loan.case_id == case_id)).scalars().all()
    if any(v not in (None, "", "lawful") for v in loans) or any(f.category == "illegal_debt" for f in findings) \
            or (licence_type == "unlicensed" and loans):
        out.add("illegal_debt")
    pats = [re.compile(p) for p in plan_policy().image_made_patterns]
    ids = [f.id for f in findings]
    if ids and pats:
        texts = s.execute(select(Event.text).join(FindingEvent, FindingEvent.event_id == Event.id)
                          .where(FindingEvent.finding_id.in_(ids))).scalars()
        if any(p.search(t or "") for t in texts for p in pats):
            out.add("image")
    return out


def _findings(s: Session, case_id: int, zone: ZoneInfo, evidence: list[EvidenceItem], law: LawInfo,
              licence_type: str | None = None) -> tuple[list[FindingRow], int]:
    labels = {i.evidence_id: i for i in evidence}
    order = {"high": 0, "medium": 1, "low": 2}
    rows = s.execute(select(Finding).where(Finding.case_id == case_id, Finding.stale.is_(False))).scalars().all()
    rejected = sum(1 for f in rows if f.review_state == "rejected")
    shows = evidence_shows(s, case_id, [f for f in rows if f.review_state != "rejected"], licence_type)
    out: list[FindingRow] = []
    for f in sorted((f for f in rows if f.review_state != "rejected"),
                    key=lambda f: (order.get(f.severity, 3), f.category, f.id)):
        span = s.execute(select(func.min(Event.start), func.max(Event.start)).join(
            FindingEvent, FindingEvent.event_id == Event.id).where(FindingEvent.finding_id == f.id)).one()
        period = (span[0].astimezone(zone).date(), span[1].astimezone(zone).date()) if span[0] and span[1] else None
        cited = (law.cite(p, period) for p in law.breached(f.provisions or law.category_provisions(f.category),
                                                           licence_type, f.category, shows))
        provisions = [c for c in cited if c is not None]
        n_events = len(s.execute(select(FindingEvent.event_id).where(FindingEvent.finding_id == f.id)).all())
        fe_rows = s.execute(
            select(FindingEvent, Event).join(Event, Event.id == FindingEvent.event_id)
            .where(FindingEvent.finding_id == f.id).order_by(Event.start, Event.id).limit(MAX_QUOTES_PER_FINDING)
        ).all()
        quotes = [_quote(s, fe, e, zone, labels) for fe, e in fe_rows]
        out.append(FindingRow(
            id=f.id, category=f.category, name_zh=law.category_name(f.category), severity=f.severity,
            confidence=f.confidence, review_state=f.review_state, summary=f.summary, explanation=f.explanation,
            provisions=provisions, events=n_events, quotes=quotes,
        ))
    return out, rejected


def _quote(s: Session, fe: FindingEvent, e: Event, zone: ZoneInfo, labels: dict[int, EvidenceItem]) -> Quote:
    text = e.text or ""
    spans = [sp for sp in (fe.spans or []) if isinstance(sp, (list, tuple)) and len(sp) == 2]
    if spans and text:
        a = max(0, min(int(sp[0]) for sp in spans))
        b = min(len(text), max(int(sp[1]) for sp in spans))
        a, b = (a, b) if a < b else (0, 0)
    else:
        a = b = 0
    before = text[max(0, a - QUOTE_CONTEXT):a] if b else text[:QUOTE_CONTEXT * 3]
    after = text[b:b + QUOTE_CONTEXT] if b else ""
    if b and a > QUOTE_CONTEXT:
        before = "…" + before
    if b and len(text) > b + QUOTE_CONTEXT or (not b and len(text) > QUOTE_CONTEXT * 3):
        after += "…"
    refs = []
    for src in s.execute(select(EventSource).where(EventSource.event_id == e.id).order_by(EventSource.id)).scalars():
        item = labels.get(src.evidence_id)
        label = f"证据 {item.label}（{item.display_name}）" if item else f"证据库文件 #{src.evidence_id}"
        refs.append(f"{label}，位置 {src.locator}")
    return Quote(when=e.start.astimezone(zone), channel=e.channel, counterpart=e.counterpart, recipient=e.recipient,
                 before=before, hit=text[a:b], after=after, refs=refs)
