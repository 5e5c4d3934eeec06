"""Manual entries as JSON, the tool's own format (docs/ingest.md): one entry (what ``weiquan add-event`` stores in
the vault) or a list.

``{"type": "weiquan_manual_events", "events": [{"channel": "call", "time": "2024-03-05 22:40",
"number": "…", "text": "…", "recipient": "relative", "recipient_name": "母亲"}, …]}``
Times are local wall-clock text in the import time zone (or ``tz`` per entry).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from weiquan.ingest.base import ImportContext, Importer, ParseError, Probe, RawEvent
from weiquan.ingest.timeutil import TimeOutOfRange, from_wallclock
from weiquan.zh.labels import CHANNELS, DIRECTIONS, RECIPIENTS

MARKERS = (b'"weiquan_manual_events"', b'"manual_event"')
MAX_BYTES = 20 << 20


class ManualJson(Importer):
    name = "manual_json"
    label_zh = "手动记录（JSON）"
    description = "手动记录（JSON）"

    def detect(self, probe: Probe) -> float:
        head = probe.head.lstrip(b"\xef\xbb\xbf \r\n\t")
        return 0.9 if head.startswith(b"{") and any(m in probe.head for m in MARKERS) else 0.0

    def parse(self, ctx: ImportContext) -> Iterator[RawEvent]:
        if ctx.path.stat().st_size > MAX_BYTES:
            raise ParseError(
                f"{ctx.original_name}：手动记录文件过大", f"{ctx.original_name}: manual-entry file too large"
            )
        try:
            doc = json.loads(ctx.path.read_text("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise ParseError(
                f"{ctx.original_name}：JSON 格式错误", f"{ctx.original_name}: invalid JSON ({e})"
            ) from None
        entries: list[Any] = doc.get("events", []) if doc.get("type") == "weiquan_manual_events" else [doc]
        for i, e in enumerate(entries, start=1):
            locator = f"events[{i}]" if doc.get("type") == "weiquan_manual_events" else "manual-entry"
            ev = self._event(ctx, e, locator)
            if ev is not None:
                yield ev

    @staticmethod
    def _event(ctx: ImportContext, e: Any, locator: str) -> RawEvent | None:
        if not isinstance(e, dict):
            ctx.reject(locator, "不是对象", "not an object")
            return None
        channel, direction = e.get("channel", "other"), e.get("direction", "incoming")
        recipient = e.get("recipient", "borrower")
        if channel not in CHANNELS or direction not in DIRECTIONS or recipient not in RECIPIENTS:
            ctx.reject(locator, "渠道/方向/对象取值无效", "invalid channel, direction or recipient")
            return None
        tz = e.get("tz") or ctx.tz
        wall = str(e.get("time") or "")
        try:
            start = from_wallclock(wall, tz)
        except TimeOutOfRange:
            ctx.reject_time(locator, wall)
            return None
        except ValueError:
            ctx.reject(locator, f"无法识别的时间（{wall[:40]}）", f"unrecognised time ({wall[:40]})")
            return None
        text, note = e.get("text"), e.get("note")
        duration = e.get("duration_s")
        return RawEvent(
            channel=channel,
            start=start,
            locator=locator,
            direction=direction,
            source_tz=tz,
            time_basis="manual",
            wallclock_text=wall,
            duration_s=float(duration) if isinstance(duration, (int, float)) else None,
            counterpart_raw=e.get("number"),
            counterpart_name=e.get("name"),
            text=text if text is not None else note,
            recipient=recipient,
            recipient_name=e.get("recipient_name"),
            origin="manual",
            extra={"note": note} if note and text else {},
        )
