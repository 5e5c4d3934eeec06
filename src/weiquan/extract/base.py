"""The extractor plug-in contract (OCR of screenshots, speech-to-text of recordings).

An extractor has two steps, so that the slow one runs once per *content* and the cheap one per case:

1. ``compute(path)`` — the expensive, case-independent work (OCR, ASR). It runs in a worker
   process, MUST be deterministic for a given input and ``engine_id``, and returns a JSON-able
   dict. The job runner stores that dict as derived evidence (``ws.vault.add_derived``) with the
   source's SHA-256 and ``engine_id``; the same image or audio is never computed twice, across
   cases too.
2. ``events(result, ctx)`` — turns the stored result into timeline records (``RawEvent``) for
   one case (its time zone, the file's names, the capture time). It MUST NOT touch the store.

Each ``RawEvent`` carries in ``extra``: ``boxes`` (image regions) or ``segments`` (audio time
ranges), and ``spans`` mapping character ranges of ``text`` back to those regions, so a finding's
span can be shown on the screenshot or played from the recording. An extractor whose result
updates an existing event (a transcript for a call) sets ``extra["attach_to_source"] = True``.

Register instances through the ``register_extractors`` hook.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from weiquan.ingest.base import RawEvent

KINDS = ("ocr", "asr")


@dataclass
class ExtractContext:
    """What ``events`` gets for one evidence item in one case."""

    sha256: str
    names: list[str]  # the file's original names in this case (capture time may be in them)
    path: Path | None  # the stored original (for EXIF), if available
    imported_at: dt.datetime  # aware; the fallback capture time (flagged)
    tz: str = "Asia/Shanghai"
    media_type: str | None = None
    warnings: list[str] = field(default_factory=list)


class Extractor(ABC):
    kind: str = ""  # ocr|asr
    name: str = ""
    label_zh: str = ""  # the format it reads, in words (web lists)
    version: str = "1"  # version of this extractor's own code (parser); part of the cache key
    media_prefixes: tuple[str, ...] = ()
    cache_dir: Path | None = None  # set by the job runner: where models may be assembled/cached

    @property
    @abstractmethod
    def engine_id(self) -> str:
        """Identifies the engine + model + settings whose output ``compute`` returns (cache key)."""

    def accepts(self, media_type: str | None) -> bool:
        return bool(media_type) and any(media_type.startswith(p) for p in self.media_prefixes)  # type: ignore[union-attr]  # media_type is truthy here (checked first)

    def prepare(self, threads: int | None = None) -> None:  # noqa: B027 - optional hook
        """Load models once per worker process (called before the first ``compute``)."""

    @abstractmethod
    def compute(self, path: Path) -> dict[str, Any]:
        """The slow, case-independent step; JSON-able and deterministic."""

    @abstractmethod
    def events(self, result: dict[str, Any], ctx: ExtractContext) -> list[RawEvent]:
        """Timeline records for one case from a stored ``compute`` result."""
