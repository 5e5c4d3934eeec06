"""Service: the case report PDF of one case (``weiquan export`` puts it in the evidence package).

The report's facts are read from the store in a streaming-friendly way: events are read column-wise in batches
and aggregated on the fly (counts, charts), so a case with 100,000 events needs no more memory than one with
100. Findings are read with their events' text and provenance; rejected and stale findings are counted but not
listed. The report itself is rendered by ``weiquan.report.case_report`` from the plain ``ReportData``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from weiquan.config import DEFAULT_TIMEZONE
from weiquan.act.policy import plan_policy
from weiquan.report.case_data import (
    MAX_QUOTES_PER_FINDING,
    QUOTE_CONTEXT,
    FindingRow,
    LawInfo,
    Quote,
    ReportCase,
    ReportData,
    in_window,
    load_law,
)
from weiquan.report.case_report import render_html
from weiquan.report.charts import ChartEvent, aggregate
from weiquan.report.evidence import EvidenceItem
from weiquan.report.render import html_to_pdf, mark_sample
from weiquan.services.cases import get_case_row
from weiquan.services.evidence import case_evidence
from weiquan.store.models import Case, Event, EventSource, Finding, FindingEvent, Loan
from weiquan.workspace import Workspace
from weiquan.zh.labels import severity_rank


def build_case_report(
    ws: Workspace, case_id: int, out: Path | str, *, evidence: list[EvidenceItem] | None = None
) -> Path:
    """Write the case report PDF to ``out``; ``evidence`` reuses the package's E-numbers when given."""
    law = load_law(ws.law)
    with ws.db.read_session() as s:
        case = get_case_row(s, case_id)
        items = evidence if evidence is not None else case_evidence(s, case_id)
        data = load_report_data(s, case, items, law)
        sample = bool(case.is_sample)
    html = render_html(data, ledger_head=ws.vault.head().text)
    return html_to_pdf(mark_sample(html) if sample else html, Path(out), home=ws.home)


def _event_rows(s: Session, case_id: int, batch: int = 5000) -> Iterator[tuple[Any, ...]]:
    q = (
        select(Event.start, Event.channel, Event.recipient, Event.counterpart, Event.signature)
        .where(Event.case_id == case_id, Event.date_unconfirmed.is_(False))  # unconfirmed dates: not counted
        .order_by(Event.start, Event.id)
        .execution_options(yield_per=batch)
    )
    yield from s.execute(q)


def load_report_data(s: Session, case: Case, evidence: list[EvidenceItem], law: LawInfo) -> ReportData:
    tz = case.timezone or DEFAULT_TIMEZONE
    zone = ZoneInfo(tz)
    channels: Counter[str] = Counter()
    counters = {"third": 0, "night": 0}

    def events() -> Iterator[ChartEvent]:
        for start, channel, recipient, counterpart, signature in _event_rows(s, case.id):
            channels[channel] += 1
            if recipient and recipient != "borrower":
                counters["third"] += 1
            if law.night is not None and in_window(start.astimezone(zone).time(), law.night):
                counters["night"] += 1
            yield ChartEvent(start, channel, recipient or "borrower", counterpart, signature)

    stats = aggregate(events(), tz, default_group=case.lender_name)
    findings, rejected = _findings(
        s, case.id, zone, evidence, law, case.licence_type, law.product(case.lender_name, case.lender_entity)
    )
    info = ReportCase(
        id=case.id,
        name=case.name,
        lender_name=case.lender_name,
        lender_entity=case.lender_entity,
        licence_type=case.licence_type,
        timezone=tz,
        extra=dict(case.extra or {}),
    )
    return ReportData(
        case=info,
        tz=tz,
        stats=stats,
        channels=channels,
        third_party=counters["third"],
        night_count=counters["night"],
        findings=findings,
        rejected=rejected,
        evidence=evidence,
        law=law,
        category_events=_category_events(s, case.id),
    )


def _category_events(s: Session, case_id: int) -> dict[str, int]:
    """Distinct events per category over the findings the report lists (not rejected, not stale)."""
    rows = s.execute(
        select(Finding.category, func.count(func.distinct(FindingEvent.event_id)))
        .join(FindingEvent, FindingEvent.finding_id == Finding.id)
        .where(Finding.case_id == case_id, Finding.stale.is_(False), Finding.review_state != "rejected")
        .group_by(Finding.category)
    )
    return {cat: int(n) for cat, n in rows}


