"""Chinese formatting as the documents, the plan and the web pages write it: dates, times, periods, money in
figures and 人民币大写, phone numbers, file names, and text written elsewhere restyled (``zh_text``).

A leaf module: it imports only ``weiquan.zh.labels``, so every layer may use it.
"""

from __future__ import annotations

import datetime as dt
import re

from weiquan.zh.labels import RECIPIENT_ZH


def date_cn(d: dt.date) -> str:
    """2024年3月7日 (Arabic digits, no leading zeros), the form used in documents and notes."""
    return f"{d.year}年{d.month}月{d.day}日"


def date_zh(d: dt.date | dt.datetime | str | None) -> str:
    """2024年3月7日; an ISO date string ("2024-03-07", e.g. a loan check's ``as_of``) is read first."""
    if isinstance(d, str):
        try:
            d = dt.date.fromisoformat(d[:10])
        except ValueError:
            return d
    if d is None:
        return ""
    return date_cn(d)


def datetime_zh(d: dt.datetime | None) -> str:
    if d is None:
        return ""
    return f"{date_cn(d)} {d:%H:%M}"


def period_zh(a: dt.date | None, b: dt.date | None) -> str:
    """ "2024年3月1日至2024年3月21日期间"; a single day without 期间: "2024年3月11日"."""
    if a is None:
        return ""
    return date_zh(a) if b is None or date_zh(a) == date_zh(b) else f"{date_zh(a)}至{date_zh(b)}期间"


def money_zh(amount: float | int | None) -> str:
    """Amount in figures and 人民币大写: 人民币12,860.50元（大写：壹万贰仟捌佰陆拾元伍角）."""
    if amount is None:
        return ""
    # cn2an takes ~0.2 s to import (it builds its conversion tables); only documents with money need it
    import cn2an

    a = round(float(amount), 2)
    return f"人民币{a:,.2f}元（大写：{cn2an.an2cn(a, 'rmb')}）"


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


def file_name(name: str | None) -> str:
    """A file's name without the folders it was imported from ("samples/Screenshot_1.png" → "Screenshot_1.png")."""
    return re.split(r"[\\/]", name.strip())[-1] if name else ""


_ISO_DATETIME = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::\d{2})?)?(?![\d-])")
_MAINLAND_NUMBER = re.compile(r"\+86\d{5,}")
_RECIPIENT_CODE = re.compile("（(" + "|".join(map(re.escape, RECIPIENT_ZH)) + ")）")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
_TIME = re.compile(r"\d{1,2}:\d{2}")


def _iso_zh(m: re.Match[str]) -> str:
    try:
        if m.group(4) is None:
            return date_zh(dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
        return datetime_zh(dt.datetime(*(int(m.group(i)) for i in range(1, 6))))
    except ValueError:
        return m.group(0)


def _cjk_spacing(text: str) -> str:
    """No spaces between Chinese and figures ("联系 2 次" → "联系2次"), as the documents write; the space of
    ``datetime_zh`` between the day and the time stays."""
    out: list[str] = []
    pos = 0
    for m in re.finditer(r"[ \t]+", text):
        a, b = m.start(), m.end()
        left, right = text[a - 1] if a else "", text[b] if b < len(text) else ""
        keep = (
            not left
            or not right
            or not (_CJK.match(left) or _CJK.match(right))
            or (left == "日" and _TIME.match(text, b) is not None)
        )
        out += [text[pos:a], m.group(0) if keep else ""]
        pos = b
    out.append(text[pos:])
    return "".join(out)


def zh_text(text: str | None) -> str:
    """Text written elsewhere (finding summaries, plan notes and reasons, the law pack's contact notes) in the
    documents' style: ISO dates as ``date_zh``/``datetime_zh``, mainland numbers as ``phone_zh``, recipient ids as
    ``RECIPIENT_ZH`` labels, no spaces between Chinese and figures. (A note that asks for a step of the app is a
    ``weiquan.zh.steps.Note``: each front end names the step; no command text is rewritten here.)"""
    if not text:
        return ""
    s = _RECIPIENT_CODE.sub(lambda m: f"（{RECIPIENT_ZH[m.group(1)]}）", str(text))
    s = _MAINLAND_NUMBER.sub(lambda m: phone_zh(m.group(0)), s)
    s = _cjk_spacing(s)
    return _ISO_DATETIME.sub(_iso_zh, s)
