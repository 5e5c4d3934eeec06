"""Call recordings: one call event per file, from the OEM file name (docs/sources.md#format-recording-names),
linked to the recording.

The recording's evidence becomes the event's source (locator ``file:<name>``); the import
service matches it to a call-log event of the same number within ±2 min (either import
order) and queues the file for speech-to-text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from weiquan.ingest.audio import audio_duration
from weiquan.ingest.base import ImportContext, Importer, ParseError, Probe, RawEvent
from weiquan.ingest.filenames import find_number, parse_recording_name, stem_of
from weiquan.ingest.timeutil import TimeOutOfRange, check_range, localize

AUDIO_TYPES = ("audio/",)


class RecordingImporter(Importer):
    name = "call_recording"
    label_zh = "通话录音"
    description = "通话录音（小米、华为/荣耀、OPPO、vivo、三星文件名）"
    extraction = "asr"

    def detect(self, probe: Probe) -> float:
        return 0.6 if probe.media_type.startswith(AUDIO_TYPES) else 0.0

    def parse(self, ctx: ImportContext) -> Iterator[RawEvent]:
        duration = audio_duration(ctx.path)
        if duration is None:
            raise ParseError(
                f"{ctx.original_name}：音频文件已损坏或无法读取",
                f"{ctx.original_name}: the audio cannot be read (damaged?)",
            )
        parsed = parse_recording_name(ctx.original_name)
        locator = f"file:{stem_of(ctx.original_name)}"[:500]
        extra = {"recording": {"duration_s": duration, "file_name": ctx.original_name.split("!/")[-1][-200:]}}
        if parsed is not None:
            try:
                start = localize(parsed.when, ctx.tz)
            except TimeOutOfRange as e:
                ctx.reject(
                    locator,
                    f"文件名中的时间超出合理范围（{e.value}）",
                    f"time in the file name out of range ({e.value})",
                )
                return
            extra["recording"]["name_pattern"] = parsed.vendor
            yield RawEvent(
                channel="call",
                start=start,
                locator=locator,
                direction="unknown",
                source_tz=ctx.tz,
                time_basis="file_name",
                wallclock_text=parsed.wallclock,
                duration_s=duration,
                counterpart_raw=parsed.number,
                counterpart_name=parsed.name,
                origin="recording",
                extra=extra,
            )
            return
        number = find_number(stem_of(ctx.original_name))
        mtime = ctx.options.get("source_mtime")
        if number and mtime:
            # A number but no time in the name: estimate from the file time (the end of the call;
            # copying often resets it), flagged with low confidence. Without a number, no call is
            # invented: the recording waits for transcription.
            try:
                end = check_range(dt.datetime.fromtimestamp(float(mtime), dt.timezone.utc), mtime)
            except TimeOutOfRange:
                end = None
            if end is not None:
                ctx.warn(
                    f"{ctx.original_name}：文件名中没有通话时间，按文件修改时间（通话结束）推算，请核对 / "
                    "no time in the file name; estimated from the file's modification time, please check"
                )
                extra["recording"]["name_pattern"] = None
                yield RawEvent(
                    channel="call",
                    start=end - dt.timedelta(seconds=duration),
                    locator=locator,
                    direction="unknown",
                    source_tz=ctx.tz,
                    time_basis="file_mtime",
                    duration_s=duration,
                    counterpart_raw=number,
                    origin="recording",
                    confidence=0.5,
                    extra=extra,
                )
                return
        ctx.warn(
            f"{ctx.original_name}：无法从文件名得到号码和时间，录音已保存并排队转写 / "
            "no number or time in the file name; the recording is stored and queued for transcription"
        )
