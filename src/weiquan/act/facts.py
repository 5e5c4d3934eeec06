"""The facts of one case that the plan and the documents draw on, read from the store.

Everything a document says about the case comes from here: the case record, the findings
(confirmed and automatic ones, never rejected or stale ones), the events behind them with the
quoted spans of their original text, the evidence files with their SHA-256, loans and actions.
Times are given in the case's time zone for display; the UTC instants are kept alongside.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from weiquan.services.cases import get_case_row
from weiquan.store.models import Acquisition, Action, Event, EventSource, Finding, FindingEvent, Loan
from weiquan.workspace import Workspace

CHANNEL_ZH = {"call": "电话", "sms": "短信", "mms": "彩信", "chat": "即时通讯消息", "visit": "上门",
              "letter": "信函", "other": "其他方式"}
RECIPIENT_ZH = {"borrower": "本人", "relative": "亲属", "colleague": "同事", "friend": "朋友", "employer": "工作单位",
                "other": "其他联系人"}
DIRECTION_ZH = {"in": "呼入/收到", "out": "呼出/发出", "missed": "未接来电", "rejected": "拒接", "blocked": "拦截",
                "unknown": ""}


@dataclass(frozen=True)
class EvidenceRef:
    evidence_id: int
    sha256: str
    name: str | None
    locator: str


@dataclass(frozen=True)
class EventFact:
    id: int
    channel: str
    direction: str
    start: dt.datetime  # UTC
    local: dt.datetime  # in the case's time zone
    duration_s: float | None
    counterpart: str | None
    counterpart_name: str | None
    signature: str | None
    text: str | None
    recipient: str
    recipient_name: str | None
    origin: str
    evidence: tuple[EvidenceRef, ...]

    @property
    def when_zh(self) -> str:
        return self.local.strftime("%Y年%m月%d日 %H:%M")

    @property
    def channel_zh(self) -> str:
        return CHANNEL_ZH.get(self.channel, self.channel)

    @property
    def recipient_zh(self) -> str:
        return RECIPIENT_ZH.get(self.recipient, self.recipient)

    @property
    def third_party(self) -> bool:
        return self.recipient != "borrower"


@dataclass(frozen=True)
class Quote:
    event: EventFact
    text: str  # the quoted span, exactly as in the original text
    start: int
    end: int


@dataclass
class FindingFact:
    id: int
    category: str
    severity: str
    confidence: float
    provisions: list[str]
    summary: str | None
    explanation: str | None
    review_state: str
    events: list[EventFact]
    quotes: list[Quote]

    @property
    def confirmed(self) -> bool:
        return self.review_state == "confirmed"

    @property
    def first(self) -> dt.datetime | None:
        return min((e.local for e in self.events), default=None)

    @property
    def last(self) -> dt.datetime | None:
        return max((e.local for e in self.events), default=None)


@dataclass(frozen=True)
class EvidenceFile:
    evidence_id: int
    sha256: str
    size: int
    media_type: str | None
    name: str | None
    source_device: str | None
    acquired_at: dt.datetime
    event_ids: tuple[int, ...]


@dataclass(frozen=True)
class LoanFact:
    id: int
    lender: str | None
    legal_entity: str | None
    licence_type: str | None
    contract_date: dt.date | None
    principal: float | None
    apr: float | None
    verdict: str | None
    result: dict[str, Any]


@dataclass(frozen=True)
class ActionFact:
    id: int
    body: str
    status: str
    submitted_at: dt.datetime | None
    due_at: dt.date | None
    reference_no: str | None
    response: str | None = None


@dataclass
class CaseFacts:
    case_id: int
    name: str
    lender_name: str | None
    lender_entity: str | None
    licence_type: str | None
    borrower_name: str | None
    borrower_phones: list[str]
    tz: str
    extra: dict[str, Any]
    findings: list[FindingFact]
    events: list[EventFact]  # every event of the case, in time order
    evidence: list[EvidenceFile]
    loans: list[LoanFact]
    actions: list[ActionFact]
    today: dt.date
    auto_count: int = 0  # findings not yet reviewed by a person
    categories: set[str] = field(default_factory=set)

    def by_category(self, category: str) -> list[FindingFact]:
        return [f for f in self.findings if f.category == category]

    def has(self, *categories: str) -> bool:
        return any(c in self.categories for c in categories)

    @property
    def finding_events(self) -> list[EventFact]:
        seen: dict[int, EventFact] = {}
        for f in self.findings:
            for e in f.events:
                seen.setdefault(e.id, e)
        return sorted(seen.values(), key=lambda e: e.start)

    @property
    def period(self) -> tuple[dt.datetime, dt.datetime] | None:
        evs = self.finding_events or self.events
        if not evs:
            return None
        return evs[0].local, evs[-1].local

    def counts(self) -> dict[str, int]:
        evs = self.finding_events
        c = Counter(e.channel for e in evs)
        return {"events": len(evs), "calls": c.get("call", 0), "sms": c.get("sms", 0) + c.get("mms", 0),
                "chat": c.get("chat", 0), "numbers": len({e.counterpart for e in evs if e.counterpart}),
                "third_party": sum(1 for e in evs if e.third_party),
                "third_party_people": len({(e.recipient, e.recipient_name) for e in evs if e.third_party})}

    def numbers(self) -> list[tuple[str, int]]:
        """Counterpart numbers of the finding events, most used first."""
        c = Counter(e.counterpart for e in self.finding_events if e.counterpart)
        return c.most_common()


def _tz(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "Asia/Shanghai")
    except Exception:  # noqa: BLE001 - an unknown zone name falls back to the default
        return ZoneInfo("Asia/Shanghai")


def _event_fact(e: Event, tz: ZoneInfo, names: dict[int, str | None]) -> EventFact:
    refs = tuple(EvidenceRef(s.evidence_id, s.evidence.sha256, names.get(s.evidence_id) or s.evidence.first_name, s.locator)
                 for s in e.sources)
    return EventFact(
        id=e.id, channel=e.channel, direction=e.direction, start=e.start, local=e.start.astimezone(tz),
        duration_s=e.duration_s, counterpart=e.counterpart or e.counterpart_raw, counterpart_name=e.counterpart_name,
        signature=e.signature, text=e.text, recipient=e.recipient or "borrower", recipient_name=e.recipient_name,
        origin=e.origin, evidence=refs,
    )


def load_case_facts(ws: Workspace, case_id: int, *, include_auto: bool = True, today: dt.date | None = None) -> CaseFacts:
    """Read one case's facts. ``include_auto=False`` keeps only findings a person confirmed."""
    with ws.db.read_session() as s:
        return _load(s, case_id, include_auto=include_auto, today=today)


