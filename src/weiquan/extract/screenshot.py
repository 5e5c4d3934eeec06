"""Screenshot extractor: OCR once per image, then parse the screen layout into timeline events.

Layouts: ``sms`` (Android skins, iOS), ``chat`` (WeChat, QQ), ``calls`` (call history); anything
else becomes one ``other`` event holding the screen's text ("screenshot text"), so nothing is lost.
Times without a year or relative to "today" are resolved against the capture time (file name,
EXIF, a date in the status bar, else the import time — then flagged ``needs_review`` and
``date_unconfirmed``: the date is a proposal the user must confirm, see services.dates).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from weiquan.extract import calllog, conversation
from weiquan.extract.anchor import CaptureTime, capture_time
from weiquan.extract.base import ExtractContext, Extractor
from weiquan.extract.layout import Screen, app_hint, compact, number_digits, split, words
from weiquan.extract.ocr import ENGINE_ID, OcrEngine, OcrLine, OcrPage
from weiquan.extract.timeparse import ResolvedTime, TimeToken, resolve
from weiquan.ingest.base import RawEvent
from weiquan.ingest.timeutil import localize

log = logging.getLogger(__name__)
PARSER_VERSION = "1"


def _union(lines: list[OcrLine]) -> list[int]:
    return [
        min(ln.x0 for ln in lines),
        min(ln.y0 for ln in lines),
        max(ln.x1 for ln in lines),
        max(ln.y1 for ln in lines),
    ]


def _conf(lines: list[OcrLine]) -> float:
    return round(min(ln.score for ln in lines), 4) if lines else 0.0


class _Builder:
    """Turns parsed screen parts into RawEvents with times, boxes and provenance."""

    def __init__(self, ctx: ExtractContext, scr: Screen, cap: CaptureTime, layout: str) -> None:
        self.ctx, self.scr, self.cap, self.layout = ctx, scr, cap, layout

    def when(self, tok: TimeToken | None, base: TimeToken | None = None) -> tuple[dt.datetime, dict[str, Any], str]:
        """Resolve ``tok``; a bare time under a dated separator (``base``) takes the separator's day."""
        res: ResolvedTime | None = resolve(tok, self.cap.local) if tok is not None else None
        if tok is not None and res is not None and not tok.has_date and base is not None and base.has_date:
            day = resolve(base, self.cap.local)
            if day is not None:
                local = dt.datetime.combine(day.local.date(), res.local.time())
                if day.precision != "day" and local < day.local - dt.timedelta(hours=1):
                    local += dt.timedelta(days=1)  # the conversation went past midnight
                res = ResolvedTime(local, res.precision, day.inferred)
        info: dict[str, Any] = {"anchor_basis": self.cap.basis, "anchor": self.cap.local.isoformat(sep=" ")}
        if res is None:
            info.update(time_precision="capture", inferred=["date", "time"], needs_review=True)
            if self.cap.flagged:
                info["date_unconfirmed"] = True
            return localize(self.cap.local, self.ctx.tz), info, "screenshot_capture_time"
        info.update(time_precision=res.precision, inferred=res.inferred)
        if res.inferred and self.cap.flagged:
            info.update(needs_review=True, date_unconfirmed=True)
        return localize(res.local, self.ctx.tz), info, "inferred_from_screenshot"

    def event(
        self,
        *,
        channel: str,
        direction: str,
        tok: TimeToken | None,
        lines: list[OcrLine],
        locator: str,
        base: TimeToken | None = None,
        text: str | None,
        spans: list[dict[str, Any]] | None = None,
        counterpart_raw: str | None = None,
        counterpart_name: str | None = None,
        duration_s: float | None = None,
        extra: dict[str, Any] | None = None,
        time_lines: list[OcrLine] | None = None,
    ) -> RawEvent:
        start, info, basis = self.when(tok, base)
        boxes = [list(ln.box) for ln in lines]
        ev_extra: dict[str, Any] = {
            "layout": self.layout,
            "image_sha256": self.ctx.sha256,
            "boxes": boxes,
            "spans": spans or [],
            "ocr_confidence": _conf(lines),
            **info,
            **(extra or {}),
        }
        if time_lines:
            ev_extra["time_boxes"] = [list(ln.box) for ln in time_lines]
        return RawEvent(
            channel=channel,
            direction=direction,
            start=start,
            locator=f"{locator}@{','.join(map(str, _union(lines)))}",
            source_tz=self.ctx.tz,
            time_basis=basis,
            wallclock_text=tok.text if tok else None,
            duration_s=duration_s,
            counterpart_raw=counterpart_raw,
            counterpart_name=counterpart_name,
            text=text,
            origin="screenshot",
            confidence=_conf(lines),
            raw={"layout": self.layout, "boxes": boxes, "spans": spans or [], "time_text": tok.text if tok else None},
            extra=ev_extra,
        )


def classify(scr: Screen, hint: str | None) -> str:
    """calls|sms|chat|other."""
    if hint == "calls" or calllog.looks_like_call_list(scr):
        if calllog.parse(scr):
            return "calls"
    conv = conversation.parse(scr)
    if not conv.bubbles or not (conv.separators or any(b.own for b in conv.bubbles)):
        return "other"
    if hint in ("wechat", "qq"):
        return "chat"
    if hint == "sms":
        return "sms"
    title = scr.title.text if scr.title else ""
    marks = words().sms_markers
    if number_digits(title) or any(any(m in compact(s.text) for m in marks) for s in scr.subtitles):
        return "sms"
    ins = [b for b in conv.bubbles if b.side == "in"]
    if ins and min(b.box[0] for b in ins) > 0.12 * scr.w:  # received bubbles pushed right by an avatar
        return "chat"
    return "sms"


