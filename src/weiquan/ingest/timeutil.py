"""Time conversions for importers: epochs by magnitude, Apple epoch, wall-clock text in a zone.

Every result is an aware UTC datetime plus a ``time_basis`` naming how it was derived
(docs/sources.md#format-times). Values outside the plausible range (before 2000 or more than a year in
the future) raise :class:`TimeOutOfRange`; importers turn that into a per-record warning.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from weiquan.errors import InputError

UTC = dt.timezone.utc
UNIX_EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
APPLE_EPOCH_OFFSET = 978_307_200  # seconds from 1970-01-01 to 2001-01-01
MIN_PLAUSIBLE = dt.datetime(2000, 1, 1, tzinfo=UTC)
FUTURE_SLACK = dt.timedelta(days=366)


class TimeOutOfRange(ValueError):
    """A timestamp decoded to an implausible date (1970, 2100 …)."""

    def __init__(self, value: object, when: dt.datetime | None = None) -> None:
        self.value = value
        self.when = when
        super().__init__(f"time out of range: {value!r}" + (f" ({when.date().isoformat()})" if when else ""))


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise InputError(f"未知时区：{name}", f"unknown time zone: {name}") from e


def check_range(when: dt.datetime, raw: object) -> dt.datetime:
    if when < MIN_PLAUSIBLE or when > dt.datetime.now(UTC) + FUTURE_SLACK:
        raise TimeOutOfRange(raw, when)
    return when


_MIN_PLAUSIBLE_MS = int(MIN_PLAUSIBLE.timestamp()) * 1000
_FUTURE_SLACK_MS = int(FUTURE_SLACK.total_seconds()) * 1000


def _finite(raw: str | int | float) -> float:
    """``raw`` as a positive finite number; NaN, infinities, 1e400, zero and negatives are out of range."""
    try:
        v = float(raw)
    except (TypeError, ValueError, OverflowError) as e:
        raise TimeOutOfRange(raw) from e
    if not math.isfinite(v) or v <= 0:
        raise TimeOutOfRange(raw)
    return v


def from_epoch(raw: str | int | float | None) -> tuple[dt.datetime, str]:
    """Unix seconds or milliseconds (decided by magnitude) → (UTC datetime, basis)."""
    if isinstance(raw, str) and 11 <= len(raw) <= 14 and raw.isascii() and raw.isdigit():
        # fast path for the common case, integer milliseconds (exact; no float rounding)
        ms = int(raw)
        if ms < 1e11 or ms >= 1e14:
            return _from_epoch_general(raw)
        if ms < _MIN_PLAUSIBLE_MS or ms > time.time() * 1000 + _FUTURE_SLACK_MS:
            raise TimeOutOfRange(raw, UNIX_EPOCH + dt.timedelta(milliseconds=ms))
        # ms / 1000 is within 0.2 µs of the exact value, so rounding to whole µs gives it exactly
        return dt.datetime.fromtimestamp(ms / 1000, UTC), "utc_epoch_ms"
    return _from_epoch_general(raw)


def _from_epoch_general(raw: str | int | float | None) -> tuple[dt.datetime, str]:
    if raw is None or (isinstance(raw, str) and raw.strip().lower() in ("", "null", "0")):
        raise TimeOutOfRange(raw)
    v = _finite(raw)
    if v < 1e11:
        basis, seconds = "utc_epoch_s", v
    elif v < 1e14:
        basis, seconds = "utc_epoch_ms", v / 1000.0
    else:
        basis, seconds = "utc_epoch_us", v / 1e6
    try:
        when = UNIX_EPOCH + dt.timedelta(seconds=seconds)
    except (OverflowError, ValueError) as e:
        raise TimeOutOfRange(raw) from e
    return check_range(when, raw), basis


def from_apple(raw: int | float | str | None) -> tuple[dt.datetime, str]:
    """Apple/Core Data epoch: seconds or nanoseconds since 2001-01-01 UTC (by magnitude)."""
    if raw is None:
        raise TimeOutOfRange(raw)
    v = _finite(raw)
    if v > 1e12:
        basis, seconds = "apple_ns", v / 1e9
    else:
        basis, seconds = "apple_s", v
    try:
        when = UNIX_EPOCH + dt.timedelta(seconds=seconds + APPLE_EPOCH_OFFSET)
    except (OverflowError, ValueError) as e:
        raise TimeOutOfRange(raw) from e
    return check_range(when, raw), basis


_WALLCLOCK_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$"), "compact"),
    (
        re.compile(
            r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T_]+(上午|下午|凌晨|晚上|中午)?\s*(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2})(?:\.\d+)?秒?)?)?$"
        ),
        "ymd",
    ),
)


def parse_wallclock(text: str) -> dt.datetime:
    """Parse a naive local date-time string (``2024-03-01 22:15:03``, ``2024/3/1 22:15``,
    ``2024年3月1日 下午3:25``, ``20240301221503``) into a naive datetime."""
    s = text.strip()
    for rx, kind in _WALLCLOCK_PATTERNS:
        m = rx.match(s)
        if not m:
            continue
        if kind == "compact":
            y, mo, d, h, mi, se = (int(x) for x in m.groups())
            return dt.datetime(y, mo, d, h, mi, se)
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        ampm, h, mi, se = m.group(4), m.group(5), m.group(6), m.group(7)
        hour = int(h) if h else 0
        if ampm in ("下午", "晚上") and hour < 12:
            hour += 12
        elif ampm == "中午" and hour < 11:
            hour += 12
        elif ampm == "凌晨" and hour == 12:
            hour = 0
        return dt.datetime(y, mo, d, hour, int(mi) if mi else 0, int(se) if se else 0)
    raise ValueError(f"unrecognised date-time: {text!r}")


def localize(naive: dt.datetime, tz: str) -> dt.datetime:
    """Attach the source zone to a naive wall-clock time and convert to UTC (range-checked)."""
    aware = naive.replace(tzinfo=zone(tz))
    return check_range(aware.astimezone(UTC), naive.isoformat(sep=" "))


def from_wallclock(text: str, tz: str) -> dt.datetime:
    return localize(parse_wallclock(text), tz)
