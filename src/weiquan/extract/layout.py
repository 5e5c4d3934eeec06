"""Screen geometry shared by the layout parsers: status bar, title, content, input bar.

All thresholds are fractions of the screen *width*: phone UIs are laid out in density-independent
units, so a toolbar is about the same fraction of the width on a 720 px and a 1440 px screen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from weiquan.extract.ocr import OcrLine, OcrPage
from weiquan.extract.timeparse import parse_time_text

_NOISE = {"<", "←", "〈", "+", "⊕", "…", "...", "↑", "ⓘ", "i", "0", "o", "O"}
_STATUS_RE = re.compile(r"^[\dA-Za-z .:%·|/-]{1,12}$")
_NUMBER_RE = re.compile(r"^\+?[\d\s\-()（）]{3,24}$")


@dataclass(frozen=True)
class Words:
    chrome: frozenset[str]
    call_titles: frozenset[str]
    sms_markers: tuple[str, ...]
    call_labels: tuple[tuple[str, tuple[str, ...]], ...]
    app_packages: dict[str, str]
    number_labels: frozenset[str] = frozenset()
    region_starts: tuple[str, ...] = ()


@cache
def words() -> Words:
    raw: dict[str, Any] = yaml.safe_load(
        resources.files("weiquan.extract").joinpath("data/screen_words.yaml").read_text("utf-8")
    )
    return Words(
        chrome=frozenset(raw["chrome"]),
        call_titles=frozenset(raw["call_titles"]),
        sms_markers=tuple(raw["sms_markers"]),
        call_labels=tuple((k, tuple(v)) for k, v in raw["call_labels"].items()),
        app_packages={**raw["app_packages"], **raw.get("name_markers", {})},
        number_labels=frozenset(raw.get("number_labels", [])),
        region_starts=tuple(raw.get("region_starts", [])),
    )


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def is_noise(ln: OcrLine) -> bool:
    t = ln.text.strip()
    return not t or t in _NOISE or (ln.score < 0.7 and len(t) <= 2)


def number_digits(text: str) -> str | None:
    """Digits of a displayed phone number ("+86 171 2345 6789" → "17123456789"), else None."""
    t = text.strip()
    if not _NUMBER_RE.match(t):
        return None
    d = re.sub(r"\D", "", t)
    if t.startswith("+86") or (t.startswith("0086") and len(d) >= 13):
        d = d[2:] if t.startswith("+") else d[4:]
    return d if len(d) >= 3 else None


def same_row(a: OcrLine, b: OcrLine) -> bool:
    """Two boxes on one visual line (they overlap over half the smaller height)."""
    overlap = min(a.y1, b.y1) - max(a.y0, b.y0)
    return overlap > 0.5 * min(a.height, b.height)


def join_text(left: str, right: str) -> str:
    """Texts of two pieces of one line: a space only between two Latin letters/digits."""
    a, b = left.rstrip(), right.lstrip()
    sep = " " if a[-1:].isascii() and a[-1:].isalnum() and b[:1].isascii() and b[:1].isalnum() else ""
    return a + sep + b


def saturated(rgb: tuple[int, int, int]) -> bool:
    hi, lo = max(rgb), min(rgb)
    return hi > 60 and (hi - lo) / hi > 0.3


def close(a: tuple[int, int, int], b: tuple[int, int, int], tol: int = 40) -> bool:
    return sum(abs(x - y) for x, y in zip(a, b)) <= tol


@dataclass
class Screen:
    """An OCR page split into its parts."""

    page: OcrPage
    title: OcrLine | None = None
    subtitles: list[OcrLine] = field(default_factory=list)
    header: list[OcrLine] = field(default_factory=list)  # title, subtitles, tabs
    content: list[OcrLine] = field(default_factory=list)
    dropped: list[OcrLine] = field(default_factory=list)  # status bar, input bar, icons

    @property
    def w(self) -> int:
        return self.page.width

    @property
    def h(self) -> int:
        return self.page.height

    def centred(self, ln: OcrLine, tol: float = 0.1) -> bool:
        return abs(ln.cx - self.w / 2) < tol * self.w

    def is_time_line(self, ln: OcrLine) -> bool:
        return parse_time_text(ln.text) is not None


def split(page: OcrPage) -> Screen:
    """Find the status bar (first row: a clock, battery, signal), the title bar and the input bar."""
    w, h = page.width, page.height
    lines = sorted(page.lines, key=lambda ln: (ln.y0, ln.x0))
    scr = Screen(page=page)
    kept: list[OcrLine] = []
    for ln in lines:
        if is_noise(ln):
            scr.dropped.append(ln)
        else:
            kept.append(ln)
    # Status bar: lines in the first row near the top that look like a clock/battery/signal.
    if kept:
        top = kept[0].y0
        first_row = [ln for ln in kept if ln.y0 < top + 0.035 * w and ln.y1 < 0.14 * w]
        if any(parse_time_text(ln.text) or "%" in ln.text for ln in first_row) and all(
            _STATUS_RE.match(ln.text.strip()) for ln in first_row
        ):
            for ln in first_row:
                kept.remove(ln)
                scr.dropped.append(ln)
    # Input bar: short or chrome lines in the bottom band.
    chrome = words().chrome
    bottom = h - 0.16 * w
    body: list[OcrLine] = []
    for ln in kept:
        # input-bar words sit a little higher on phones with a gesture bar under the input bar
        if (ln.y0 > bottom and len(ln.text.strip()) <= 2) or (ln.y0 > h - 0.22 * w and compact(ln.text) in chrome):
            scr.dropped.append(ln)
        else:
            body.append(ln)
    # Title: the tallest line in the top band (the toolbar); its subtitles sit right under it.
    top_band = [ln for ln in body if ln.y0 < 0.3 * w and not parse_time_text(ln.text)]
    below_status = [ln for ln in top_band if ln.y1 >= 0.09 * w]
    if below_status or top_band:
        title = (below_status or top_band)[0]
        scr.title = title
        header_bottom = title.y1
        # a line sharing its height with a right-aligned time is a list row (a call), never a subtitle
        row_times = [ln for ln in body if ln.x0 > 0.45 * w and parse_time_text(ln.text)]
        for ln in body:
            if ln is title or ln.y0 < title.y0 - 0.02 * w:
                continue
            if any(min(ln.y1, t.y1) > max(ln.y0, t.y0) for t in row_times if t is not ln):
                break
            near = ln.y0 < header_bottom + 0.9 * title.height and ln.height < title.height * 1.05
            if ln.y0 >= title.y0 - 0.01 * w and near and not parse_time_text(ln.text):
                scr.subtitles.append(ln)
                header_bottom = max(header_bottom, ln.y1)
        tabs = [ln for ln in body if header_bottom <= ln.y0 < header_bottom + 0.2 * w and compact(ln.text) in chrome]
        scr.header = [title, *scr.subtitles, *tabs]
    head_ids = {id(x) for x in scr.header}
    scr.content = [ln for ln in body if id(ln) not in head_ids and (scr.title is None or ln.y0 > scr.title.y0)]
    above = [ln for ln in body if id(ln) not in head_ids and scr.title is not None and ln.y0 <= scr.title.y0]
    scr.dropped.extend(above)
    return scr


def app_hint(names: list[str]) -> str | None:
    """wechat|qq|sms|calls from an Android screenshot file name carrying the app package."""
    pk = words().app_packages
    for n in names:
        for package, app in pk.items():
            if package in n:
                return app
    return None
