"""The importer plug-in contract.

An importer MUST be stateless between files, MUST detect its format from the
content (``detect``), never from the file name alone, and MUST yield records in
file order with a ``locator`` that finds the record again inside the original
(element index, table + rowid, CSV row, file name). It MUST NOT write to the
store itself: the import service stores the original in the vault first, then
writes every record of one file in one transaction, so a parse error leaves no
partial records. An importer SHOULD stream (constant memory for large files)
and SHOULD report recoverable oddities through ``ctx.warn`` rather than raise.
Raise ``ParseError`` for a file it cannot read at all or past a point of no
return (records yielded before a truncation are kept when ``partial_ok``).
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from weiquan.errors import InputError
from weiquan.zh.labels import CHANNELS
from weiquan.zh.labels import DIRECTIONS as DIRECTIONS  # the vocabulary's ids, re-exported for importers
from weiquan.zh.labels import RECIPIENTS as RECIPIENTS


class ParseError(InputError):
    """The file could not be parsed (it is still kept in the vault, marked unparsed)."""

    def __init__(self, zh: str, en: str, *, line: int | None = None, partial_ok: bool = False) -> None:
        super().__init__(zh, en)
        self.line = line
        self.partial_ok = partial_ok


@dataclass
class Attachment:
    """A binary part inside a record (MMS image, embedded audio) to be stored in the vault."""

    data: bytes
    name: str | None = None
    media_type: str | None = None


@dataclass
class RawEvent:
    """One normalised contact as an importer yields it (before number normalisation and dedupe)."""

    channel: str
    start: dt.datetime  # timezone-aware
    locator: str
    direction: str = "unknown"
    source_tz: str = "Asia/Shanghai"
    time_basis: str | None = (
        None  # utc_epoch_ms | utc_epoch_s | apple_ns | local_wallclock | file_name | inferred_from_screenshot …
    )
    wallclock_text: str | None = None
    duration_s: float | None = None
    counterpart_raw: str | None = None
    counterpart_name: str | None = None
    text: str | None = None
    recipient: str = "borrower"
    recipient_name: str | None = None
    origin: str = "export"  # export|screenshot|recording|manual|transcript
    confidence: float | None = None
    raw: dict[str, Any] = field(default_factory=dict)  # raw original values (raw_date, raw_type …)
    attachments: list[Attachment] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError("RawEvent.start must be timezone-aware")
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}")


@dataclass
class ImportContext:
    """What an importer gets for one file."""

    path: Path  # the stored original (read-only) or the user's file
    original_name: str
    sha256: str
    tz: str = "Asia/Shanghai"
    options: dict[str, Any] = field(default_factory=dict)  # e.g. CSV column mapping from --map
    warnings: list[str] = field(default_factory=list)
    rejected: int = 0  # records skipped as unusable (e.g. a date in 1970 or 2100)
    max_warnings: int = 50
    _suppressed: int = 0

    def warn(self, message: str) -> None:
        """Record a recoverable oddity (never include message bodies or ID numbers)."""
        if len(self.warnings) < self.max_warnings:
            self.warnings.append(message)
        else:
            self._suppressed += 1

    def reject(self, locator: str, zh: str, en: str) -> None:
        """Skip one record that cannot be imported, naming where it is and why."""
        self.rejected += 1
        self.warn(f"{self.original_name} {locator}：{zh}，已跳过 / {en}; skipped")

    def reject_time(self, locator: str, value: object) -> None:
        """Skip a record whose time (``value``, as the file gives it) decodes to an implausible date."""
        self.reject(locator, f"时间超出合理范围（{value}）", f"time out of range ({value})")

    def finish_warnings(self) -> list[str]:
        if self._suppressed:
            return [
                *self.warnings,
                f"另有 {self._suppressed} 条警告未列出 / {self._suppressed} more warnings not shown",
            ]
        return list(self.warnings)


@dataclass(frozen=True)
class Probe:
    """The first bytes of a file plus its name, for format detection."""

    path: Path
    head: bytes
    media_type: str
    name: str
    options: dict[str, Any] = field(default_factory=dict)  # import options (e.g. a CSV column mapping)


class Importer(ABC):
    """Base class for importers. Register instances through the ``register_importers`` hook."""

    name: str = ""  # short format id, e.g. "synctech_sms"
    label_zh: str = ""  # the format as a borrower would name the file ("短信备份（SMS Backup & Restore）"): web lists
    version: str = "1"
    description: str = ""
    # Extraction the stored file still needs after parsing ("ocr" for screenshots, "asr" for
    # recordings), or None. The import service queues it and marks the file "queued".
    extraction: str | None = None

    @abstractmethod
    def detect(self, probe: Probe) -> float:
        """Confidence 0..1 that this importer reads the file; highest score wins, 0 means no."""

    @abstractmethod
    def parse(self, ctx: ImportContext) -> Iterator[RawEvent]:
        """Yield records in file order."""
