"""The facts of one case that the plan and the documents draw on, read from the store.

Everything a document says about the case comes from here: the case record, the findings
(confirmed and automatic ones, never rejected or stale ones), the events behind them with the
quoted spans of their original text, the evidence files with their SHA-256, loans and actions.
Times are given in the case's time zone for display; the UTC instants are kept alongside.

Nothing here loads all the events of a case: counts and aggregates come from SQL
(``weiquan.act.case_stats``), each finding keeps a bounded number of example events and quotes,
the chronology its first rows, and the per-number call and SMS lists are streamed in batches
when a document asks for them. The 证据目录 numbering is the evidence package's (``E001``…).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from weiquan.act import case_stats as cs
from weiquan.report.evidence import case_evidence
from weiquan.services.cases import get_case_row
from weiquan.store.models import Action, Event, EventSource, Finding, FindingEvent, Loan
from weiquan.workspace import Workspace

MAX_EXAMPLES = 12  # example events kept per finding (times and numbers of pattern findings)
MAX_QUOTES = 12  # quotes kept per finding (the documents print at most 6 per category)
MAX_CHRONOLOGY = 80  # rows of the chronology table

CHANNEL_ZH = {"call": "电话", "sms": "短信", "mms": "彩信", "chat": "即时通讯消息", "visit": "上门",
              "letter": "信函", "other": "其他方式"}
RECIPIENT_ZH = {"borrower": "本人", "relative": "亲属", "colleague": "同事", "friend": "朋友", "employer": "工作单位",
                "other": "其他联系人"}
# How a call went (Event.direction), as the documents' chronologies state it
DIRECTION_ZH = {"incoming": "来电", "in": "来电", "outgoing": "去电", "out": "去电", "missed": "未接来电",
                "rejected": "拒接", "blocked": "已拦截", "voicemail": "来电（语音信箱留言）",
                "answered_elsewhere": "来电（在其他设备接听）", "unknown": "来电"}
# Where the text of an event came from, when it is not a record exported from the phone: the documents mark
# such quotes, so that a machine transcript or the borrower's own account is never passed off as the collector's
# exact words (see ``text_source``).
TEXT_SOURCE_ZH = {"transcript": "录音转写", "ocr": "截图识别", "manual": "本人陈述"}
# Where a listed record came from (Event.origin), as the 证据目录 and the 12321 report state it.
ORIGIN_SOURCE_ZH = {"export": "手机导出的原始记录", "screenshot": "截图（文字经OCR识别，以截图原件为准）",
                    "recording": "通话录音（文字为语音转写，以录音为准）",
                    "transcript": "通话录音（文字为语音转写，以录音为准）", "manual": "本人陈述（手动录入）"}


def text_source(origin: str | None, text_from: str | None) -> str | None:
    """``transcript`` | ``ocr`` | ``manual`` for a text the phone did not record as such; None for exported text.

    ``text_from`` (``Event.extra``) wins: a call-log event whose text is the transcript of its recording carries
    ``text_from="asr"`` although its origin is ``export``.
    """
    if text_from in ("asr", "transcript"):
        return "transcript"
    if text_from == "ocr":
        return "ocr"
    return {"transcript": "transcript", "recording": "transcript", "screenshot": "ocr", "manual": "manual"}.get(origin or "")


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
    text_from: str | None = None  # Event.extra["text_from"]: "asr" when the text is a recording's transcript
    note: str | None = None  # Event.extra["note"]: what the borrower noted with a manual entry ("邻居王某可作证")

    @property
    def text_source(self) -> str | None:
        return text_source(self.origin, self.text_from)

    @property
    def text_note(self) -> str:
        """"录音转写" / "截图识别" / "本人陈述" for a text that is not the phone's own record, else ""."""
        src = self.text_source
        return TEXT_SOURCE_ZH[src] if src else ""

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
    events: list[EventFact]  # examples: the first MAX_EXAMPLES events and those quoted, in time order
    quotes: list[Quote]  # the first MAX_QUOTES quoted spans, in time order
    event_count: int = 0  # all events of the finding
    first: dt.datetime | None = None  # local time of its first and last event
    last: dt.datetime | None = None
    night: dt.date | None = None  # night contacts: the evening the night began (a 00:30 contact is the night before)

    @property
    def confirmed(self) -> bool:
        return self.review_state == "confirmed"