def _load(s: Session, case_id: int, *, include_auto: bool, today: dt.date | None) -> CaseFacts:
    case = get_case_row(s, case_id)
    tz = _tz(case.timezone)
    acq = s.execute(select(Acquisition).where(Acquisition.case_id == case_id).order_by(Acquisition.id)).scalars().all()
    names: dict[int, str | None] = {}
    for a in acq:
        names.setdefault(a.evidence_id, a.original_name)
    events = s.execute(
        select(Event).where(Event.case_id == case_id).order_by(Event.start, Event.id)
        .options(selectinload(Event.sources).selectinload(EventSource.evidence))
    ).scalars().all()
    ev_by_id = {e.id: _event_fact(e, tz, names) for e in events}

    states = ("confirmed", "auto") if include_auto else ("confirmed",)
    rows = s.execute(
        select(Finding).where(Finding.case_id == case_id, Finding.review_state.in_(states), Finding.stale.is_(False))
        .order_by(Finding.id).options(selectinload(Finding.events).selectinload(FindingEvent.event))
    ).scalars().all()
    findings: list[FindingFact] = []
    for f in rows:
        evs: list[EventFact] = []
        quotes: list[Quote] = []
        for fe in sorted(f.events, key=lambda x: (x.event.start, x.event_id)):
            ef = ev_by_id.get(fe.event_id)
            if ef is None:
                continue
            evs.append(ef)
            for span in fe.spans or []:
                try:
                    a, b = int(span[0]), int(span[1])
                except (TypeError, ValueError, IndexError):
                    continue
                if ef.text and 0 <= a < b <= len(ef.text):
                    quotes.append(Quote(ef, ef.text[a:b], a, b))
        findings.append(FindingFact(
            id=f.id, category=f.category, severity=f.severity, confidence=f.confidence,
            provisions=[str(p) for p in (f.provisions or [])], summary=f.summary, explanation=f.explanation,
            review_state=f.review_state, events=evs, quotes=quotes,
        ))

    ev_ids_by_evidence: dict[int, list[int]] = {}
    for e in events:
        for src in e.sources:
            ev_ids_by_evidence.setdefault(src.evidence_id, []).append(e.id)
    evidence: list[EvidenceFile] = []
    seen: set[int] = set()
    for a in acq:
        ev = a.evidence
        if ev.id in seen or ev.kind != "original":
            continue
        seen.add(ev.id)
        evidence.append(EvidenceFile(ev.id, ev.sha256, ev.size, ev.media_type, a.original_name or ev.first_name,
                                     a.source_device, a.acquired_at, tuple(ev_ids_by_evidence.get(ev.id, ()))))

    loans = [LoanFact(l.id, l.lender, l.legal_entity, l.licence_type, l.contract_date, l.principal, l.apr, l.verdict,
                      dict(l.result or {}))
             for l in s.execute(select(Loan).where(Loan.case_id == case_id).order_by(Loan.id)).scalars()]
    actions = [ActionFact(a.id, a.body, a.status, a.submitted_at, a.due_at, a.reference_no, a.response)
               for a in s.execute(select(Action).where(Action.case_id == case_id).order_by(Action.id)).scalars()]
    facts = CaseFacts(
        case_id=case.id, name=case.name, lender_name=case.lender_name, lender_entity=case.lender_entity,
        licence_type=case.licence_type, borrower_name=case.borrower_name,
        borrower_phones=[str(p) for p in (case.borrower_phones or [])], tz=str(tz.key), extra=dict(case.extra or {}),
        findings=findings, events=list(ev_by_id.values()), evidence=evidence, loans=loans, actions=actions,
        today=today or dt.datetime.now(tz).date(),
    )
    facts.auto_count = sum(1 for f in findings if f.review_state == "auto")
    facts.categories = {f.category for f in findings}
    return facts
