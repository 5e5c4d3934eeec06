"""Text normalisation for the detectors, with a map back to the original characters.

Steps: traditional -> simplified (OpenCC t2s), full-width -> half-width (NFKC), lower case,
placeholders (XX, 某某, %s, %1$s, ${x}, {x}, #{x}, {{x}}, {0}, and the concatenations lenders' code prints:
'.$x.', "+x+") -> 某, separator tricks ("爆 通 讯 录") removed, evasive spellings ("b通讯录", "坐劳", "sb") -> canonical
words. The tables live in ``data/normalize.yaml``.

Every character of the normalised text knows the ``[start, end)`` range of original characters it
came from, so a span found in the normalised text maps back to the text the person received.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import ahocorasick
import opencc
import yaml

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# full-width ASCII (U+FF01-FF5E) and the ideographic space: their NFKC forms are single ASCII characters
_FULLWIDTH = {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {"\u3000": " "}
_FULLWIDTH_RE = re.compile("[\uff01-\uff5e\u3000]")
_ROUNDS = 4  # rounds of placeholders/separators then variants (one or two are ever needed)


class _EditMap:
    """Maps positions of an edited string back to ``[start, end)`` ranges of the unedited one.

    ``edits`` are sorted, non-overlapping ``(start, end, replacement)`` triples; copied stretches
    map one to one, every character of a replacement maps to the whole replaced range.
    """

    __slots__ = ("_out", "_segs")

    def __init__(self, n: int, edits: list[tuple[int, int, str]]) -> None:
        out: list[int] = []
        segs: list[tuple[int, int, int, bool]] = []  # (source start, source end, out length, copied)
        o = pos = 0
        for a, b, rep in edits:
            if a > pos:
                out.append(o)
                segs.append((pos, a, a - pos, True))
                o += a - pos
            if rep:
                out.append(o)
                segs.append((a, b, len(rep), False))
                o += len(rep)
            pos = b
        if n > pos:
            out.append(o)
            segs.append((pos, n, n - pos, True))
        self._out = out
        self._segs = segs

    def __call__(self, i: int) -> tuple[int, int]:
        k = bisect_right(self._out, i) - 1
        a, b, _, copied = self._segs[k]
        if copied:
            j = a + i - self._out[k]
            return j, j + 1
        return a, b


class Normalized:
    """A normalised text with the map back to the original (a plain slotted class: one per message)."""

    __slots__ = ("original", "text", "edits", "fold")

    def __init__(
        self, original: str, text: str, edits: _EditMap | None = None, fold: tuple[int, ...] | None = None
    ) -> None:
        self.original = original
        self.text = text
        self.edits = edits  # None: no replacement (text has the folded string's offsets)
        self.fold = fold  # folded index -> original index, when folding changed lengths

    def __repr__(self) -> str:
        return f"Normalized(text={self.text!r})"

    def _span(self, i: int) -> tuple[int, int]:
        a, b = self.edits(i) if self.edits is not None else (i, i + 1)
        if self.fold is None:
            return a, b
        f, n = self.fold, len(self.original)
        return (f[a] if a < len(f) else n), (f[b - 1] + 1 if b - 1 < len(f) else n)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of the normalised text to the original text."""
        if self.edits is None and self.fold is None:
            return start, end
        if end <= start:
            pos = self._span(start)[0] if start < len(self.text) else len(self.original)
            return pos, pos
        return self._span(start)[0], self._span(end - 1)[1]


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
        placeholders = table.get("placeholders", [])
        for p in placeholders:
            if not p.get("chars"):
                raise ValueError(f"normalize.yaml: placeholder {p['re']!r} has no 'chars'")
        ph_chars = {c for p in placeholders for c in p["chars"]}
        sep_chars = set(table.get("separators", " "))
        ph = "|".join(f"(?:{p['re']})" for p in placeholders)
        if ph:  # a run of placeholders, with the 某 next to them, is one 某 (normalising twice changes nothing);
            # every placeholder's match begins with one of its `chars` (true of every pattern in normalize.yaml), so
            # the lookahead lets every other position fail on one character test (speed)
            ph = f"(?=[{_char_class(ph_chars)}])某*(?:(?:{ph})某*)+"
        seps = _char_class(sep_chars)
        # a run of separators between (CJK or Latin/digit) and CJK, or between CJK and Latin
        sep = f"(?=[{seps}])(?:(?<=[{_CJK}a-z0-9])[{seps}]+(?=[{_CJK}])|(?<=[{_CJK}])[{seps}]+(?=[a-z]))"
        self._special = re.compile(f"(?P<ph>{ph})|(?P<sep>{sep})" if ph else f"(?P<sep>{sep})")
        # cheap pre-check: a placeholder needs one of its declared characters, a trick a separator
        self._special_set = frozenset(ph_chars | sep_chars)
        self._special_chars = re.compile(f"[{_char_class(self._special_set)}]")
        self._traditional = re.compile(f"[{_char_class(_changed_by(self._t2s))}]")
        self._auto = ahocorasick.Automaton()
        for v in table.get("variants", []):
            src, dst = str(v["from"]), str(v["to"])
            if src == dst:
                continue
            self._auto.add_word(
                src,
                _Variant(
                    src,
                    dst,
                    v.get("only_before"),
                    src[0].isascii() and src[0].isalpha(),
                    src[-1].isascii() and src[-1].isalpha(),
                ),
            )
        self._has_variants = len(self._auto) > 0
        if self._has_variants:
            self._auto.make_automaton()

    # -- steps -----------------------------------------------------------------------------------
    def _fold(self, text: str) -> tuple[str, list[int] | None]:
        """t2s + NFKC + lower; per-character fallback when a step changes the length."""
        s = self._t2s.convert(text) if self._traditional.search(text) else text
        if len(s) != len(text):
            s = "".join(c2 if len(c2 := self._t2s.convert(c)) == 1 else c for c in text)
        if not s.isascii():
            # the common case of NFKC (full-width punctuation), done cheaply; same result
            s2 = _FULLWIDTH_RE.sub(lambda m: _FULLWIDTH[m.group()], s)
            s2 = s2 if unicodedata.is_normalized("NFKC", s2) else unicodedata.normalize("NFKC", s2)
        else:
            s2 = s
        f = s2.lower()
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
        fold = tuple(fold_idx) if fold_idx is not None else None
        edits: list[tuple[int, int, str]] = []  # (start, end, replacement) in folded coordinates
        cur = folded
        # Placeholders and separators, then variants on the result. A replacement can make another one possible (a
        # placeholder read as 某 next to a separator or another 某: "一\"{name}", "{a}@{b}"; a variant next to a
        # separator: "0#b通讯录"), so a step runs again on its own result when one of its edits now borders a
        # separator or a placeholder's character (every pattern looks at most one character beyond its match):
        # normalising twice changes nothing. Placeholder and separator steps shorten the text; rounds are bounded.
        special = self._special_chars.search(folded) is not None
        for _ in range(_ROUNDS):
            step = self._special_edits(cur) if special else []
            while step:
                before = cur
                edits, cur = _merged(folded, edits, step)
                step = self._special_edits(cur) if self._borders_special(before, step) else []
            step = self._variant_edits(cur) if self._has_variants else []
            if not step:
                break
            before = cur
            edits, cur = _merged(folded, edits, step)
            special = self._borders_special(before, step)
            if not special:
                break
        if not edits:
            return Normalized(text, folded, None, fold)
        kept: list[tuple[int, int, str]] = []
        pos = 0
        for a, b, rep in sorted(edits):
            if a < pos:
                continue
            kept.append((a, b, rep))
            pos = b
        return Normalized(text, _apply_plain(folded, kept), _EditMap(len(folded), kept), fold)

    def _borders_special(self, s: str, step: list[tuple[int, int, str]]) -> bool:
        """True when a character right beside an edit of ``step`` (on ``s``) is a separator or a placeholder's."""
        chars = self._special_set
        return any((a > 0 and s[a - 1] in chars) or (b < len(s) and s[b] in chars) for a, b, _ in step)

    def _special_edits(self, s: str) -> list[tuple[int, int, str]]:
        """Placeholders (-> 某) and separator runs (-> nothing) in ``s``."""
        return [(m.start(), m.end(), "某" if m.lastgroup == "ph" else "") for m in self._special.finditer(s)]

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


