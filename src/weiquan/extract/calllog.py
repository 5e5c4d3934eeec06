"""Call-history lists (Android dialers, iOS Recents): one row per number, expanded by its count.

A row has a primary line (number or contact, with "(7)" when several calls are grouped), an
optional secondary line (call type 未接/呼入/呼出/拒接 with a duration, or a place/carrier) and a
right-aligned time (21:47, 昨天 21:47, 星期三, 10-28, 2026/10/20). The right-aligned times define
the rows; the left lines between two row midpoints belong to the row. With no call-type label,
a red primary line means a missed call (every common dialer paints missed calls red); otherwise
the direction is unknown (an icon the OCR cannot read).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from weiquan.extract.layout import Screen, compact, number_digits, words
from weiquan.extract.ocr import OcrLine
from weiquan.extract.timeparse import TimeToken, find_time, parse_time_text

_COUNT_RE = re.compile(r"^(?P<who>.*?)\s*[（(]\s*(?P<n>\d{1,3})\s*[)）]$")
_DURATION_RE = re.compile(r"(?:(?P<h>\d+)\s*(?:小时|时))?\s*(?:(?P<m>\d+)\s*分钟?)?\s*(?:(?P<s>\d+)\s*秒)?")
MAX_COUNT = 99


@dataclass
class CallRowParse:
    primary: OcrLine
    secondary: list[OcrLine] = field(default_factory=list)
    time_line: OcrLine | None = None
    time: TimeToken | None = None
    who: str = ""
    number: str | None = None
    name: str | None = None
    count: int = 1
    direction: str = "unknown"
    duration_s: int | None = None
    region: str | None = None
    label: str | None = None

    @property
    def lines(self) -> list[OcrLine]:
        return [self.primary, *self.secondary, *([self.time_line] if self.time_line else [])]


def is_red(rgb: tuple[int, int, int]) -> bool:
    r, g, b = rgb
    return r > 110 and r > 1.6 * g and r > 1.6 * b


def _duration(text: str) -> int | None:
    for m in _DURATION_RE.finditer(text):
        if m.group(0).strip() and any(m.group(k) for k in ("h", "m", "s")):
            return int(m["h"] or 0) * 3600 + int(m["m"] or 0) * 60 + int(m["s"] or 0)
    return None


def right_times(scr: Screen) -> list[OcrLine]:
    return [ln for ln in scr.content if ln.x1 > 0.7 * scr.w and ln.x0 > 0.45 * scr.w and parse_time_text(ln.text)]


def looks_like_call_list(scr: Screen) -> bool:
    """Right-aligned times that share their row with a left-aligned line (not a bubble's time)."""
    times = right_times(scr)
    if not times:
        return False
    lefts = [ln for ln in scr.content if ln.x0 < 0.3 * scr.w]
    on_row = [t for t in times if any(lf.y0 - 0.6 * lf.height < t.cy < lf.y1 + 0.6 * lf.height for lf in lefts)]
    title = compact(scr.title.text) if scr.title else ""
    if title in words().call_titles:
        return len(on_row) >= 1
    return len(on_row) >= 2 and len(on_row) >= 0.6 * len(times)


def parse(scr: Screen) -> list[CallRowParse]:
    times = right_times(scr)
    if not times:
        return []
    time_ids = {id(t) for t in times}
    lefts = [ln for ln in scr.content if id(ln) not in time_ids and ln.x0 < 0.5 * scr.w]
    centres = [t.cy for t in times]
    pitch = (centres[-1] - centres[0]) / (len(centres) - 1) if len(centres) > 1 else 3.0 * times[0].height * 2
    rows: list[CallRowParse] = []
    for i, t in enumerate(times):
        top = (centres[i - 1] + t.cy) / 2 if i else t.cy - pitch / 2
        bottom = (t.cy + centres[i + 1]) / 2 if i + 1 < len(times) else t.cy + pitch / 2
        mine = sorted((ln for ln in lefts if top <= ln.cy < bottom), key=lambda ln: ln.y0)
        if not mine:
            continue
        row = CallRowParse(primary=mine[0], secondary=mine[1:], time_line=t, time=parse_time_text(t.text))
        _fill(row)
        rows.append(row)
    return rows


def _fill(row: CallRowParse) -> None:
    who = row.primary.text.strip()
    m = _COUNT_RE.match(who)
    if m:
        who, row.count = m["who"].strip(), max(1, min(MAX_COUNT, int(m["n"])))
    row.who = who
    row.number = number_digits(who)
    if row.number is None:
        row.name = who
    labels = words().call_labels
    for ln in row.secondary:
        text = compact(ln.text)
        if row.number is None and (d := number_digits(ln.text)):
            row.number = d
            continue
        found = next(((direction, kw) for direction, kws in labels for kw in kws if kw in text), None)
        if found and row.label is None:
            row.direction, row.label = found
            row.duration_s = _duration(text)
        elif row.region is None:
            row.region = ln.text.strip()
        if row.time is None and (ft := find_time(ln.text)):
            row.time = ft[0]
    if row.label is None and is_red(row.primary.ink):
        row.direction = "missed"
    if row.direction not in ("incoming", "outgoing"):
        row.duration_s = None  # "响铃5秒" on a missed call is ringing time, not a call
