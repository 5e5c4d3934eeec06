"""Detector contracts (the ``register_detectors`` plug-in hook returns objects of these kinds).

Two kinds of detector exist:

* a **text detector** looks at one message, transcript or OCR text and returns :class:`Hit` objects,
  each with a category, character spans into the original text, its detector id and version, a
  confidence and a human explanation;
* a **case detector** looks at a whole case timeline (:class:`CaseContext`) and returns
  :class:`FindingDraft` objects, each keyed by a stable ``key`` so re-running analysis is idempotent.

Third-party plug-ins implement the same protocols and are registered the same way as the built-ins.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple, Any, Protocol, runtime_checkable

from weiquan.law.integrity import CATEGORIES as _ALL_CATEGORIES

# The categories of docs/sources.md#violation-categories (one list, kept by the law pack's integrity checks). ``lawful`` is the
# absence of any other label.
LAWFUL = "lawful"
CATEGORIES: tuple[str, ...] = tuple(c for c in _ALL_CATEGORIES if c != LAWFUL)
# Categories a single text can show (the others are facts of a timeline: night_contact, and home_visit, a visit
# that happened, which analyze/patterns.py VisitDetector finds; a text announcing a visit is threat_visit).
TEXT_CATEGORIES: tuple[str, ...] = tuple(c for c in CATEGORIES if c not in ("night_contact", "home_visit"))


class Hit(NamedTuple):
    """One detected unlawful act in one text.

    Immutable; a ``NamedTuple`` rather than a frozen dataclass because detectors create one per hit
    on hundreds of thousands of messages and a frozen dataclass's ``__init__`` costs several times more
    (use ``hit._replace(confidence=...)`` to derive a changed copy).
    """

    category: str
    spans: tuple[tuple[int, int], ...]  # [start, end) offsets into the ORIGINAL text
    detector_id: str
    detector_version: str
    confidence: float
    explanation: str
    rule_id: str | None = None

    @property
    def decided_by(self) -> str:
        """Which part decided: ``rule E3`` (a rule id, several joined by commas; ``I1>threat_legal_false`` when
        derived from another category's hit) or ``model <version>`` (the trained classifier)."""
        if self.rule_id:
            return f"rule {self.rule_id}"
        if self.detector_id == "text.classifier":
            return f"model {self.detector_version}"
        return self.detector_id

    def to_dict(self, text: str | None = None) -> dict[str, Any]:
        d: dict[str, Any] = {
            "category": self.category,
            "spans": [list(s) for s in self.spans],
            "detector": self.detector_id,
            "version": self.detector_version,
            "confidence": round(self.confidence, 3),
            "explanation": self.explanation,
        }
        if self.rule_id:
            d["rule"] = self.rule_id
        d["decided_by"] = self.decided_by
        if text is not None:
            d["quotes"] = [text[a:b] for a, b in self.spans]
        return d


@runtime_checkable
class TextDetector(Protocol):
    """Detects unlawful acts in a single text."""

    id: str
    version: str
    kind: str  # "text"
    label_zh: str  # how the web names it beside a finding ("文字规则与模型识别")

    def detect(self, text: str) -> list[Hit]: ...


@dataclass
class TimelineEvent:
    """The fields of one timeline event a case detector may use (a read-only copy of ``Event``)."""

    id: int
    channel: str
    direction: str
    start: dt.datetime  # aware, UTC
    source_tz: str
    counterpart: str | None
    counterpart_name: str | None
    signature: str | None
    text: str | None
    recipient: str
    duration_s: float | None = None
    number_kind: str | None = None
    origin: str = "export"
    text_from: str | None = None  # Event.extra["text_from"]: "asr" when the text is a recording's transcript


def is_note_of_contact(ev: TimelineEvent) -> bool:
    """The text of a call or visit that is not its transcript is the borrower's note of it: a retelling
    ("对方自称是法院的工作人员，说…"), read in the detector's retelling register as well as word for word."""
    return ev.channel in ("call", "visit") and ev.text_from not in ("asr", "transcript")


@dataclass
class CaseRequest:
    """A recorded complaint or request to stop contact: contacts after ``at`` that it covers are flagged."""

    at: dt.datetime  # aware, UTC
    kind: str  # "complaint" | "stop_all" | "stop_third_party"
    source: str  # e.g. "action:3" or "event:17"
    description: str


@dataclass
class CaseContext:
    """Everything a case detector sees: the timeline, the case's time zone and recorded requests."""

    case_id: int
    timezone: str
    events: list[TimelineEvent]
    requests: list[CaseRequest] = field(default_factory=list)
    borrower_phones: list[str] = field(default_factory=list)
    # Text hits per event id, computed once by the text detectors (for detectors that combine both).
    text_hits: dict[int, list[Hit]] = field(default_factory=dict)


@dataclass
class EventLink:
    event_id: int
    spans: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class FindingDraft:
    """What a case detector reports; the analysis service turns it into a ``Finding`` row."""

    key: str  # stable identity, unique within a case (e.g. "night:2024-05-01")
    category: str
    detector_id: str
    detector_version: str
    confidence: float
    summary: str  # one line, Simplified Chinese
    explanation: str  # why, with the rule/threshold and its source
    events: list[EventLink]
    extra: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class CaseDetector(Protocol):
    """Detects patterns over a whole case timeline."""

    id: str
    version: str
    kind: str  # "case"
    label_zh: str  # how the web names it beside a finding ("夜间联系统计")

    def detect_case(self, ctx: CaseContext) -> list[FindingDraft]: ...