def _changed_by(cc: opencc.OpenCC) -> list[str]:
    """Characters that the converter changes on their own; a text without any is left as it is."""
    chars = [chr(c) for r in ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00)) for c in range(*r)]
    conv = cc.convert("\n".join(chars)).split("\n")
    if len(conv) != len(chars):  # a conversion crossed a line: fall back to one call per character
        conv = [cc.convert(c) for c in chars]
    return [c for c, d in zip(chars, conv, strict=True) if c != d]


def _char_class(chars: Iterable[str]) -> str:
    """The characters as the inside of a regex character class."""
    return "".join(re.escape(c) for c in sorted(set(chars)))


def _apply_plain(s: str, edits: list[tuple[int, int, str]]) -> str:
    out, pos = [], 0
    for a, b, rep in sorted(edits):
        out.append(s[pos:a])
        out.append(rep)
        pos = b
    out.append(s[pos:])
    return "".join(out)


def _merged(
    folded: str, edits: list[tuple[int, int, str]], step: list[tuple[int, int, str]]
) -> tuple[list[tuple[int, int, str]], str]:
    """``edits`` (on ``folded``) followed by ``step`` (on their result), as one sorted list on ``folded``, and the
    text they make."""
    merged = sorted(_compose(edits, _EditMap(len(folded), edits), step)) if edits else sorted(step)
    return merged, _apply_plain(folded, merged)


