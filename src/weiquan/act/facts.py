"""The facts of one case that the plan and the documents draw on, as plain data (read from the store by
``weiquan.services.case_facts``; nothing here touches the store).

Everything a document says about the case comes from here: the case record, the findings
(confirmed and automatic ones, never rejected or stale ones), the events behind them with the
quoted spans of their original text, the evidence files with their SHA-256, loans and actions.
Times are given in the case's time zone for display; the UTC instants are kept alongside.

The loader never reads all the events of a case: counts and aggregates come from SQL
(``weiquan.services.case_queries``), each finding keeps a bounded number of example events and quotes,
the chronology its first rows, and the per-number call and SMS lists are streamed in batches
when a document asks for them. The 证据目录 numbering is the evidence package's (``E001``…).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from weiquan.act import case_stats as cs
from weiquan.zh.labels import CHANNEL_ZH, RECIPIENT_ZH, TEXT_SOURCE_ZH

MAX_EXAMPLES = 12  # example events kept per finding (times and numbers of pattern findings)
MAX_QUOTES = 12  # quotes kept per finding (the documents print at most 6 per category)
MAX_CHRONOLOGY = 80  # rows of the chronology table


def text_source(origin: str | None, text_from: str | None) -> str | None:
    """``transcript`` | ``ocr`` | ``manual`` for a text the phone did not record as such; None for exported text.

    ``text_from`` (``Event.extra``) wins: a call-log event whose text is the transcript of its recording carries
    ``text_from="asr"`` although its origin is ``export``.
    """
    if text_from in ("asr", "transcript"):
        return "transcript"
    if text_from == "ocr":
        return "ocr"
    return {"transcript": "transcript", "recording": "transcript", "screenshot": "ocr", "manual": "manual"}.get(
        origin or ""
    )


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
    witnesses: str | None = (
        None  # Event.extra["witnesses"]: who saw it, as the borrower typed it ("邻居张某、保安李某")
    )

    @property
    def text_source(self) -> str | None:
        return text_source(self.origin, self.text_from)

    @property
    def text_note(self) -> str:
        """ "录音转写" / "截图识别" / "本人陈述" for a text that is not the phone's own record, else ""."""
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


class CaseRecords(Protocol):
    """Where the long lists of a case (calls per number, SMS texts grouped, contacts to third parties) come from
    when a document asks for them: supplied by the service that loaded the facts
    (``weiquan.services.case_facts``), so a document pays only for the lists its template reads."""

    def call_stats(self) -> list[cs.CallStats]: ...

    def sms_groups(self) -> list[cs.SmsGroup]: ...

    def third_party_contacts(self) -> tuple[list[cs.ThirdPartyContact], int]: ...


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
    stream: CaseRecords | None = None  # the long lists, read when a document asks (None: no such lists)

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
        return dict(self.event_counts) or {
            "events": 0,
            "calls": 0,
            "sms": 0,
            "chat": 0,
            "numbers": 0,
            "third_party": 0,
            "third_party_people": 0,
        }

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
