"""Chinese numerals for legal citations (第五十条, 第（五）项); dates are ``weiquan.zh.format.date_cn``."""

from __future__ import annotations

# date_cn and phone_zh live in the Chinese leaf; re-exported for imports written before the move
from weiquan.zh.format import date_cn as date_cn
from weiquan.zh.format import phone_zh as phone_zh

_DIGITS = "零一二三四五六七八九"
_UNITS = ((1000, "千"), (100, "百"), (10, "十"))


def to_chinese(n: int) -> str:
    """Integer 0..9999 in Chinese numerals as used in statute numbering (十, 二十一, 一百零五, 一千零三十三)."""
    if not 0 <= n <= 9999:
        raise ValueError(f"number out of range for a citation: {n}")
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n - 10] if n > 10 else "")
    out = ""
    rest = n
    zero_pending = False
    for value, unit in _UNITS:
        d, rest = divmod(rest, value)
        if d:
            if zero_pending:
                out += "零"
                zero_pending = False
            out += _DIGITS[d] + unit
        elif out:
            zero_pending = True
    if rest:
        if zero_pending or (out and n % 100 < 10 and n >= 100):
            out += "零"
        out += _DIGITS[rest]
    return out


def article_cn(article: int, suffix: str | None = None) -> str:
    return f"第{to_chinese(article)}条{suffix or ''}"


def item_cn(n: int) -> str:
    return to_chinese(n)