def evidence_shows(s: Session, case_id: int, findings: list[Finding], licence_type: str | None) -> set[str]:
    """What the evidence shows for the provisions' preconditions — the same test the documents apply
    (``act.citations.evidence_shows``): an illegal debt (a loan check above the caps, an unlicensed lender with a
    loan, an illegal-debt finding), an image of the borrower made or spread (act/data/plan.yaml
    image_made_patterns)."""
    out: set[str] = set()
    loans = s.execute(select(Loan.verdict).where(Loan.case_id == case_id)).scalars().all()
    if (
        any(v not in (None, "", "lawful") for v in loans)
        or any(f.category == "illegal_debt" for f in findings)
        or (licence_type == "unlicensed" and loans)
    ):
        out.add("illegal_debt")
    pats = [re.compile(p) for p in plan_policy().image_made_patterns]
    ids = [f.id for f in findings]
    if ids and pats:
        texts = s.execute(
            select(Event.text)
            .join(FindingEvent, FindingEvent.event_id == Event.id)
            .where(FindingEvent.finding_id.in_(ids))
        ).scalars()
        if any(p.search(t or "") for t in texts for p in pats):
            out.add("image")
    return out


def _findings(
    s: Session,
    case_id: int,
    zone: ZoneInfo,
    evidence: list[EvidenceItem],
    law: LawInfo,
    licence_type: str | None = None,
    product: str | None = None,
) -> tuple[list[FindingRow], int]:
    labels = {i.evidence_id: i for i in evidence}
    rows = s.execute(select(Finding).where(Finding.case_id == case_id, Finding.stale.is_(False))).scalars().all()
    rejected = sum(1 for f in rows if f.review_state == "rejected")
    shows = evidence_shows(s, case_id, [f for f in rows if f.review_state != "rejected"], licence_type)
    out: list[FindingRow] = []
    for f in sorted(
        (f for f in rows if f.review_state != "rejected"), key=lambda f: (severity_rank(f.severity), f.category, f.id)
    ):
        span = s.execute(
            select(func.min(Event.start), func.max(Event.start))
            .join(FindingEvent, FindingEvent.event_id == Event.id)
            .where(FindingEvent.finding_id == f.id)
        ).one()
        period = (span[0].astimezone(zone).date(), span[1].astimezone(zone).date()) if span[0] and span[1] else None
        cited = (
            law.cite(p, period)
            for p in law.breached(
                f.provisions or law.category_provisions(f.category), licence_type, f.category, shows, product
            )
        )
        provisions = [c for c in cited if c is not None]
        n_events = len(s.execute(select(FindingEvent.event_id).where(FindingEvent.finding_id == f.id)).all())
        fe_rows = s.execute(
            select(FindingEvent, Event)
            .join(Event, Event.id == FindingEvent.event_id)
            .where(FindingEvent.finding_id == f.id)
            .order_by(Event.start, Event.id)
            .limit(MAX_QUOTES_PER_FINDING)
        ).all()
        quotes = [_quote(s, fe, e, zone, labels) for fe, e in fe_rows]
        out.append(
            FindingRow(
                id=f.id,
                category=f.category,
                name_zh=law.category_name(f.category),
                severity=f.severity,
                confidence=f.confidence,
                review_state=f.review_state,
                summary=f.summary,
                explanation=f.explanation,
                provisions=provisions,
                events=n_events,
                quotes=quotes,
            )
        )
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
    before = text[max(0, a - QUOTE_CONTEXT) : a] if b else text[: QUOTE_CONTEXT * 3]
    after = text[b : b + QUOTE_CONTEXT] if b else ""
    if b and a > QUOTE_CONTEXT:
        before = "…" + before
    if b and len(text) > b + QUOTE_CONTEXT or (not b and len(text) > QUOTE_CONTEXT * 3):
        after += "…"
    refs = []
    for src in s.execute(select(EventSource).where(EventSource.event_id == e.id).order_by(EventSource.id)).scalars():
        item = labels.get(src.evidence_id)
        label = f"证据 {item.label}（{item.display_name}）" if item else f"证据库文件 #{src.evidence_id}"
        refs.append(f"{label}，位置 {src.locator}")
    return Quote(
        when=e.start.astimezone(zone),
        channel=e.channel,
        counterpart=e.counterpart,
        recipient=e.recipient,
        before=before,
        hit=text[a:b],
        after=after,
        refs=refs,
    )
