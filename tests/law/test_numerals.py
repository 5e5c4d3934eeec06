from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weiquan.law.numerals import to_chinese

_D = {c: i for i, c in enumerate("零一二三四五六七八九")}


def _back(s: str) -> int:
    """Independent reader of Chinese numerals up to 9999."""
    total, num = 0, 0
    units = {"千": 1000, "百": 100, "十": 10}
    for ch in s:
        if ch in _D:
            num = _D[ch]
        else:
            total += (num or 1) * units[ch]
            num = 0
    return total + num


@pytest.mark.parametrize(
    ("n", "zh"),
    [
        (1, "一"),
        (10, "十"),
        (15, "十五"),
        (20, "二十"),
        (50, "五十"),
        (56, "五十六"),
        (101, "一百零一"),
        (110, "一百一十"),
        (118, "一百一十八"),
        (293, "二百九十三"),
        (670, "六百七十"),
        (1001, "一千零一"),
        (1019, "一千零一十九"),
        (1033, "一千零三十三"),
        (1183, "一千一百八十三"),
    ],
)
def test_known(n, zh):
    assert to_chinese(n) == zh


@given(st.integers(min_value=1, max_value=9999))
def test_roundtrip(n):
    s = to_chinese(n)
    assert _back(s) == n
    assert "零零" not in s and not s.endswith("零")
