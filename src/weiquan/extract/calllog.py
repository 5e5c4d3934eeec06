"""Call-history lists (Android dialers, iOS Recents): one row per number, expanded by its count
(docs/sources.md#format-screen-words).

A row has a primary line (number or contact, with "(7)" when several calls are grouped), an
optional secondary line (call type 未接/呼入/呼出/拒接 with a duration, or a place/carrier) and a
right-aligned time (21:47, 昨天 21:47, 星期三, 10-28, 2026/10/20). The right-aligned times define
the rows; the left lines between two row midpoints belong to the row. With no call-type label,
a red primary line means a missed call (every common dialer paints missed calls red); otherwise
the direction is unknown (an icon the OCR cannot read).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
import re
from typing import Any

from opencc import OpenCC

from weiquan.extract.layout import Screen, close, compact, number_digits, same_row, words
from weiquan.extract.ocr import OcrLine
from weiquan.extract.timeparse import TimeToken, find_time, normalise, parse_time_text

_COUNT_RE = re.compile(r"^(?P<who>.*?)\s*[（(]\s*(?P<n>\d{1,3})\s*[)）]$")
# A SIM badge in front of the region line: "卡1", "①", "2", "主"/"副" (iOS dual SIM), "HD" (VoLTE).
_SIM_RE = re.compile(r"^\s*(?:(?P<sim>卡\s*[12]|[①②]|[12主副])(?=\s*[\u4e00-\u9fff]|\s*$)|HD(?=\s))\s*")
_CIRCLED = {"①": "1", "②": "2"}
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
    sim: str | None = None
    number_label: str | None = None  # 手机/住宅/未知 (iOS)

    @property
    def lines(self) -> list[OcrLine]:
        return [self.primary, *self.secondary, *([self.time_line] if self.time_line else [])]


def is_red(rgb: tuple[int, int, int]) -> bool:
    r, g, b = rgb
    # 1.35, not more: a red number and its grey "(12)" read as one line mix their colours
    return r > 110 and r > 1.35 * g and r > 1.35 * b


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
    # pieces further right on a left line's row (a lighter "(12)" run after a long number)
    lefts += [
        ln
        for ln in scr.content
        if id(ln) not in time_ids
        and ln.x0 >= 0.5 * scr.w
        and not parse_time_text(ln.text)
        and any(same_row(ln, lf) and ln.x0 > lf.x1 for lf in lefts)
    ]
    centres = [t.cy for t in times]
    pitch = (centres[-1] - centres[0]) / (len(centres) - 1) if len(centres) > 1 else 3.0 * times[0].height * 2
    rows: list[CallRowParse] = []
    for i, t in enumerate(times):
        top = (centres[i - 1] + t.cy) / 2 if i else t.cy - pitch / 2
        bottom = (t.cy + centres[i + 1]) / 2 if i + 1 < len(times) else t.cy + pitch / 2
        mine = merge_runs([ln for ln in lefts if top <= ln.cy < bottom])
        if not mine:
            continue
        row = CallRowParse(primary=mine[0], secondary=mine[1:], time_line=t, time=parse_time_text(t.text))
        _fill(row)
        rows.append(row)
    return rows


@cache
def _opencc() -> Any:
    return OpenCC("t2s")


def _t2s(text: str) -> str:
    """Region names in simplified characters (the OCR model sometimes answers 電信 for 电信)."""
    return str(_opencc().convert(text))


def merge_runs(lines: list[OcrLine]) -> list[OcrLine]:
    """Join the pieces OCR returns for one visual line (a number and its lighter "(12)" run), top to
    bottom; drop an avatar's initial (a lone character left of the row's text, on the avatar's colour)."""
    groups: list[list[OcrLine]] = []
    for ln in sorted(lines, key=lambda x: (x.y0, x.x0)):
        g = next((g for g in groups if any(same_row(ln, o) for o in g)), None)
        if g is None:
            groups.append([ln])
        else:
            g.append(ln)
    out = []
    for g in groups:
        g.sort(key=lambda x: x.x0)
        if len(g) > 1 and len(g[0].text.strip()) == 1 and not close(g[0].bg, g[1].bg):
            g = g[1:]
        if len(g) == 1:
            out.append(g[0])
            continue
        box = (g[0].x0, min(x.y0 for x in g), max(x.x1 for x in g), max(x.y1 for x in g))
        out.append(
            OcrLine(
                text=" ".join(x.text.strip() for x in g),
                box=box,
                score=min(x.score for x in g),
                ink=g[0].ink,
                bg=g[0].bg,
            )
        )
    if len(out) > 1 and len(out[0].text.strip()) == 1 and not close(out[0].bg, out[1].bg):
        out = out[1:]  # the avatar's initial on a row of its own
    return out


def split_badge(text: str) -> tuple[str | None, str]:
    """("1"|"2"|"主"|"副"|None, the rest) of a secondary line."""
    m = _SIM_RE.match(text)
    if not m or not m.group(0).strip():
        return None, text
    sim = m["sim"]
    if sim:
        sim = _CIRCLED.get(sim, sim.replace("卡", "").strip())
    return sim, text[m.end() :]


def _misread_badge(text: str) -> tuple[str | None, str]:
    """A badge read as some other character ("国北京移动", "圓手机"): one character in front of a
    region or a number label, which together with the next character starts no region name."""
    w = words()
    t = compact(text)
    if len(t) < 3 or not re.match(r"[\u4e00-\u9fff]", t):
        return None, text
    rest = t[1:]
    starts_region = any(rest.startswith(r) for r in w.region_starts) or rest in w.number_labels
    if starts_region and not any(t.startswith(r) for r in w.region_starts):
        return (t[0] if t[0] in "主副" else "?"), text.strip()[1:]
    return None, text


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
        if row.number is None and (d := number_digits(ln.text)):
            row.number = d
            continue
        sim, rest = split_badge(ln.text.strip())
        if sim is None:
            sim, rest = _misread_badge(rest)
        row.sim = row.sim or sim
        ft = find_time(rest)
        if row.time is None and ft:
            row.time = ft[0]
        if ft:  # the time inside a longer line is not part of the region
            norm = normalise(rest)
            rest = norm[: ft[1][0]] + norm[ft[1][1] :]
        text = compact(rest)
        found = next(((direction, kw) for direction, kws in labels for kw in kws if kw in text), None)
        if found and row.label is None:
            row.direction, row.label = found
            row.duration_s = _duration(text)
            rest = _DURATION_RE.sub(
                lambda m: " " if any(m.group(k) for k in ("h", "m", "s")) else m.group(0),
                rest.replace(found[1], " ", 1),
            )
        rest = re.sub(r"\s+", " ", rest).strip(" ·|,，")
        if compact(rest) in words().number_labels:
            row.number_label, rest = compact(rest), ""
        if rest and row.region is None and re.search(r"[\u4e00-\u9fff]", rest):
            row.region = _t2s(rest)
    if row.label is None and is_red(row.primary.ink):
        row.direction = "missed"
    if row.direction not in ("incoming", "outgoing"):
        row.duration_s = None  # "响铃5秒" on a missed call is ringing time, not a call
