"""Normalising the date and amount columns of complaint exports.

Dates become the local calendar date in the corpus time zone (default Asia/Shanghai): ISO dates and
date-times (an explicit offset is converted), ``2024/3/5``, ``2024.03.05``, ``2024年3月5日``,
``20240305``, ``3/5/2024`` (US month/day/year, as English exports write it) and Unix epoch seconds or
milliseconds. Amounts become yuan: ``3000``, ``3,000.50元``, ``￥2000``, ``3千``, ``2.5万元``,
``三千五百元``, ``约5000``. A value that cannot be read is ``None`` (counted, never guessed).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
import re
from zoneinfo import ZoneInfo

from weiquan.zh.numerals import is_numeral, parse_number

_YMD = re.compile(
    r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT]+(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2}(?:\.\d+)?))?秒?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$"
)
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_MDY = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})\s*$")
_YM = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")
_EPOCH = re.compile(r"^\s*(\d{10}|\d{13})(?:\.\d+)?\s*$")
MIN_YEAR, MAX_YEAR = 2000, 2100


def parse_date(value: object, tz: str = "Asia/Shanghai") -> dt.date | None:
    """The local date of a date/time cell, or None when it cannot be read unambiguously."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return _local(value, tz)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _epoch(float(value), tz)
    s = str(value)
    d = _iso(s)
    return _parse_str(s, tz) if d is _NOT_ISO else d  # type: ignore[return-value]  # _iso returned a date or None


_NOT_ISO = object()


def _iso(s: str) -> dt.date | None | object:
    """``YYYY-MM-DD`` and ``YYYY-MM-DD HH:MM:SS`` (the commonest export spellings) read as the general pattern reads
    them, at a third of its cost; ``_NOT_ISO`` for anything else (the pattern decides)."""
    n = len(s)
    if not (n == 10 or (n == 19 and s[10] in " T" and s[13] == ":" == s[16])) or not (s[4] == "-" == s[7]):
        return _NOT_ISO
    parts = (s[:4], s[5:7], s[8:10], s[11:13], s[14:16], s[17:19]) if n == 19 else (s[:4], s[5:7], s[8:10])
    if not all(p.isdecimal() for p in parts):
        return _NOT_ISO
    try:
        t = dt.datetime(*map(int, parts))  # type: ignore[misc]  # three or six ints
    except ValueError:
        return None
    return _checked(t.date())


@lru_cache(maxsize=8192)  # bounded: a worker's memory must not grow with the corpus
def _parse_str(s: str, tz: str) -> dt.date | None:
    m = _YMD.match(s)
    if m:
        y, mo, d, hh, mi, ss, off = m.groups()
        try:
            if hh is None:
                return _checked(dt.date(int(y), int(mo), int(d)))
            t = dt.datetime(int(y), int(mo), int(d), int(hh), int(mi), int(float(ss or 0)))
        except ValueError:
            return None
        if off:
            t = t.replace(tzinfo=dt.timezone.utc if off == "Z" else _offset(off))
            return _checked(_local(t, tz))
        return _checked(t.date())
    m = _COMPACT.match(s)
    if m:
        try:
            return _checked(dt.date(int(m[1]), int(m[2]), int(m[3])))
        except ValueError:
            return None
    m = _MDY.match(s)
    if m:
        y = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
        try:
            return _checked(dt.date(y, int(m[1]), int(m[2])))
        except ValueError:
            return None
    m = _EPOCH.match(s)
    if m:
        return _epoch(float(m[1]), tz)
    return None


def parse_month(value: object, tz: str = "Asia/Shanghai") -> str | None:
    """``YYYY-MM`` of a date cell; also accepts a bare month (``2024-03``, ``2024年3月``)."""
    d = parse_date(value, tz)
    if d is not None:
        return f"{d.year:04d}-{d.month:02d}"
    if isinstance(value, str):
        m = _YM.match(value)
        if m and 1 <= int(m[2]) <= 12 and MIN_YEAR <= int(m[1]) <= MAX_YEAR:
            return f"{int(m[1]):04d}-{int(m[2]):02d}"
    return None


def _offset(off: str) -> dt.timezone:
    sign = -1 if off[0] == "-" else 1
    digits = off[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _local(t: dt.datetime, tz: str) -> dt.date:
    return t.astimezone(ZoneInfo(tz)).date() if t.tzinfo else t.date()


def _epoch(x: float, tz: str) -> dt.date | None:
    if x > 1e12:
        x /= 1000
    try:
        return _checked(dt.datetime.fromtimestamp(x, ZoneInfo(tz)).date())
    except (OverflowError, OSError, ValueError):
        return None


def _checked(d: dt.date | None) -> dt.date | None:
    return d if d is not None and MIN_YEAR <= d.year <= MAX_YEAR else None


# ------------------------------------------------------------------------------------------ amounts

_AMOUNT = re.compile(r"^(\d+(?:\.\d+)?)(千|k|K|万|w|W|亿)?$")
_UNIT = {None: 1, "千": 1_000, "k": 1_000, "K": 1_000, "万": 10_000, "w": 10_000, "W": 10_000, "亿": 100_000_000}
_STRIP = re.compile(r"^(?:约|大约|共|合计|总计|人民币|rmb|cny)|(?:元整|元|块钱|块|人民币|rmb|cny|左右|多)$", re.I)


def parse_amount(value: object) -> float | None:
    """Yuan, or None for an empty, negative, ranged or unreadable amount."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if value >= 0 else None
    return _parse_amount_str(str(value))


@lru_cache(maxsize=4096)
def _parse_amount_str(raw: str) -> float | None:
    s = raw.strip().replace(",", "").replace("，", "").replace(" ", "").lstrip("￥¥$")
    for _ in range(2):
        s = _STRIP.sub("", s).strip().lstrip("￥¥")
    if not s:
        return None
    m = _AMOUNT.match(s)
    if m:
        return round(float(m[1]) * _UNIT[m[2]], 2)
    v = parse_number(s) if is_numeral(s) else None  # 三千五百, 两万, 3千6, 一万二 (the one converter, zh/numerals)
    return None if v is None else round(float(v), 2)
