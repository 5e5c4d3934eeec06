"""Spoken amounts and rates read as Arabic figures for the rules (issues #15/#18).

The rules' regexes read figures written with digits and ``N%``. :func:`numeric_view` gives them a copy of the
normalised text in which every spoken amount or rate (百分之三十六, 日息千分之五, 借三千到手两千一, 一万二, 3千6, 1.2万)
is rewritten with digits by the one converter, :mod:`weiquan.zh.numerals`, with a map back: a rule's span still
points into the original text. Which words make a numeral money is data (``data/numbers.yaml``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from weiquan.analyze.normalize import Normalized, rewritten
from weiquan.zh.numerals import DIGITS, NUMERAL_CHARS, PER_PREFIX, UNIT_CHARS, parse_number, plain

_CN_CHARS = "".join(DIGITS) + UNIT_CHARS
_DIGIT_CHARS = frozenset("0123456789" + "".join(d for d, v in DIGITS.items() if v))
_NUM = f"[0-9{_CN_CHARS}][{re.escape(NUMERAL_CHARS)}]*"


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@dataclass(frozen=True)
class NumberReader:
    """The compiled tables of ``data/numbers.yaml``."""

    pattern: re.Pattern[str]
    not_money_after: tuple[str, ...]
    money_after: tuple[str, ...]
    approximate: str
    with_unit_after: tuple[str, ...]
    precheck: re.Pattern[str]

    @classmethod
    def from_table(cls, t: dict[str, Any]) -> NumberReader:
        rate = _alt(list(PER_PREFIX))
        before = _alt(t["money_before"])
        after = _alt([*t["money_after_always"], *t["money_after_with_unit"]])
        pattern = re.compile(
            rf"(?P<per>{rate})(?P<rate>{_NUM})|(?:{before})(?:了|的|款)?(?P<amt>{_NUM})|(?P<sfx>{_NUM})(?=(?P<unit>{after}))"
        )
        return cls(
            pattern,
            tuple(t["not_money_after"]),
            tuple(t["money_after_always"]),
            "".join(t["approximate_before"]),
            tuple(t["money_after_with_unit"]),
            re.compile(f"[{_CN_CHARS}]"),
        )

    def edits(self, s: str) -> list[tuple[int, int, str]]:
        """``(start, end, figure)`` for every spoken amount or rate in ``s`` (a normalised text)."""
        if not self.precheck.search(s):
            return []
        out: list[tuple[int, int, str]] = []
        for m in self.pattern.finditer(s):
            group = "rate" if m["rate"] else "amt" if m["amt"] else "sfx"
            a, b = m.span(group)
            run = s[a:b].rstrip("点.")
            b = a + len(run)
            if group == "rate":
                a = m.start()  # 百分之三十六 -> 36% as a whole
            elif not any(c in _CN_CHARS for c in run):
                continue  # already Arabic
            elif group == "amt" and not s.startswith(self.money_after, b):
                # the run may run into the next figure (借一万二七天还一万八): the longest prefix that is one amount
                # with a digit and a unit, not followed by a measure word (借三十天 is a term; 借一笔, 还一下, 收拾,
                # 欠款千万别拖 are words)
                while run and not (
                    any(c in UNIT_CHARS for c in run)
                    and any(c in _DIGIT_CHARS for c in run)
                    and not s.startswith(self.not_money_after, a + len(run))
                    and parse_number(run) is not None
                ):
                    run = run[:-1]
                if not run:
                    continue
                b = a + len(run)
            elif m["unit"] in self.with_unit_after and not any(c in UNIT_CHARS for c in run):
                continue  # 一块 (together), 五块 left alone: too small to matter, too often a word
            elif a and s[a - 1] in self.approximate and not any(c in _DIGIT_CHARS for c in run):
                continue  # 几千块, 上万元, 数千元: a rough size, not a figure
            v = parse_number(run)
            if v is None:
                continue
            out.append((a, b, plain(v * PER_PREFIX[m["per"]]) + "%" if group == "rate" else plain(v)))
        return out


@cache
def default_reader() -> NumberReader:
    src = resources.files("weiquan.analyze").joinpath("data/numbers.yaml").read_text(encoding="utf-8")
    return NumberReader.from_table(yaml.safe_load(src))


def numeric_view(n: Normalized, reader: NumberReader | None = None) -> Normalized:
    """``n`` with its spoken amounts and rates written in digits; spans of the result map to ``n.original``."""
    edits = (reader or default_reader()).edits(n.text)
    return rewritten(n, edits) if edits else n
