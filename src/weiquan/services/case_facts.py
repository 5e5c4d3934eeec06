"""Service: read one case's facts (``weiquan.act.facts.CaseFacts``) for the plan and the documents.

Nothing here loads all the events of a case: counts and aggregates come from SQL (``case_queries``), each finding
keeps a bounded number of example events and quotes, the chronology its first rows, and the per-number call and
SMS lists are streamed in batches only when a document asks for them (``StoreRecords``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from weiquan.config import zone_or_default
from weiquan.act import case_stats as cs
from weiquan.act.facts import (
    MAX_CHRONOLOGY,
    MAX_EXAMPLES,
    MAX_QUOTES,
    ActionFact,
    CaseFacts,
    EventFact,
    EvidenceFile,
    EvidenceRef,
    FindingFact,
    LoanFact,
    Quote,
)
from weiquan.services import case_queries as cq
from weiquan.services.cases import get_case_row
from weiquan.services.evidence import case_evidence
from weiquan.store.models import Action, Event, EventSource, Finding, FindingEvent, Loan
from weiquan.workspace import Workspace


@dataclass(frozen=True)
class StoreRecords:
    """The long lists of one case read from the store when a document asks (``act.facts.CaseRecords``)."""

    ws: Workspace
    case_id: int
    states: tuple[str, ...]
    tz: ZoneInfo

    def call_stats(self) -> list[cs.CallStats]:
        with self.ws.db.read_session() as s:
            return cq.call_stats(s, self.case_id, self.states, self.tz)

    def sms_groups(self) -> list[cs.SmsGroup]:
        with self.ws.db.read_session() as s:
            return cq.sms_groups(s, self.case_id, self.states, self.tz)

    def third_party_contacts(self) -> tuple[list[cs.ThirdPartyContact], int]:
        with self.ws.db.read_session() as s:
            return cq.third_party_contacts(s, self.case_id, self.states, self.tz)


def _event_facts(s: Session, ids: list[int], tz: ZoneInfo, names: dict[int, str | None]) -> dict[int, EventFact]:
    """A bounded set of events, with their evidence references."""
    out: dict[int, EventFact] = {}
    for k in range(0, len(ids), 500):
        rows = s.execute(
            select(Event)
            .where(Event.id.in_(ids[k : k + 500]))
            .options(selectinload(Event.sources).selectinload(EventSource.evidence))
        ).scalars()
        for e in rows:
            # this case's names; an original's first_name may be another case's
            refs = tuple(
                EvidenceRef(
                    x.evidence_id,
                    x.evidence.sha256,
                    names.get(x.evidence_id) or (x.evidence.first_name if x.evidence.kind == "derived" else None),
                    x.locator,
                )
                for x in e.sources
            )
            start = cs.as_utc(e.start)
            assert start is not None
            out[e.id] = EventFact(
                id=e.id,
                channel=e.channel,
                direction=e.direction,
                start=start,
                local=start.astimezone(tz),
                duration_s=e.duration_s,
                counterpart=e.counterpart or e.counterpart_raw,
                counterpart_name=e.counterpart_name,
                signature=e.signature,
                text=e.text,
                recipient=e.recipient or "borrower",
                recipient_name=e.recipient_name,
                origin=e.origin,
                evidence=refs,
                text_from=(e.extra or {}).get("text_from") if isinstance(e.extra, dict) else None,
                note=(e.extra or {}).get("note") if isinstance(e.extra, dict) else None,
                witnesses=(e.extra or {}).get("witnesses") if isinstance(e.extra, dict) else None,
            )
    return out


def _night(f: Finding) -> dt.date | None:
    """The night a night-contact finding is about (``extra["night"]``, set by the night detector)."""
    raw = (f.extra or {}).get("night") if f.category == "night_contact" and isinstance(f.extra, dict) else None
    try:
        return dt.date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def _spans(spans: Any, text: str | None) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for span in spans or []:
        try:
            a, b = int(span[0]), int(span[1])
        except (TypeError, ValueError, IndexError):
            continue
        if text and 0 <= a < b <= len(text):
            out.append((a, b))
    return out


def _examples(s: Session, finding_id: int) -> tuple[list[int], dict[int, list[tuple[int, int]]]]:
    """Ids of a finding's example events and the spans of its first quotes (streamed, stops early)."""
    first = list(
        s.execute(
            select(FindingEvent.event_id)
            .join(Event, Event.id == FindingEvent.event_id)
            .where(FindingEvent.finding_id == finding_id)
            .order_by(Event.start, Event.id)
            .limit(MAX_EXAMPLES)
        ).scalars()
    )
    quoted: dict[int, list[tuple[int, int]]] = {}
    n = 0
    stmt = (
        select(FindingEvent.event_id, FindingEvent.spans, Event.text)
        .join(Event, Event.id == FindingEvent.event_id)
        .where(FindingEvent.finding_id == finding_id, Event.text.is_not(None))
        .order_by(Event.start, Event.id)
        .execution_options(yield_per=500)
    )
    for eid, spans, text in s.execute(stmt):
        ok = _spans(spans, text)
        if ok:
            quoted[eid] = ok
            n += len(ok)
            if n >= MAX_QUOTES:
                break
    return first, quoted


