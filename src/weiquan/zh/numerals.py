"""Chinese numerals as spoken and typed (三千六百块, 一万二, 3千6, 1.2万, 百分之三十六, 千分之五) -> exact numbers.

One small converter for every place that reads an amount or a rate from text. ``cn2an`` was considered and not
used here: its strict mode refuses the spoken forms (一万二, 两千一), only its "smart" mode reads mixed 3千6 / 1.2万,
it has no 千分之/万分之, its sentence ``transform`` rewrites words that are not numbers (一直 -> 1直) and warns on
stderr, and importing it costs ~0.2 s of the detector's start-up. It stays the independent oracle of the tests.

Spoken ellipsis: a lone last digit right after a unit counts in the next lower unit (三千六 = 3600, 一万二 = 12000,
两千一 = 2100, 三百五 = 350); after 零 it does not (一千零五 = 1005).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
    "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9,
}  # fmt: skip
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS = {"万": 10**4, "亿": 10**8}
UNIT_CHARS = "".join(SMALL_UNITS) + "".join(BIG_UNITS)
# every character a numeral may be written with (Arabic digits and the decimal point included)
NUMERAL_CHARS = "0123456789." + "".join(DIGITS) + UNIT_CHARS + "点半"
# 百分之 / 千分之 / 万分之 -> the factor that turns the number after it into a percentage
PER_PREFIX = {"百分之": Decimal(1), "千分之": Decimal("0.1"), "万分之": Decimal("0.01")}

_TOKEN = re.compile(r"\d+(?:\.\d+)?|.", re.S)


def parse_number(s: str) -> Decimal | None:
    """The value of a numeral (Chinese, Arabic or mixed), or None when ``s`` is not one number: 三千六 -> 3600,
    一万二 -> 12000, 1.2万 -> 12000, 三点一四 -> 3.14, 一点二万 -> 12000, 零点五 -> 0.5, 万一 -> None."""
    s = s.strip()
    if not s:
        return None
    if s == "半":
        return Decimal("0.5")
    if "点" in s:
        whole, _, frac = s.partition("点")
        big = Decimal(1)
        while frac and frac[-1] in BIG_UNITS:  # 一点二万 = 1.2 x 10^4
            big *= BIG_UNITS[frac[-1]]
            frac = frac[:-1]
        if not frac or any(c not in DIGITS and not c.isdigit() for c in frac):
            return None
        w = parse_number(whole) if whole else Decimal(0)
        if w is None:
            return None
        digits = "".join(str(DIGITS[c]) if c in DIGITS else c for c in frac)
        return (w + Decimal("0." + digits)) * big
    return _integer(s)


def _integer(s: str) -> Decimal | None:
    """Numerals without 点: units with their multipliers, Arabic runs (1.2 included) standing for one digit."""
    total = Decimal(0)  # finished 亿 sections
    wan = Decimal(0)  # the finished 万 part of the current 亿 section
    section = Decimal(0)  # below 万
    cur: Decimal | None = None  # the pending multiplier
    last_unit = 0  # the unit right before ``cur`` (0: none, or 零 between)
    small_floor = 10**5  # small units must descend within a section
    big_floor = 10**9  # big units must descend (万 after 亿 is fine, 亿 after 万 multiplies the whole: 一万亿)
    prev_kind = ""
    for tok in _TOKEN.findall(s):
        if tok in DIGITS or tok[0].isdigit():
            if prev_kind == "num":
                return None  # two digits in a row: not a spelled number (一二三 is read as digits elsewhere)
            if tok in DIGITS and DIGITS[tok] == 0:
                last_unit = 0
                prev_kind = "zero"
                continue
            cur = Decimal(DIGITS[tok]) if tok in DIGITS else Decimal(tok)
            prev_kind = "num"
        elif tok in SMALL_UNITS:
            u = SMALL_UNITS[tok]
            if u >= small_floor or prev_kind == "zero":
                return None
            section += (cur if cur is not None else Decimal(1)) * u
            cur, last_unit, small_floor, prev_kind = None, u, u, "unit"
        elif tok in BIG_UNITS:
            u = BIG_UNITS[tok]
            part = section + (cur if cur is not None else Decimal(0))
            if prev_kind == "" and part == 0:
                return None  # a bare 万 / 亿 (万一, 亿万) is a word, not a number
            if tok == "亿":
                total = (total + wan + part) * u
                wan = Decimal(0)
            else:
                if u >= big_floor:
                    return None
                wan = part * u
            section, cur, last_unit, small_floor, big_floor, prev_kind = Decimal(0), None, u, 10**5, u, "unit"
        else:
            return None
    if prev_kind == "":
        return None
    if cur is not None:
        if last_unit >= 100 and _single(cur):
            cur *= last_unit // 10  # spoken ellipsis: 三千六, 一万二
        elif last_unit == 10 and not _single(cur):
            return None
        section += cur
    return total + wan + section


def _single(v: Decimal) -> bool:
    return v == v.to_integral_value() and 0 < v < 10


def parse_rate(s: str) -> Decimal | None:
    """A rate as a percentage: 百分之三十六 -> 36, 千分之五 -> 0.5, 万分之五 -> 0.05, 36% -> 36; else None."""
    s = s.strip()
    for prefix, factor in PER_PREFIX.items():
        if s.startswith(prefix):
            v = parse_number(s[len(prefix) :])
            return None if v is None else v * factor
    if s.endswith(("%", "％")):
        v = parse_number(s[:-1])
        return v
    return None


_MONEY_AFFIX = re.compile(r"^(?:人民币|[￥¥])|(?:元整|元|圆|块钱|块)$")


def parse_money(s: str) -> Decimal | None:
    """An amount of yuan as typed or said: 3000, 3,000.50, ￥2000, 三千六百块, 1.2万元, 一万二; None when not one."""
    t = unicodedata.normalize("NFKC", s).strip().replace(",", "").replace(" ", "")
    for _ in range(2):
        t = _MONEY_AFFIX.sub("", t)
    if not is_numeral(t):
        return None
    try:
        return Decimal(t) if re.fullmatch(r"\d+(?:\.\d+)?", t) else parse_number(t)
    except InvalidOperation:
        return None


def read_float(text: str, *readers: Callable[[str], Decimal | None]) -> float | None:
    """``text`` as a float: a plain number ("0.05", "1e3"), else what the first of ``readers`` that reads it
    returns (spoken or typed numerals: ``parse_money``, ``parse_rate``, ``parse_number``); None when none does."""
    try:
        return float(text)
    except ValueError:
        pass
    for read in readers:
        v = read(text)
        if v is not None:
            return float(v)
    return None


def plain(v: Decimal) -> str:
    """A value written with Arabic digits, without exponent or trailing zeros: 12000, 0.5, 3.14."""
    try:
        q = v.normalize()
    except InvalidOperation:
        return str(v)
    if q == q.to_integral_value():
        return str(int(q))
    return format(q, "f")


def is_numeral(s: str) -> bool:
    """True when every character of ``s`` can belong to a numeral (the cheap pre-check before parsing)."""
    return bool(s) and all(c in NUMERAL_CHARS for c in s)


__all__ = [
    "BIG_UNITS",
    "DIGITS",
    "NUMERAL_CHARS",
    "PER_PREFIX",
    "SMALL_UNITS",
    "UNIT_CHARS",
    "is_numeral",
    "parse_money",
    "parse_number",
    "parse_rate",
    "plain",
]
