"""Recording extractor: a call recording's transcript becomes its call event's text.

The slow step (``compute``) transcribes the audio once per content; ``events`` returns one call
record marked ``attach_to_source``: the job runner puts the text on the call event(s) the import
created for this recording, or stores it as a new call event (time and number from the file name,
parsed by ``weiquan.ingest.filenames``, e.g. ``张三@13800138000_20231030152543.m4a``; else the import
time, flagged ``needs_review``).

Configuration: ``WEIQUAN_ASR_MODEL`` (default ``base``, offline; or a hub name such as ``small``,
or a CTranslate2 model folder).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from weiquan.config import load_settings
from weiquan.extract.anchor import capture_time
from weiquan.extract.asr import DEFAULT_MODEL, AsrEngine, engine_id_for
from weiquan.extract.base import ExtractContext, Extractor
from weiquan.ingest.base import RawEvent
from weiquan.ingest.filenames import find_number, parse_recording_name, stem_of
from weiquan.ingest.timeutil import localize


class RecordingExtractor(Extractor):
    kind = "asr"
    name = "recording"
    label_zh = "录音"  # the format of a file this extractor read, in words
    version = "1"
    media_prefixes = ("audio/", "video/")

    def __init__(self, model: str | None = None, *, compute_type: str = "int8") -> None:
        self.model = model or load_settings().asr_model or DEFAULT_MODEL
        self.compute_type = compute_type
        self.cache_dir: Path | None = None
        self._engine: AsrEngine | None = None

    @property
    def engine_id(self) -> str:
        return engine_id_for(self.model, self.compute_type)

    def prepare(self, threads: int | None = None) -> None:
        if self._engine is None:
            cache = self.cache_dir or load_settings().cache_dir
            self._engine = AsrEngine(self.model, cache_dir=cache, threads=threads, compute_type=self.compute_type)

    def compute(self, path: Path) -> dict[str, Any]:
        self.prepare()
        assert self._engine is not None
        return self._engine.transcribe(path).to_json()

    def events(self, result: dict[str, Any], ctx: ExtractContext) -> list[RawEvent]:
        """One call record carrying the transcript (attached to the import's call event when there is one)."""
        parsed = next((p for p in (parse_recording_name(n) for n in ctx.names) if p is not None), None)
        segments = result.get("segments", [])
        spans, pos = [], 0
        for seg in segments:
            spans.append({"start": pos, "end": pos + len(seg["text"]), "t0": seg["start"], "t1": seg["end"]})
            pos += len(seg["text"])
        extra: dict[str, Any] = {
            "attach_to_source": True,
            "segments": segments,
            "spans": spans,
            "engine": result.get("engine"),
            "language": result.get("language"),
            "audio_duration_s": result.get("duration_s"),
            "dropped_segments": result.get("dropped_segments", 0),
            "corrections": result.get("corrections", []),
            "rescored": result.get("rescored", []),
        }
        if parsed is not None:
            start, basis, number, name, wallclock = (
                localize(parsed.when, ctx.tz),
                "file_name",
                parsed.number,
                parsed.name,
                parsed.wallclock,
            )
        else:  # no time in the name: the import time, flagged for review
            cap = capture_time([], None, ctx.imported_at, ctx.tz)
            start, basis, name, wallclock = localize(cap.local, ctx.tz), "import_time", None, None
            number = next((n for n in (find_number(stem_of(x)) for x in ctx.names) if n), None)
            extra.update(needs_review=True, date_unconfirmed=True)
        return [
            RawEvent(
                channel="call",
                direction="unknown",
                start=start,
                locator="recording",
                source_tz=ctx.tz,
                time_basis=basis,
                wallclock_text=wallclock,
                duration_s=result.get("duration_s"),
                counterpart_raw=number,
                counterpart_name=name,
                text=result.get("text") or None,
                origin="recording",
                confidence=None if parsed else 0.3,
                raw={"segments": len(segments)},
                extra=extra,
            )
        ]

    def __getstate__(self) -> dict[str, Any]:  # the model is per process, never pickled
        return {**self.__dict__, "_engine": None}