def load_case_facts(
    ws: Workspace, case_id: int, *, include_auto: bool = True, today: dt.date | None = None
) -> CaseFacts:
    """Read one case's facts. ``include_auto=False`` keeps only findings a person confirmed."""
    with ws.db.read_session() as s:
        facts = _load(s, case_id, include_auto=include_auto, today=today)
    facts.stream = StoreRecords(
        ws, case_id, ("confirmed", "auto") if include_auto else ("confirmed",), ZoneInfo(facts.tz)
    )
    return facts


def _load(s: Session, case_id: int, *, include_auto: bool, today: dt.date | None) -> CaseFacts:
    case = get_case_row(s, case_id)
    tz = zone_or_default(case.timezone)
    states = ("confirmed", "auto") if include_auto else ("confirmed",)
    items = [i for i in case_evidence(s, case_id) if i.kind == "original"]
    names = {i.evidence_id: i.display_name for i in items}

    rows = s.execute(select(Finding).where(cq.finding_filter(case_id, states)).order_by(Finding.id)).scalars().all()
    fstats = cq.stats_by_finding(s, case_id, states)
    examples: dict[int, tuple[list[int], dict[int, list[tuple[int, int]]]]] = {f.id: _examples(s, f.id) for f in rows}
    chrono_ids = list(
        s.execute(
            select(Event.id)
            .where(Event.id.in_(cq.finding_event_ids(case_id, states)))
            .order_by(Event.start, Event.id)
            .limit(MAX_CHRONOLOGY)
        ).scalars()
    )
    wanted = sorted({*chrono_ids, *(i for a, q in examples.values() for i in (*a, *q))})
    ev = _event_facts(s, wanted, tz, names)

    findings: list[FindingFact] = []
    for f in rows:
        first_ids, quoted = examples[f.id]
        evs = sorted(
            {ev[i].id: ev[i] for i in (*first_ids, *quoted) if i in ev}.values(), key=lambda e: (e.start, e.id)
        )
        quotes = [
            Quote(ev[i], ev[i].text[a:b], a, b)
            for i in sorted(quoted, key=lambda i: (ev[i].start, i))
            if i in ev
            for a, b in quoted[i]
            if ev[i].text
        ][:MAX_QUOTES]
        st = fstats.get(f.id, cs.GroupStats())
        findings.append(
            FindingFact(
                id=f.id,
                category=f.category,
                severity=f.severity,
                confidence=f.confidence,
                provisions=[str(p) for p in (f.provisions or [])],
                summary=f.summary,
                explanation=f.explanation,
                review_state=f.review_state,
                events=evs,
                quotes=quotes,
                event_count=st.count,
                first=st.first.astimezone(tz) if st.first else None,
                last=st.last.astimezone(tz) if st.last else None,
                night=_night(f),
            )
        )

    # how often each of the first quoted texts of a category was sent (the documents print at most 6 per category)
    repeats: dict[str, dict[tuple[str | None, str], int]] = {}
    for cat in sorted({f.category for f in findings}):
        qs = sorted(
            (q for f in findings if f.category == cat for q in f.quotes), key=lambda q: (q.event.start, q.event.id)
        )
        texts = list(dict.fromkeys(q.event.text for q in qs if q.event.text))[:MAX_QUOTES]
        if texts:
            repeats[cat] = cq.quote_repeats(s, case_id, states, cat, texts)

    chrono_quotes: dict[int, list[Quote]] = {}
    chrono_cats: dict[int, list[str]] = {}
    cat_by_finding = {f.id: f.category for f in rows}
    if chrono_ids:
        for fid, eid, spans in s.execute(
            select(FindingEvent.finding_id, FindingEvent.event_id, FindingEvent.spans)
            .where(FindingEvent.event_id.in_(chrono_ids))
            .order_by(FindingEvent.finding_id)
        ):
            if fid not in cat_by_finding or eid not in ev:
                continue
            cats = chrono_cats.setdefault(eid, [])
            if cat_by_finding[fid] not in cats:
                cats.append(cat_by_finding[fid])
            text = ev[eid].text
            for a, b in _spans(spans, text):
                chrono_quotes.setdefault(eid, []).append(Quote(ev[eid], text[a:b], a, b))  # type: ignore[index]  # an event with spans has text (checked by _spans)

    per_file = cq.stats_by_evidence(s, case_id, states)
    evidence = [
        EvidenceFile(
            i.label,
            i.evidence_id,
            i.sha256,
            i.size,
            i.media_type,
            i.display_name,
            i.source_device,
            cs.as_utc(i.acquired_at) or i.acquired_at,
            per_file.get(i.evidence_id, cs.FileStats()),
        )
        for i in items
    ]

    loans = [
        LoanFact(
            ln.id,
            ln.lender,
            ln.legal_entity,
            ln.licence_type,
            ln.contract_date,
            ln.principal,
            ln.apr,
            ln.verdict,
            dict(ln.result or {}),
        )
        for ln in s.execute(select(Loan).where(Loan.case_id == case_id).order_by(Loan.id)).scalars()
    ]
    actions = [
        ActionFact(a.id, a.body, a.status, a.submitted_at, a.due_at, a.reference_no, a.response)
        for a in s.execute(select(Action).where(Action.case_id == case_id).order_by(Action.id)).scalars()
    ]
    facts = CaseFacts(
        case_id=case.id,
        name=case.name,
        lender_name=case.lender_name,
        lender_entity=case.lender_entity,
        licence_type=case.licence_type,
        borrower_name=case.borrower_name,
        borrower_phones=[str(p) for p in (case.borrower_phones or [])],
        tz=str(tz.key),
        extra=dict(case.extra or {}),
        findings=findings,
        evidence=evidence,
        loans=loans,
        actions=actions,
        today=today or dt.datetime.now(tz).date(),
        category_stats=cq.stats_by_category(s, case_id, states),
        event_counts=cq.finding_counts(s, case_id, states),
        period_utc=cq.finding_period(s, case_id, states),
        number_counts=cq.finding_numbers(s, case_id, states),
        chronology_events=[ev[i] for i in chrono_ids if i in ev],
        chronology_quotes=chrono_quotes,
        chronology_categories=chrono_cats,
        quote_repeats=repeats,
    )
    facts.auto_count = sum(1 for f in findings if f.review_state == "auto")
    facts.categories = {f.category for f in findings}
    return facts