def _compose(
    edits: list[tuple[int, int, str]], base_map: _EditMap, vedits: list[tuple[int, int, str]]
) -> list[tuple[int, int, str]]:
    """Merge first-pass edits with variant edits found in the first pass's output."""
    covered: list[tuple[int, int, str]] = []
    for a, b, rep in vedits:
        covered.append((base_map(a)[0], base_map(b - 1)[1], rep))
    merged = [e for e in edits if not any(c[0] <= e[0] and e[1] <= c[1] for c in covered)]
    return merged + covered


class _Rewritten(Normalized):
    """A normalised text rewritten once more (:func:`rewritten`); spans map through both steps."""

    __slots__ = ("base",)

    def __init__(self, base: Normalized, text: str, edits: _EditMap) -> None:
        super().__init__(base.original, text, edits, None)
        self.base = base

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        if end <= start:
            pos = self.edits(start)[0] if start < len(self.text) else len(self.base.text)
            return self.base.to_original(pos, pos)
        return self.base.to_original(self.edits(start)[0], self.edits(end - 1)[1])


def rewritten(n: Normalized, edits: list[tuple[int, int, str]]) -> Normalized:
    """``n.text`` with sorted, non-overlapping ``(start, end, replacement)`` edits applied; a span of the result maps
    to ``n.original`` as a span of ``n.text`` does (a replacement maps to the whole range it replaced)."""
    return _Rewritten(n, _apply_plain(n.text, edits), _EditMap(len(n.text), edits))


@cache
def default_normalizer() -> Normalizer:
    data = resources.files("weiquan.analyze").joinpath("data/normalize.yaml").read_text(encoding="utf-8")
    return Normalizer(yaml.safe_load(data))


def normalize(text: str) -> Normalized:
    return default_normalizer().normalize(text)


# Quoted direct speech inside a retelling keeps its own persons ("他说：“我是法院的”").
_QUOTED = re.compile(r"“[^”]*”|「[^」]*」|『[^』]*』|\"[^\"]*\"|‘[^’]*’")


def as_addressee(n: Normalized) -> Normalized:
    """The retelling register (issue #15): in a complaint or a note of a call the writer is the person the acts were
    aimed at, so the writer's 我 is read as the addressee's 你 ("他们说要爆我通讯录" reads as "要爆你通讯录").
    Quoted direct speech is left as it is. One character for one: every offset, and so every span, is unchanged."""
    s = n.text
    if "我" not in s:
        return n
    keep = [m.span() for m in _QUOTED.finditer(s)]
    out = list(s)
    k = 0
    for i, ch in enumerate(out):
        while k < len(keep) and keep[k][1] <= i:
            k += 1
        if ch == "我" and not (k < len(keep) and keep[k][0] <= i):
            out[i] = "你"
    return Normalized(n.original, "".join(out), n.edits, n.fold)
