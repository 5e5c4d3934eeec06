"""What the documents of a large case read about its events, as plain data: per-group statistics, per-file
statistics (证据目录), calls per number, SMS texts grouped, contacts to third parties.

Computed in SQL by ``weiquan.services.case_queries``; nothing here touches the store.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

STREAM_BATCH = 2000


MAX_SMS_TIMES = 6  # times kept per (number, text) group; the count is exact


MAX_THIRD_PARTY_ROWS = 100  # third-party contacts listed one by one (12321); the total is exact


OUTGOING = ("outgoing", "out")  # the borrower's own calls and messages: never listed as contacts received


@dataclass(frozen=True)
class GroupStats:
    """Aggregates over a set of events."""

    count: int = 0
    first: dt.datetime | None = None  # UTC
    last: dt.datetime | None = None
    third_party: int = 0
    numbers: int = 0


def as_utc(t: dt.datetime | None) -> dt.datetime | None:
    if t is None:
        return None
    return t.replace(tzinfo=dt.timezone.utc) if t.tzinfo is None else t.astimezone(dt.timezone.utc)


@dataclass
class FileStats:
    """What the events imported from one evidence file show (for the 证据目录)."""

    channels: Counter[str] = field(default_factory=Counter)
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    categories: set[str] = field(default_factory=set)
    origins: Counter[str] = field(default_factory=Counter)  # Event.origin of the events read from the file
    formats: Counter[str] = field(default_factory=Counter)  # EventSource.source_format (the importer)
    derivations: set[str] = field(default_factory=set)  # derived texts made from the file (ocr, asr …)
    # what the borrower typed in for each manual entry read from the file: (start UTC, channel, text, note), so the
    # 证据目录 can list recordings and screenshots the entry says exist but were not imported
    statements: list[tuple[dt.datetime, str, str, str]] = field(default_factory=list)


@dataclass
class CallStats:
    number: str | None
    count: int = 0
    first: dt.datetime | None = None  # local
    last: dt.datetime | None = None
    per_day: Counter[dt.date] = field(default_factory=Counter)
    origins: Counter[str] = field(default_factory=Counter)  # Event.origin of the calls counted


@dataclass
class SmsGroup:
    number: str | None
    text: str
    signature: str | None
    recipient: str
    times: list[dt.datetime]  # local, the first MAX_SMS_TIMES
    count: int
    origins: Counter[str] = field(default_factory=Counter)  # Event.origin of the messages counted


@dataclass(frozen=True)
class ThirdPartyContact:
    """A contact to someone other than the borrower (their relative, employer …), as listed for 12321."""

    local: dt.datetime
    channel: str
    number: str | None
    recipient: str
    recipient_name: str | None
    origin: str
    text: str | None
    text_from: str | None  # "asr"/"ocr" when the text was made by the software from a recording/screenshot