@dataclass(frozen=True)
class EvidenceFile:
    """An original of the case, numbered as in the evidence package (``E001``…)."""

    label: str
    evidence_id: int
    sha256: str
    size: int
    media_type: str | None
    name: str | None
    source_device: str | None
    acquired_at: dt.datetime
    stats: cs.FileStats


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


@dataclass(frozen=True)
class EventSet:
    """Where the streamed lists (calls per number, SMS texts) are read from, when a document asks."""

    ws: Workspace
    case_id: int
    states: tuple[str, ...]
    tz: ZoneInfo

    def call_stats(self) -> list[cs.CallStats]:
        with self.ws.db.read_session() as s:
            return cs.call_stats(s, self.case_id, self.states, self.tz)

    def sms_groups(self) -> list[cs.SmsGroup]:
        with self.ws.db.read_session() as s:
            return cs.sms_groups(s, self.case_id, self.states, self.tz)

    def third_party_contacts(self) -> tuple[list[cs.ThirdPartyContact], int]:
        with self.ws.db.read_session() as s:
            return cs.third_party_contacts(s, self.case_id, self.states, self.tz)


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
    evidence: list[EvidenceFile]
    loans: list[LoanFact]
    actions: list[ActionFact]
    today: dt.date
    auto_count: int = 0  # findings not yet reviewed by a person
    categories: set[str] = field(default_factory=set)
    category_stats: dict[str, cs.GroupStats] = field(default_factory=dict)
    event_counts: dict[str, int] = field(default_factory=dict)
    period_utc: tuple[dt.datetime, dt.datetime] | None = None
    number_counts: list[tuple[str, int]] = field(default_factory=list)
    chronology_events: list[EventFact] = field(default_factory=list)  # the first MAX_CHRONOLOGY finding events
    chronology_quotes: dict[int, list[Quote]] = field(default_factory=dict)
    chronology_categories: dict[int, list[str]] = field(default_factory=dict)
    # per category: distinct events carrying each quoted text, per number (an SMS sent many times is quoted once)
    quote_repeats: dict[str, dict[tuple[str | None, str], int]] = field(default_factory=dict)
    stream: EventSet | None = None

    def by_category(self, category: str) -> list[FindingFact]:
        return [f for f in self.findings if f.category == category]

    def has(self, *categories: str) -> bool:
        return any(c in self.categories for c in categories)

    @property
    def period(self) -> tuple[dt.datetime, dt.datetime] | None:
        if self.period_utc is None:
            return None
        z = ZoneInfo(self.tz)
        return self.period_utc[0].astimezone(z), self.period_utc[1].astimezone(z)

    def counts(self) -> dict[str, int]:
        return dict(self.event_counts) or {"events": 0, "calls": 0, "sms": 0, "chat": 0, "numbers": 0,
                                           "third_party": 0, "third_party_people": 0}

    def numbers(self) -> list[tuple[str, int]]:
        """Counterpart numbers of the finding events, most used first."""
        return list(self.number_counts)

    def call_stats(self) -> list[cs.CallStats]:
        return self.stream.call_stats() if self.stream is not None else []

    def sms_groups(self) -> list[cs.SmsGroup]:
        return self.stream.sms_groups() if self.stream is not None else []

    def third_party_contacts(self) -> tuple[list[cs.ThirdPartyContact], int]:
        """Contacts to people other than the borrower (first rows, and the exact total)."""
        return self.stream.third_party_contacts() if self.stream is not None else ([], 0)


def _tz(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "Asia/Shanghai")
    except Exception:  # noqa: BLE001 - an unknown zone name falls back to the default
        return ZoneInfo("Asia/Shanghai")