def _who(scr: Screen) -> tuple[str | None, str | None]:
    """(displayed number, contact name) from the title bar."""
    if scr.title is None:
        return None, None
    title = scr.title.text.strip()
    if number_digits(title):
        return title, None
    for s in scr.subtitles:
        if number_digits(s.text) and len(number_digits(s.text) or "") >= 5:
            return s.text.strip(), title
    return None, title


def conversation_events(b: _Builder, channel: str, app: str | None) -> list[RawEvent]:
    conv = conversation.parse(b.scr)
    number, name = _who(b.scr)
    out = []
    for i, bub in enumerate(conv.bubbles):
        text, spans = bub.text_and_spans()
        time_lines = [x for x in (bub.own_line, bub.sep_line) if x is not None][:1]
        extra: dict[str, Any] = {"app": app} if app else {}
        if bub.kind == "voice":
            extra.update(message_kind="voice", voice_s=bub.voice_s)
        elif bub.kind == "recall":
            extra.update(message_kind="recalled")
        if bub.sender:
            extra["group_title"] = name
        if bub.before_first_separator and bub.own is None:
            extra.update(time_estimated="before_next_separator", needs_review=True)
        out.append(
            b.event(
                channel=channel,
                direction="incoming" if bub.side == "in" else "outgoing",
                tok=bub.time,
                base=bub.sep if bub.own is not None else None,
                lines=bub.lines,
                locator=f"{b.layout}/bubble[{i}]",
                text=text,
                spans=spans,
                counterpart_raw=number,
                counterpart_name=bub.sender or name,
                extra=extra,
                time_lines=time_lines,
            )
        )
    return out


def call_events(b: _Builder) -> list[RawEvent]:
    out = []
    for i, row in enumerate(calllog.parse(b.scr)):
        for k in range(row.count):
            extra: dict[str, Any] = {"row_count": row.count}
            if row.label:
                extra["call_label"] = row.label
            if row.region:
                extra["screen_region"] = row.region
            if row.sim:
                extra["sim"] = row.sim
            if row.number_label:
                extra["number_label"] = row.number_label
            if row.count > 1:
                # the list shows only the latest call of a group; earlier ones have no time of their own
                extra.update(count_index=k + 1, time_is_latest_of_group=True)
            out.append(
                b.event(
                    channel="call",
                    direction=row.direction,
                    tok=row.time,
                    lines=row.lines,
                    locator=f"calls/row[{i}]" + (f"#{k + 1}" if row.count > 1 else ""),
                    text=None,
                    counterpart_raw=row.who if row.number else None,
                    counterpart_name=row.name,
                    duration_s=float(row.duration_s) if row.duration_s is not None else None,
                    extra=extra,
                    time_lines=[row.time_line] if row.time_line else None,
                )
            )
    return out


def other_event(b: _Builder) -> list[RawEvent]:
    lines = [ln for ln in (*b.scr.header, *b.scr.content)]
    lines.sort(key=lambda ln: (ln.y0, ln.x0))
    if not lines:
        return []
    text, spans = "", []
    for ln in lines:
        if text:
            text += "\n"
        spans.append({"start": len(text), "end": len(text) + len(ln.text.strip()), "box": list(ln.box)})
        text += ln.text.strip()
    return [
        b.event(
            channel="other",
            direction="unknown",
            tok=None,
            lines=lines,
            locator="screen",
            text=text,
            spans=spans,
            extra={"screenshot_text": True},
        )
    ]


def page_events(page: OcrPage, ctx: ExtractContext) -> list[RawEvent]:
    """Events of one OCR'd screenshot for one case."""
    scr = split(page)
    hint = app_hint(ctx.names)
    layout = classify(scr, hint)
    status_bar = [ln.text for ln in page.lines if ln.y0 < 0.05 * page.width and ln.y1 < 0.11 * page.width]
    cap = capture_time(ctx.names, ctx.path, ctx.imported_at, ctx.tz, status_bar)
    if layout == "calls":
        return call_events(_Builder(ctx, scr, cap, "calls"))
    if layout in ("sms", "chat"):
        app = hint if hint in ("wechat", "qq") else None
        return conversation_events(_Builder(ctx, scr, cap, layout), layout, app)
    return other_event(_Builder(ctx, scr, cap, "other"))


class ScreenshotExtractor(Extractor):
    kind = "ocr"
    name = "screenshot"
    label_zh = "截图"  # the format of a file this extractor read, in words
    version = PARSER_VERSION
    media_prefixes = ("image/",)

    def __init__(self) -> None:
        self._engine: OcrEngine | None = None
        self._threads: int | None = None

    @property
    def engine_id(self) -> str:
        return ENGINE_ID

    def prepare(self, threads: int | None = None) -> None:
        self._threads = threads
        if self._engine is None:
            self._engine = OcrEngine(threads=threads)

    def compute(self, path: Path) -> dict[str, Any]:
        if self._engine is None:
            self.prepare(self._threads)
        assert self._engine is not None
        return self._engine.read(path).to_json()

    def events(self, result: dict[str, Any], ctx: ExtractContext) -> list[RawEvent]:
        return page_events(OcrPage.from_json(result), ctx)

    def __getstate__(self) -> dict[str, Any]:  # the engine is per process, never pickled
        return {"_engine": None, "_threads": self._threads}
