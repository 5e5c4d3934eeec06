"""Text normalisation for the detectors, with a map back to the original characters.

Steps: traditional -> simplified (OpenCC t2s), full-width -> half-width (NFKC), lower case,
placeholders (XX, 某某, %s, ${x}) -> 某, separator tricks ("爆 通 讯 录") removed, evasive spellings
("b通讯录", "坐劳", "sb") -> canonical words. The tables live in ``data/normalize.yaml``.

Every character of the normalised text knows the ``[start, end)`` range of original characters it
came from, so a span found in the normalised text maps back to the text the person received.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import ahocorasick
import opencc
import yaml

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"


@dataclass(frozen=True)
class Normalized:
    original: str
    text: str
    starts: tuple[int, ...] | None  # None: identity map (text has the original's offsets)
    ends: tuple[int, ...] | None

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of the normalised text to the original text."""
        if self.starts is None or self.ends is None:
            return start, end
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


@dataclass(frozen=True)
class _Variant:
    source: str
    target: str
    only_before: str | None
    latin_start: bool
    latin_end: bool


class Normalizer:
    """Compiled normalisation tables. Create once (see :func:`default_normalizer`) and reuse."""

    def __init__(self, table: dict[str, Any]) -> None:
        self._t2s = opencc.OpenCC("t2s")
        ph = "|".join(f"(?:{p['re']})" for p in table.get("placeholders", []))
        seps = "".join(re.escape(c) for c in sorted(set(table.get("separators", " "))))
        # a run of separators between (CJK or Latin/digit) and CJK, or between CJK and Latin
        sep = (f"(?<=[{_CJK}a-z0-9])[{seps}]+(?=[{_CJK}])|(?<=[{_CJK}])[{seps}]+(?=[a-z])")
        self._special = re.compile(f"(?P<ph>{ph})|(?P<sep>{sep})" if ph else f"(?P<sep>{sep})")
        self._auto = ahocorasick.Automaton()
        for v in table.get("variants", []):
            src, dst = str(v["from"]), str(v["to"])
            if src == dst:
                continue
            self._auto.add_word(src, _Variant(src, dst, v.get("only_before"), src[0].isascii() and src[0].isalpha(),
                                              src[-1].isascii() and src[-1].isalpha()))
        self._has_variants = len(self._auto) > 0
        if self._has_variants:
            self._auto.make_automaton()

    # -- steps -----------------------------------------------------------------------------------
    def _fold(self, text: str) -> tuple[str, list[int] | None]:
        """t2s + NFKC + lower; per-character fallback when a step changes the length."""
        s = self._t2s.convert(text)
        if len(s) != len(text):
            s = "".join(c2 if len(c2 := self._t2s.convert(c)) == 1 else c for c in text)
        f = unicodedata.normalize("NFKC", s).lower()
        if len(f) == len(s):
            return f, None
        out: list[str] = []
        idx: list[int] = []
        for i, c in enumerate(s):
            n = unicodedata.normalize("NFKC", c).lower()
            out.append(n)
            idx.extend([i] * len(n))
        return "".join(out), idx

    def normalize(self, text: str) -> Normalized:
        folded, fold_idx = self._fold(text)
        edits: list[tuple[int, int, str]] = []  # (start, end, replacement) in folded coordinates
        for m in self._special.finditer(folded):
            edits.append((m.start(), m.end(), "某" if m.lastgroup == "ph" else ""))
        if self._has_variants:
            base = folded
            if edits:
                base = _apply_plain(folded, edits)  # variants are looked up after placeholders/separators
                base_map = _edit_map(len(folded), edits)
            else:
                base_map = None
            vedits = self._variant_edits(base)
            if vedits:
                if base_map is None:
                    edits = vedits
                else:
                    # compose: express variant edits in folded coordinates through base_map
                    edits = _compose(folded, edits, base, base_map, vedits)
        if not edits and fold_idx is None:
            return Normalized(text, folded, None, None)
        out: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        pos = 0
        for a, b, rep in sorted(edits):
            if a < pos:
                continue
            for i in range(pos, a):
                out.append(folded[i])
                starts.append(i)
                ends.append(i + 1)
            for ch in rep:
                out.append(ch)
                starts.append(a)
                ends.append(b)
            pos = b
        for i in range(pos, len(folded)):
            out.append(folded[i])
            starts.append(i)
            ends.append(i + 1)
        if fold_idx is not None:
            starts = [fold_idx[s] if s < len(fold_idx) else len(text) for s in starts]
            ends = [fold_idx[e - 1] + 1 if e - 1 < len(fold_idx) else len(text) for e in ends]
        return Normalized(text, "".join(out), tuple(starts), tuple(ends))

    def _variant_edits(self, s: str) -> list[tuple[int, int, str]]:
        edits: list[tuple[int, int, str]] = []
        for end, v in self._auto.iter_long(s):
            start = end - len(v.source) + 1
            if v.latin_start and start > 0 and s[start - 1].isascii() and s[start - 1].isalpha():
                continue
            if v.latin_end and end + 1 < len(s) and s[end + 1].isascii() and s[end + 1].isalpha():
                continue
            if v.only_before is not None:
                nxt = s[end + 1] if end + 1 < len(s) else "$"
                if nxt not in v.only_before:
                    continue
            edits.append((start, end + 1, v.target))
        return edits


def _apply_plain(s: str, edits: list[tuple[int, int, str]]) -> str:
    out, pos = [], 0
    for a, b, rep in sorted(edits):
        out.append(s[pos:a])
        out.append(rep)
        pos = b
    out.append(s[pos:])
    return "".join(out)


def _edit_map(n: int, edits: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    """For each character of the edited string: its [start, end) in the unedited string."""
    m: list[tuple[int, int]] = []
    pos = 0
    for a, b, rep in sorted(edits):
        m.extend((i, i + 1) for i in range(pos, a))
        m.extend((a, b) for _ in rep)
        pos = b
    m.extend((i, i + 1) for i in range(pos, n))
    return m


def _compose(folded: str, edits: list[tuple[int, int, str]], base: str, base_map: list[tuple[int, int]],
             vedits: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Merge first-pass edits with variant edits found in the first pass's output."""
    covered: list[tuple[int, int, str]] = []
    for a, b, rep in vedits:
        fa, fb = base_map[a][0], base_map[b - 1][1]
        covered.append((fa, fb, rep))
    merged = [e for e in edits if not any(c[0] <= e[0] and e[1] <= c[1] for c in covered)]
    return merged + covered


@cache
def default_normalizer() -> Normalizer:
    data = resources.files("weiquan.analyze").joinpath("data/normalize.yaml").read_text(encoding="utf-8")
    return Normalizer(yaml.safe_load(data))


def normalize(text: str) -> Normalized:
    return default_normalizer().normalize(text)
