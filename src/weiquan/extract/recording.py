"""Recording extractor: a call recording's transcript becomes its call event's text.

The slow step (``compute``) transcribes the audio once per content; ``events`` returns one call
record marked ``attach_to_source``: the job runner puts the text on the call event(s) the import
created for this recording, or stores it as a new call event (time and number from the file name,
e.g. ``张三@13800138000_20231030152543.m4a`` or MIUI ``13800138000(13800138000)_20231030152543.mp3``;
else the import time, flagged).

Configuration: ``WEIQUAN_ASR_MODEL`` (default ``base``, offline; or a hub name such as ``small``,
or a CTranslate2 model folder).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from weiquan.extract.anchor import capture_time
from weiquan.extract.asr import DEFAULT_MODEL, AsrEngine, engine_id_for
from weiquan.extract.base import ExtractContext, Extractor
from weiquan.ingest.base import RawEvent
from weiquan.ingest.timeutil import localize

_NUMBER_IN_NAME = re.compile(r"(?<!\d)(\+?86)?(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|400\d{7}|95\d{3,4}|106\d{5,17})(?!\d)")
_STAMP = re.compile(r"20\d{6}[-_ ]?\d{6}|20\d\d-\d\d-\d\d[ _-]\d\d[-_:]\d\d[-_:]\d\d")


def number_from_name(name: str) -> str | None:
    stem = _STAMP.sub(" ", Path(name).stem)  # the time stamp is not a phone number
    m = _NUMBER_IN_NAME.search(stem)
    return m.group(2) if m else None


class RecordingExtractor(Extractor):
    kind = "asr"
    name = "recording"
    version = "1"
    media_prefixes = ("audio/", "video/")

    def __init__(self, model: str | None = None, *, compute_type: str = "int8") -> None:
        self.model = model or os.environ.get("WEIQUAN_ASR_MODEL") or DEFAULT_MODEL
        self.compute_type = compute_type
        self.cache_dir: Path | None = None
        self._engine: AsrEngine | None = None

    @property
    def engine_id(self) -> str:
        return engine_id_for(self.model, self.compute_type)

    def prepare(self, threads: int | None = None) -> None:
        if self._engine is None:
            from weiquan.config import load_settings

            cache = self.cache_dir or load_settings().cache_dir
            self._engine = AsrEngine(self.model, cache_dir=cache, threads=threads, compute_type=self.compute_type)

    def compute(self, path: Path) -> dict[str, Any]:
        self.prepare()
        assert self._engine is not None
        return self._engine.transcribe(path).to_json()

    def events(self, result: dict[str, Any], ctx: ExtractContext) -> list[RawEvent]:
        cap = capture_time(ctx.names, None, ctx.imported_at, ctx.tz)
        number = next((n for n in (number_from_name(x) for x in ctx.names) if n), None)
        segments = result.get("segments", [])
        spans, pos = [], 0
        for seg in segments:
            spans.append({"start": pos, "end": pos + len(seg["text"]), "t0": seg["start"], "t1": seg["end"]})
            pos += len(seg["text"])
        extra: dict[str, Any] = {"attach_to_source": True, "segments": segments, "spans": spans,
                                 "engine": result.get("engine"), "language": result.get("language"),
                                 "audio_duration_s": result.get("duration_s"), "anchor_basis": cap.basis}
        if cap.flagged:
            extra["needs_review"] = True
        return [RawEvent(channel="call", direction="unknown", start=localize(cap.local, ctx.tz), locator="recording",
                         source_tz=ctx.tz, time_basis="file_name" if cap.basis == "file_name" else "import_time",
                         duration_s=result.get("duration_s"), counterpart_raw=number, text=result.get("text") or None,
                         origin="recording", confidence=None, raw={"segments": len(segments)}, extra=extra)]

    def __getstate__(self) -> dict[str, Any]:  # the model is per process, never pickled
        return {**self.__dict__, "_engine": None}
