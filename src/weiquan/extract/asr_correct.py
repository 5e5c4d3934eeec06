"""Conservative post-correction of near-homophones to the collection vocabulary (issue #18).

Whisper base on a phone line writes what it hears in characters that sound like the word but are not
it: 于七 for 逾期, 通讯路 for 通讯录, 花贝 for 花呗. This pass replaces such a run of characters by a
listed term (``data/asr_vocabulary.yaml``, ``correction``) only when all of these hold:

- the run sounds like the term: the same toneless pinyin syllable for syllable (each character in its
  common reading — rare readings of polyphonic characters made 款失败 sound like 新易贷); for terms of
  three or more characters one syllable may instead be *near*: the same initial with a confusable final
  (in/un/ing, i/u/ü, en/eng, an/ang: 通信路 ~ 通讯录) or the same final with a confusable initial
  (zh/z, ch/c, sh/s, n/l, f/h);
- the run is not itself a word: not in the Chinese word list of jieba's dictionary (349,045 words, e.g.
  正心, 一期, 与其, 戒备, 上面 stay), not a term or lender name (中银消金 never becomes 中信消金) and not in
  the data file's ``keep`` list;
- the run does not cut a word in two at its edges: no word of two to four characters with frequency
  ≥ ``edge_word_freq`` in jieba's counts crosses the run's first or last character boundary (通信路由器
  keeps its 路由);
- for a two-character term, and for any near (not exact) match, the transcript also contains an exact
  collection word (``context``: 还款, 借款, 欠款, 催收 …, or a lender name): ordinary speech gets none of
  these corrections.

A second, smaller list (``phrases``) names collocations in which a misheard run is certain from its
neighbours even though the run is a word or does not sound exactly like the term: 逾期 heard as 一期 /
一七 / 已期 right before a length of time or 记录 (已经一七四十五天, 一期记录会上报征信), 前 heard as 钱
in a deadline (下午五点钱还款). Each is a regular expression for the run (with look-around for the
neighbours) and its replacement of the same length; they too fire only in a transcript with a collection
word.

The replacement has the same number of characters, so segment times and character spans are kept;
every change is recorded (what was heard, where, the term) beside the transcript.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path


from weiquan.errors import MissingComponent

_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
_INITIALS = (
    "zh",
    "ch",
    "sh",
    "b",
    "p",
    "m",
    "f",
    "d",
    "t",
    "n",
    "l",
    "g",
    "k",
    "h",
    "j",
    "q",
    "x",
    "r",
    "z",
    "c",
    "s",
    "y",
    "w",
)
# Confusable on a phone line (and in southern Mandarin): the classes of near initials and near finals.
_INITIAL_CLASS = {"zh": "z", "ch": "c", "sh": "s", "n": "l", "h": "f"}
_FINAL_CLASS = {"ing": "in", "un": "in", "vn": "in", "u": "i", "v": "i", "eng": "en", "ang": "an"}


@dataclass(frozen=True)
class Correction:
    """One replaced run: ``start``/``end`` are character offsets in the text it was made in."""

    start: int
    end: int
    heard: str
    term: str


def _split(syllable: str) -> tuple[str, str]:
    for ini in _INITIALS:
        if syllable.startswith(ini) and len(syllable) > len(ini):
            return ini, syllable[len(ini) :]
    return "", syllable


def _near(a: str, b: str) -> bool:
    """Same initial and confusable finals, or same final and confusable initials."""
    (ia, fa), (ib, fb) = _split(a), _split(b)
    if ia == ib:
        return _FINAL_CLASS.get(fa, fa) == _FINAL_CLASS.get(fb, fb)
    return fa == fb and _INITIAL_CLASS.get(ia, ia) == _INITIAL_CLASS.get(ib, ib)


@functools.cache
def _syllables(text: str) -> tuple[str, ...]:
    """Toneless pinyin, each character in its common reading in this context (ü written v)."""
    from pypinyin import Style, lazy_pinyin

    return tuple(lazy_pinyin(text, style=Style.NORMAL, v_to_u=False))


@functools.cache
def word_frequencies() -> Mapping[str, int]:
    """jieba's dictionary (word → frequency), read as a plain word list; jieba itself is not run."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise MissingComponent(
            "未安装 jieba 词典（语音转写的词汇校正需要）。请运行：pip install 'weiquan[asr]'",
            "jieba's dictionary is not installed (needed by the transcript's vocabulary "
            "correction); run: pip install 'weiquan[asr]'",
        )
    out: dict[str, int] = {}
    with (Path(next(iter(spec.submodule_search_locations))) / "dict.txt").open(encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2:
                out[parts[0]] = int(parts[1])
    return out


class VocabularyCorrector:
    """Replace near-homophones of listed terms; see the module docstring for when it fires."""

    def __init__(
        self,
        terms: Iterable[str],
        context: Iterable[str],
        keep: Iterable[str] = (),
        *,
        words: Mapping[str, int] | None = None,
        edge_word_freq: int = 20,
        phrases: Iterable[tuple[str, str]] = (),
    ) -> None:
        """``phrases``: (regular expression of a misheard run with its neighbours as look-around, the
        replacement of the same length)."""
        self.phrases = tuple((re.compile(rx), term) for rx, term in phrases)
        self.terms = tuple(dict.fromkeys(t for t in terms if len(t) >= 2 and _HAN.match(t)))
        self.context = tuple(dict.fromkeys(context))
        self.keep = frozenset(keep) | frozenset(self.terms)
        self.words = word_frequencies() if words is None else words
        self.edge_word_freq = edge_word_freq

    def has_context(self, text: str) -> bool:
        return any(c in text for c in self.context)

    def _match(self, run: str, term: str) -> str | None:
        """ "exact" (toneless homophone), "near" (one syllable near, 3+ characters) or None."""
        heard, want = _syllables(run), _syllables(term)
        if len(heard) != len(want):
            return None
        misses = 0
        for a, b in zip(heard, want, strict=True):
            if a == b:
                continue
            if len(term) < 3 or misses or not _near(a, b):
                return None
            misses += 1
        return "near" if misses else "exact"

    def _is_word_or_cuts_one(self, text: str, start: int, end: int) -> bool:
        run = text[start:end]
        if run in self.keep or run in self.words:
            return True
        # Any 2–4 character word that crosses one of the run's edges (路由 and 路由器 in 通信路由器).
        for a in range(max(0, start - 3), end):
            for b in range(a + 2, min(len(text), a + 4) + 1):
                crosses = a < start < b or a < end < b
                if crosses and self.words.get(text[a:b], 0) >= self.edge_word_freq:
                    return True
        return False

    def correct(self, text: str, *, context: bool | None = None) -> tuple[str, list[Correction]]:
        """``text`` with near-homophones of the terms replaced, and what was replaced.

        ``context``: whether the whole transcript has a collection word (default: look in ``text``)."""
        ctx = self.has_context(text) if context is None else context
        chars, done = list(text), []
        i = 0
        while i < len(chars):
            for term in sorted(self.terms, key=len, reverse=True):
                j = i + len(term)
                run = "".join(chars[i:j])
                if j > len(chars) or run == term or not _HAN.match(run):
                    continue
                kind = self._match(run, term)
                if kind is None or ((kind == "near" or len(term) == 2) and not ctx):
                    continue
                if self._is_word_or_cuts_one("".join(chars), i, j):
                    continue
                chars[i:j] = list(term)
                done.append(Correction(i, j, run, term))
                i = j - 1
                break
            i += 1
        if ctx:
            for rx, term in self.phrases:
                for m in rx.finditer("".join(chars)):
                    if len(m.group()) == len(term) and m.group() != term:
                        chars[m.start() : m.end()] = list(term)
                        done.append(Correction(m.start(), m.end(), m.group(), term))
        return "".join(chars), sorted(done, key=lambda c: c.start)
