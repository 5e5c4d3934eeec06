"""Map a character span of an extracted event's text back to the screenshot region or audio seconds.

Screenshot and recording events carry ``extra["spans"]``: ``{"start", "end", "box": [x0, y0, x1, y1]}``
per OCR line, or ``{"start", "end", "t0", "t1"}`` per speech segment. A detector's finding span
``[start, end)`` over ``Event.text`` maps to the overlapping lines/segments; within one line or
segment the position is interpolated by character (OCR lines of one font are evenly spaced; speech
is roughly so), which is what a report or the web UI needs to highlight the exact words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Region:
    start: int  # character range of the text this region shows
    end: int
    box: tuple[int, int, int, int] | None = None  # image pixels
    t0: float | None = None  # audio seconds
    t1: float | None = None


def regions_for_span(extra: dict[str, Any] | None, start: int, end: int) -> list[Region]:
    out: list[Region] = []
    for sp in (extra or {}).get("spans", []):
        s0, s1 = int(sp["start"]), int(sp["end"])
        lo, hi = max(start, s0), min(end, s1)
        if lo >= hi or s1 <= s0:
            continue
        f0, f1 = (lo - s0) / (s1 - s0), (hi - s0) / (s1 - s0)
        if "box" in sp:
            x0, y0, x1, y1 = (int(v) for v in sp["box"])
            w = x1 - x0
            out.append(Region(lo, hi, box=(x0 + round(w * f0), y0, x0 + round(w * f1), y1)))
        elif "t0" in sp:
            t0, t1 = float(sp["t0"]), float(sp["t1"])
            out.append(Region(lo, hi, t0=round(t0 + (t1 - t0) * f0, 2), t1=round(t0 + (t1 - t0) * f1, 2)))
    return out
