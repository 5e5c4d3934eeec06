"""Tolerant date/time parsing of phone-screen strings and anchoring to the capture time."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weiquan.extract.timeparse import find_time, parse_time_text, resolve

ANCHOR = dt.datetime(2026, 10, 30, 21, 47, 33)  # a Friday
WEEK = "一二三四五六日"


@pytest.mark.parametrize(
    ("text", "expected", "precision"),
    [
        ("21:47", dt.datetime(2026, 10, 30, 21, 47), "minute"),
        ("昨天 21:47", dt.datetime(2026, 10, 29, 21, 47), "minute"),
        ("昨天21:47", dt.datetime(2026, 10, 29, 21, 47), "minute"),
        ("前天", dt.datetime(2026, 10, 28), "day"),
        ("星期三", dt.datetime(2026, 10, 28), "day"),
        ("周一 09:03", dt.datetime(2026, 10, 26, 9, 3), "minute"),
        ("10-28", dt.datetime(2026, 10, 28), "day"),
        ("10月30日 下午3:25", dt.datetime(2026, 10, 30, 15, 25), "minute"),
        ("10月30日下午3:25", dt.datetime(2026, 10, 30, 15, 25), "minute"),
        ("晚上9:47", dt.datetime(2026, 10, 30, 21, 47), "minute"),
        ("凌晨12:05", dt.datetime(2026, 10, 30, 0, 5), "minute"),
        ("2025年6月3日 星期二 21:47", dt.datetime(2025, 6, 3, 21, 47), "minute"),
        ("2025-06-0321:47", dt.datetime(2025, 6, 3, 21, 47), "minute"),  # OCR dropped the space
        ("2025-6-1221:47", dt.datetime(2025, 6, 12, 21, 47), "minute"),
        ("2025/06/03 21:47:05", dt.datetime(2025, 6, 3, 21, 47, 5), "second"),
        ("２０２５－０６－０３ ２１：４７", dt.datetime(2025, 6, 3, 21, 47), "minute"),  # full-width
        ("2026/10/20", dt.datetime(2026, 10, 20), "day"),
        ("12-25", dt.datetime(2025, 12, 25), "day"),  # after the capture date: last year
    ],
)
def test_screen_times(text: str, expected: dt.datetime, precision: str) -> None:
    tok = parse_time_text(text)
    assert tok is not None, text
    res = resolve(tok, ANCHOR)
    assert res is not None
    assert (res.local, res.precision) == (expected, precision)


@pytest.mark.parametrize(
    "text", ["你好", "逾期45天", "请于今日18:00前还款", "2025-13-01 10:00", "25:61", "13800138000", ""]
)
def test_not_a_time_line(text: str) -> None:
    assert parse_time_text(text) is None


def test_bare_time_later_than_capture_is_yesterday() -> None:
    tok = parse_time_text("23:10")
    assert tok is not None
    assert resolve(tok, ANCHOR).local == dt.datetime(2026, 10, 29, 23, 10)  # type: ignore[union-attr]  # the test asserts the value exists


def test_find_time_inside_a_row() -> None:
    found = find_time("呼入 2分钟 昨天21:47")
    assert found is not None
    tok, span = found
    assert (tok.rel_days, tok.hour, tok.minute) == (1, 21, 47)
    assert "呼入 2分钟 昨天21:47"[span[0] : span[1]] == "昨天21:47"


def _fmt(when: dt.datetime, style: int, space: str) -> str:
    hm = f"{when.hour:02d}:{when.minute:02d}"
    return [
        f"{when:%Y-%m-%d}{space}{hm}",
        f"{when.year}年{when.month}月{when.day}日{space}{hm}",
        f"{when.year}年{when.month}月{when.day}日{space}星期{WEEK[when.weekday()]}{space}{hm}",
        f"{when:%Y/%m/%d}{space}{hm}",
        f"{when:%Y.%m.%d}{space}{hm}",
    ][style]


@settings(max_examples=300, deadline=None)
@given(
    when=st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2035, 12, 31)),
    style=st.integers(0, 4),
    space=st.sampled_from(["", " ", "  "]),
)
def test_full_dates_round_trip(when: dt.datetime, style: int, space: str) -> None:
    when = when.replace(second=0, microsecond=0)
    tok = parse_time_text(_fmt(when, style, space))
    assert tok is not None
    res = resolve(tok, dt.datetime(2036, 1, 1))
    assert res is not None and res.local == when and res.inferred == []


@settings(max_examples=300, deadline=None)
@given(
    days_back=st.integers(0, 300),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    anchor=st.datetimes(min_value=dt.datetime(2001, 1, 1), max_value=dt.datetime(2035, 12, 31)),
)
def test_relative_labels_resolve_to_the_true_day(days_back: int, hour: int, minute: int, anchor: dt.datetime) -> None:
    """What a phone prints for a past time resolves back to that time, given the capture time."""
    anchor = anchor.replace(microsecond=0)
    when = dt.datetime.combine(anchor.date() - dt.timedelta(days=days_back), dt.time(hour, minute))
    if when > anchor:
        return
    hm = f"{hour}:{minute:02d}"
    if days_back == 0:
        label = hm
    elif days_back == 1:
        label = f"昨天 {hm}"
    elif days_back < 7:
        label = f"星期{WEEK[when.weekday()]} {hm}"
    else:
        period = "上午" if hour < 12 else "下午" if hour < 18 else "晚上"
        label = f"{when.month}月{when.day}日 {period}{hour if hour <= 12 else hour - 12}:{minute:02d}"
    tok = parse_time_text(label)
    assert tok is not None, label
    res = resolve(tok, anchor)
    assert res is not None and res.local == when, (label, anchor)
