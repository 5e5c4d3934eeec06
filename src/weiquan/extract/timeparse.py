"""Tolerant parsing of the date/time strings seen on phone screens, and anchoring to a capture time.

Phone screens show times without a year and in relative forms (``21:47``, ``昨天 21:47``,
``星期三``, ``10-28``, ``10月30日 下午3:25``, ``2025年6月3日 星期二 21:47``), and OCR drops the
space between date and time (``2025-06-0321:47``). :func:`parse_time_text` turns such a string
into a :class:`TimeToken` (what the screen states) and :func:`resolve` turns a token into a
wall-clock datetime given the moment the screenshot was taken (the *anchor*), reporting the
precision and whether the year/day had to be inferred.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_REL_DAYS = {"今天": 0, "昨天": 1, "前天": 2}
# Misreadings of the relative-day words by the OCR model on small grey text (天 → 矢/夭).
_OCR_CONFUSIONS = {"昨矢": "昨天", "昨夭": "昨天", "咋天": "昨天", "前矢": "前天", "前夭": "前天"}
_PERIODS = ("凌晨", "早上", "上午", "中午", "下午", "傍晚", "晚上")

_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_HOUR = r"(?:[01]?\d|2[0-3])"
_TIME = rf"(?P<period>{'|'.join(_PERIODS)})?\s*(?P<hour>{_HOUR})\s*[:：]\s*(?P<minute>[0-5]\d)(?:\s*[:：]\s*(?P<second>[0-5]\d))?"
_WEEKDAY = r"(?:星期|周|礼拜)(?P<weekday>[一二三四五六日天])"
_DATE_FULL = rf"(?P<year>(?:19|20)\d\d)\s*[-/.年]\s*(?P<month>{_MONTH})\s*[-/.月]\s*(?P<day>{_DAY})\s*日?"
_DATE_MD_CN = rf"(?P<month>{_MONTH})\s*月\s*(?P<day>{_DAY})\s*日?"
_DATE_MD = rf"(?P<month>{_MONTH})\s*[-/]\s*(?P<day>{_DAY})"
_REL = r"(?P<rel>今天|昨天|前天)"

_DATE_ALTS = (_DATE_FULL, _DATE_MD_CN, _DATE_MD, _REL, _WEEKDAY)


def _compile() -> list[re.Pattern[str]]:
    pats = []
    for date in _DATE_ALTS:
        # date, optional weekday (after a full/month-day date), optional time
        wd = "" if date in (_WEEKDAY, _REL) else rf"(?:\s*[（(]?{_WEEKDAY.replace('weekday', 'weekday2')}[）)]?)?"
        pats.append(re.compile(rf"^{date}{wd}(?:\s*{_TIME})?$"))
    pats.append(re.compile(rf"^{_TIME}$"))
    return pats


_PATTERNS = _compile()
# A time somewhere inside a longer line (call-history rows: "呼入 2分钟 昨天21:47").
_SEARCH = [re.compile(p.pattern.strip("^$")) for p in _PATTERNS]


@dataclass(frozen=True)
class TimeToken:
    """What a screen states about a time; any part may be missing."""

    text: str
    year: int | None = None
    month: int | None = None
    day: int | None = None
    rel_days: int | None = None  # 0 today, 1 yesterday, 2 the day before
    weekday: int | None = None  # 0 Monday … 6 Sunday
    hour: int | None = None
    minute: int | None = None
    second: int | None = None

    @property
    def has_time(self) -> bool:
        return self.hour is not None

    @property
    def has_date(self) -> bool:
        return self.month is not None or self.rel_days is not None or self.weekday is not None


@dataclass(frozen=True)
class ResolvedTime:
    local: dt.datetime  # naive wall-clock time in the source time zone
    precision: str  # second|minute|day
    inferred: list[str]  # which parts came from the anchor: year, date


def normalise(text: str) -> str:
    """NFKC (full-width digits and colons to ASCII) and collapse spaces."""
    t = unicodedata.normalize("NFKC", text)
    for wrong, right in _OCR_CONFUSIONS.items():
        t = t.replace(wrong, right)
    t = re.sub(r"(星期|周|礼拜)[-—ー_‐]", r"\1一", t)  # 一 is a single stroke: OCR often answers a dash
    return re.sub(r"\s+", " ", t).strip()


def _hour24(period: str | None, hour: int) -> int:
    if period in ("下午", "傍晚", "晚上") and hour < 12:
        return hour + 12
    if period == "中午" and hour < 11:
        return hour + 12
    if period in ("凌晨", "早上", "上午") and hour == 12:
        return 0  # "上午12:25" is 00:25
    return hour


def _token(m: re.Match[str], text: str) -> TimeToken:
    g = m.groupdict()
    hour = int(g["hour"]) if g.get("hour") else None
    if hour is not None:
        hour = _hour24(g.get("period"), hour)
    wd = g.get("weekday") or g.get("weekday2")
    return TimeToken(
        text=text,
        year=int(g["year"]) if g.get("year") else None,
        month=int(g["month"]) if g.get("month") else None,
        day=int(g["day"]) if g.get("day") else None,
        rel_days=_REL_DAYS[g["rel"]] if g.get("rel") else None,
        weekday=_WEEKDAYS[wd] if wd else None,
        hour=hour,
        minute=int(g["minute"]) if g.get("minute") else None,
        second=int(g["second"]) if g.get("second") else None,
    )


def parse_time_text(text: str) -> TimeToken | None:
    """Parse a string that is *only* a date/time (a separator line, a call-list time); else None."""
    t = normalise(text)
    if not t or len(t) > 40:
        return None
    for pat in _PATTERNS:
        m = pat.match(t)
        if m:
            tok = _token(m, t)
            if tok.year is not None and tok.month is not None and tok.day is not None:
                try:
                    dt.date(tok.year, tok.month, tok.day)
                except ValueError:
                    continue
            return tok
    return None


def find_time(text: str) -> tuple[TimeToken, tuple[int, int]] | None:
    """The last date/time inside a longer line, with its span in the normalised text."""
    t = normalise(text)
    best: tuple[TimeToken, tuple[int, int]] | None = None
    for pat in _SEARCH:
        for m in pat.finditer(t):
            tok = _token(m, m.group(0))
            if not (tok.has_time or tok.has_date):
                continue
            length = m.end() - m.start()
            if best is None or (length, m.start()) > (best[1][1] - best[1][0], best[1][0]):
                best = (tok, (m.start(), m.end()))
    return best


def resolve(tok: TimeToken, anchor: dt.datetime) -> ResolvedTime | None:
    """Wall-clock time of ``tok`` for a screenshot taken at ``anchor`` (naive local wall-clock).

    Rules: a time alone is on the anchor's day (the day before if that would be after the
    anchor); 昨天/前天 count back from the anchor; a weekday is the latest such day before the
    anchor's day (a screen shows "today" as a bare time); a month-day without a year takes the
    anchor's year, or the previous year if that would be after the anchor.
    """
    inferred: list[str] = []
    anchor_day = anchor.date()
    if tok.year is not None and tok.month is not None and tok.day is not None:
        day = dt.date(tok.year, tok.month, tok.day)
    elif tok.month is not None and tok.day is not None:
        inferred.append("year")
        try:
            day = dt.date(anchor.year, tok.month, tok.day)
        except ValueError:  # 2-29 in a non-leap anchor year
            day = dt.date(anchor.year - 1, tok.month, tok.day) if _leap(anchor.year - 1) else None  # type: ignore[assignment]  # None when that day does not exist in the year
            if day is None:
                return None
        if day > anchor_day:
            try:
                day = day.replace(year=day.year - 1)
            except ValueError:
                return None
    elif tok.rel_days is not None:
        inferred.append("date")
        day = anchor_day - dt.timedelta(days=tok.rel_days)
    elif tok.weekday is not None:
        inferred.append("date")
        back = (anchor_day.weekday() - tok.weekday) % 7 or 7
        day = anchor_day - dt.timedelta(days=back)
    elif tok.hour is not None:
        inferred.append("date")
        day = anchor_day
    else:
        return None
    if tok.hour is None:
        return ResolvedTime(dt.datetime.combine(day, dt.time()), "day", inferred)
    local = dt.datetime.combine(day, dt.time(tok.hour, tok.minute or 0, tok.second or 0))
    if not tok.has_date and local > anchor + dt.timedelta(minutes=1):
        local -= dt.timedelta(days=1)  # a bare time later than the capture: it was shown for yesterday
    return ResolvedTime(local, "second" if tok.second is not None else "minute", inferred)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
