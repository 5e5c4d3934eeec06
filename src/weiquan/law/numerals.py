"""Chinese numerals for legal citations (第五十条, 第（五）项), dates as documents write them (2024年3月7日) and
phone numbers as the phone's call log shows them."""

from __future__ import annotations

import datetime as dt

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


def date_cn(d: dt.date) -> str:
    """2024年3月7日 (Arabic digits, no leading zeros), the form used in documents and notes."""
    return f"{d.year}年{d.month}月{d.day}日"


def phone_zh(number: str | None) -> str:
    """Mainland numbers as they appear in the phone's call log: without +86, and a fixed line with its trunk
    prefix 0 ("+862388001234" → "02388001234"; mobiles, 106/95 service numbers unchanged); others unchanged."""
    if not number:
        return "号码未知"
    if number.startswith("+86") and len(number) > 6:
        national = number[3:]
        if national.startswith("10") and len(national) == 10:
            return "0" + national  # Beijing fixed line 010-xxxxxxxx (10xxxxxxxx); 106… service numbers are longer
        if national.startswith(("1", "400", "800", "95", "96")) or len(national) <= 8:
            return national  # mobiles, 106/12x/95/96 service numbers, 400/800 hotlines
        return "0" + national  # a fixed line: area code with its trunk prefix 0
    return number