def _event_facts(s: Session, ids: list[int], tz: ZoneInfo, names: dict[int, str | None]) -> dict[int, EventFact]:
    """A bounded set of events, with their evidence references."""
    out: dict[int, EventFact] = {}
    for k in range(0, len(ids), 500):
        rows = s.execute(select(Event).where(Event.id.in_(ids[k:k + 500]))
                         .options(selectinload(Event.sources).selectinload(EventSource.evidence))).scalars()
        for e in rows:
            # this case's names; an original's first_name may be another case's
            refs = tuple(EvidenceRef(x.evidence_id, x.evidence.sha256,
                                     names.get(x.evidence_id) or (x.evidence.first_name if x.evidence.kind == "derived" else None),
                                     x.locator) for x in e.sources)
            start = cs.as_utc(e.start)
            assert start is not None
            out[e.id] = EventFact(
                id=e.id, channel=e.channel, direction=e.direction, start=start, local=start.astimezone(tz),
                duration_s=e.duration_s, counterpart=e.counterpart or e.counterpart_raw,
                counterpart_name=e.counterpart_name, signature=e.signature, text=e.text,
                recipient=e.recipient or "borrower", recipient_name=e.recipient_name, origin=e.origin, evidence=refs,
                text_from=(e.extra or {}).get("text_from") if isinstance(e.extra, dict) else None,
                note=(e.extra or {}).get("note") if isinstance(e.extra, dict) else None,
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
    first = list(s.execute(select(FindingEvent.event_id).join(Event, Event.id == FindingEvent.event_id)
                           .where(FindingEvent.finding_id == finding_id).order_by(Event.start, Event.id)
                           .limit(MAX_EXAMPLES)).scalars())
    quoted: dict[int, list[tuple[int, int]]] = {}
    n = 0
    stmt = (select(FindingEvent.event_id, FindingEvent.spans, Event.text).join(Event, Event.id == FindingEvent.event_id)
            .where(FindingEvent.finding_id == finding_id, Event.text.is_not(None)).order_by(Event.start, Event.id)
            .execution_options(yield_per=500))
    for eid, spans, text in s.execute(stmt):
        ok = _spans(spans, text)
        if ok:
            quoted[eid] = ok
            n += len(ok)
            if n >= MAX_QUOTES:
                break
    return first, quoted


def load_case_facts(ws: Workspace, case_id: int, *, include_auto: bool = True, today: dt.date | None = None) -> CaseFacts:
    """Read one case's facts. ``include_auto=False`` keeps only findings a person confirmed."""
    with ws.db.read_session() as s:
        facts = _load(s, case_id, include_auto=include_auto, today=today)
    facts.stream = EventSet(ws, case_id, ("confirmed", "auto") if include_auto else ("confirmed",), ZoneInfo(facts.tz))
    return facts


def _load(s: Session, case_id: int, *, include_auto: bool, today: dt.date | None) -> CaseFacts:
    case = get_case_row(s, case_id)
    tz = _tz(case.timezone)
    states = ("confirmed", "auto") if include_auto else ("confirmed",)
    items = [i for i in case_evidence(s, case_id) if i.kind == "original"]
    names = {i.evidence_id: i.display_name for i in items}

    rows = s.execute(select(Finding).where(cs.finding_filter(case_id, states)).order_by(Finding.id)).scalars().all()
    fstats = cs.stats_by_finding(s, case_id, states)
    examples: dict[int, tuple[list[int], dict[int, list[tuple[int, int]]]]] = {f.id: _examples(s, f.id) for f in rows}
    chrono_ids = list(s.execute(select(Event.id).where(Event.id.in_(cs.finding_event_ids(case_id, states)))
                                .order_by(Event.start, Event.id).limit(MAX_CHRONOLOGY)).scalars())
    wanted = sorted({*chrono_ids, *(i for a, q in examples.values() for i in (*a, *q))})
    ev = _event_facts(s, wanted, tz, names)

    findings: list[FindingFact] = []
    for f in rows:
        first_ids, quoted = examples[f.id]
        evs = sorted({ev[i].id: ev[i] for i in (*first_ids, *quoted) if i in ev}.values(), key=lambda e: (e.start, e.id))
        quotes = [Quote(ev[i], ev[i].text[a:b], a, b) for i in sorted(quoted, key=lambda i: (ev[i].start, i)) if i in ev
                  for a, b in quoted[i] if ev[i].text][:MAX_QUOTES]
        st = fstats.get(f.id, cs.GroupStats())
        findings.append(FindingFact(
            id=f.id, category=f.category, severity=f.severity, confidence=f.confidence,
            provisions=[str(p) for p in (f.provisions or [])], summary=f.summary, explanation=f.explanation,
            review_state=f.review_state, events=evs, quotes=quotes, event_count=st.count,
            first=st.first.astimezone(tz) if st.first else None, last=st.last.astimezone(tz) if st.last else None,
            night=_night(f),
        ))

    # how often each of the first quoted texts of a category was sent (the documents print at most 6 per category)
    repeats: dict[str, dict[tuple[str | None, str], int]] = {}
    for cat in sorted({f.category for f in findings}):
        qs = sorted((q for f in findings if f.category == cat for q in f.quotes), key=lambda q: (q.event.start, q.event.id))
        texts = list(dict.fromkeys(q.event.text for q in qs if q.event.text))[:MAX_QUOTES]
        if texts:
            repeats[cat] = cs.quote_repeats(s, case_id, states, cat, texts)

    chrono_quotes: dict[int, list[Quote]] = {}
    chrono_cats: dict[int, list[str]] = {}
    cat_by_finding = {f.id: f.category for f in rows}
    if chrono_ids:
        for fid, eid, spans in s.execute(select(FindingEvent.finding_id, FindingEvent.event_id, FindingEvent.spans)
                                         .where(FindingEvent.event_id.in_(chrono_ids))
                                         .order_by(FindingEvent.finding_id)):
            if fid not in cat_by_finding or eid not in ev:
                continue
            cats = chrono_cats.setdefault(eid, [])
            if cat_by_finding[fid] not in cats:
                cats.append(cat_by_finding[fid])
            text = ev[eid].text
            for a, b in _spans(spans, text):
                chrono_quotes.setdefault(eid, []).append(Quote(ev[eid], text[a:b], a, b))  # type: ignore[index]

    per_file = cs.stats_by_evidence(s, case_id, states)
    evidence = [EvidenceFile(i.label, i.evidence_id, i.sha256, i.size, i.media_type, i.display_name, i.source_device,
                             cs.as_utc(i.acquired_at) or i.acquired_at, per_file.get(i.evidence_id, cs.FileStats()))
                for i in items]

    loans = [LoanFact(l.id, l.lender, l.legal_entity, l.licence_type, l.contract_date, l.principal, l.apr, l.verdict,
                      dict(l.result or {}))
             for l in s.execute(select(Loan).where(Loan.case_id == case_id).order_by(Loan.id)).scalars()]
    actions = [ActionFact(a.id, a.body, a.status, a.submitted_at, a.due_at, a.reference_no, a.response)
               for a in s.execute(select(Action).where(Action.case_id == case_id).order_by(Action.id)).scalars()]
    facts = CaseFacts(
        case_id=case.id, name=case.name, lender_name=case.lender_name, lender_entity=case.lender_entity,
        licence_type=case.licence_type, borrower_name=case.borrower_name,
        borrower_phones=[str(p) for p in (case.borrower_phones or [])], tz=str(tz.key), extra=dict(case.extra or {}),
        findings=findings, evidence=evidence, loans=loans, actions=actions,
        today=today or dt.datetime.now(tz).date(),
        category_stats=cs.stats_by_category(s, case_id, states), event_counts=cs.finding_counts(s, case_id, states),
        period_utc=cs.finding_period(s, case_id, states), number_counts=cs.finding_numbers(s, case_id, states),
        chronology_events=[ev[i] for i in chrono_ids if i in ev], chronology_quotes=chrono_quotes,
        chronology_categories=chrono_cats, quote_repeats=repeats,
    )
    facts.auto_count = sum(1 for f in findings if f.review_state == "auto")
    facts.categories = {f.category for f in findings}
    return facts
