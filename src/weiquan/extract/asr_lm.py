"""N-best rescoring of Whisper's beam with a Chinese word language model (issue #18, fourth round).

On a phone line Whisper base often has the right reading in its beam but ranks a near-sounding one first
(仗单 for 账单, 分析 for 分期). Here the decoder returns its ``n`` best hypotheses per 30-second window
instead of one; each gets a combined score

    acoustic log-probability (cumulative, Whisper's own)  +  weight × word-LM log-probability of its text

and the best combined hypothesis is handed back to faster-whisper as if it had been the beam's first, so
segment times, the quality filters and everything after work unchanged.

The language model is a word unigram over two word lists, interpolated: the general Chinese word
frequencies of jieba 0.42.1's dictionary (MIT; 349,045 words, read as data) and the collection domain's
(``data/asr_domain_words.tsv``, word counts of the project's authored collection-message corpus made by
``scripts/make_asr_lm.py``, plus the collection vocabulary and the lender registry's names). A text's
score is its most probable segmentation into words (the same dynamic programme jieba uses).

Guards against inventing text the audio does not support:
- only hypotheses the acoustic model produced in its own beam are candidates — the LM never writes a
  character; it only re-ranks readings Whisper itself found for this audio;
- a candidate's acoustic log-probability may be at most ``max_acoustic_gap`` nats below the beam's best;
- a candidate must have the same number of characters (punctuation and spaces ignored) as the beam's best:
  the LM can swap a misheard word for another reading of the same sounds, never drop or add syllables
  (a unigram LM would otherwise prefer shorter texts);
- the LM gain must exceed ``min_lm_gain`` nats, so a near tie keeps Whisper's choice.
Every re-ranking is recorded (what the beam's best said, what was chosen, both scores) beside the
transcript. ``WEIQUAN_ASR_RESCORE=0`` turns the step off (Whisper's first hypothesis, as before).

Seventh round: the candidates can come from two beams over the same audio window (``NBestWhisper.pool``): the
decoder's own, and a second one with the hotwords extended by the collection vocabulary. Hotwords alone put
their words into clean speech (征信 heard as 征行); pooled, the first beam's best stays the reference of every
guard above, so a reading of the second beam is used only where the same guards and the LM prefer it.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from weiquan.extract.asr_correct import word_frequencies

_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
_IGNORED = re.compile(r"[\s，。！？、,.!?：:；;\"'“”‘’（）()…—-]+")
MAX_WORD_LEN = 8
# Bumped when the choice itself changes (part of the transcripts' cache key): 2 = decoding loops skipped.
CHOICE_VERSION = 2


@functools.cache
def domain_words() -> dict[str, int]:
    """Word counts of the collection domain (data/asr_domain_words.tsv: ``word<TAB>count``)."""
    return {k: v for k, v in _domain_counts().items() if " " not in k}


@functools.cache
def domain_bigrams() -> dict[tuple[str, str], int]:
    """Counts of word pairs of the collection domain (the same file: ``word word<TAB>count``)."""
    out: dict[tuple[str, str], int] = {}
    for key, count in _domain_counts().items():
        if " " in key:
            first, second = key.split(" ", 1)
            out[first, second] = count
    return out


@functools.cache
def _domain_counts() -> dict[str, int]:
    out: dict[str, int] = {}
    text = resources.files("weiquan.extract").joinpath("data/asr_domain_words.tsv").read_text("utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, count = line.split("\t")
            out[key] = int(count)
    return out


def segment(text: str, logp: Callable[[str], float | None], unknown: float) -> tuple[float, list[str]]:
    """Most probable split of a run of Han characters into words: (log-probability, words).

    ``logp(word)`` is None for a string that is not a word; a single character that is not a word costs
    ``unknown``."""
    n = len(text)
    best: list[tuple[float, int]] = [(0.0, 0)] * (n + 1)  # best[i]: score of text[i:], end of first word
    for i in range(n - 1, -1, -1):
        cands = []
        for j in range(i + 1, min(n, i + MAX_WORD_LEN) + 1):
            lp = logp(text[i:j])
            if lp is None and j == i + 1:
                lp = unknown
            if lp is not None:
                cands.append((lp + best[j][0], j))
        best[i] = max(cands)
    words, i = [], 0
    while i < n:
        j = best[i][1]
        words.append(text[i:j])
        i = j
    return best[0][0], words


class WordLM:
    """Interpolated word unigram: ``(1-alpha)·P_general + alpha·P_domain``; unknown characters get
    jieba's floor (count 1 in the general list). With ``beta`` > 0, a word that follows a domain word is
    scored ``(1-beta)·P_unigram + beta·c(previous, word) / c(previous)`` over the most probable segmentation
    (domain word pairs: 发工资, 工资还没)."""

    def __init__(
        self,
        general: Mapping[str, int] | None = None,
        domain: Mapping[str, int] | None = None,
        *,
        alpha: float = 0.5,
        extra_words: Iterable[str] = (),
        extra_count: int = 10,
        bigrams: Mapping[tuple[str, str], int] | None = None,
        beta: float = 0.0,
    ) -> None:
        self.general = word_frequencies() if general is None else general
        dom = dict(domain_words() if domain is None else domain)
        for w in extra_words:
            dom[w] = max(dom.get(w, 0), extra_count)
        self.domain = dom
        self.alpha, self.beta = alpha, beta
        self.bigrams = (domain_bigrams() if bigrams is None else bigrams) if beta > 0 else {}
        self._ng = float(sum(self.general.values())) or 1.0
        self._nd = float(sum(self.domain.values())) or 1.0
        self.unknown = math.log((1 - alpha) / self._ng) if alpha < 1 else math.log(1 / self._nd)

    def word_logprob(self, word: str) -> float | None:
        g, d = self.general.get(word, 0), self.domain.get(word, 0)
        if not g and not d:
            return None
        p = (1 - self.alpha) * g / self._ng + self.alpha * d / self._nd
        return math.log(p) if p > 0 else None

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one LM per engine, texts repeat across hypotheses
    def score(self, text: str) -> float:
        """Log-probability of ``text``: its Han runs as words; every other character (a digit, a Latin
        letter) costs as much as an unknown character; punctuation and spaces are not scored."""
        total = self.unknown * len(_HAN_RUN.sub("", bare(text)))
        for run in _HAN_RUN.findall(text):
            lp, words = segment(run, self.word_logprob, self.unknown)
            if not self.beta:
                total += lp
                continue
            prev = ""
            for w in words:
                p = math.exp(self.word_logprob(w) or self.unknown)
                hist = self.domain.get(prev, 0) if prev else 0
                if hist:
                    p = (1 - self.beta) * p + self.beta * self.bigrams.get((prev, w), 0) / hist
                total += math.log(p)
                prev = w
        return total


@dataclass(frozen=True)
class Hypothesis:
    text: str
    acoustic: float  # cumulative log-probability of the tokens (Whisper's score × length)


@dataclass(frozen=True)
class RescoreSettings:
    hypotheses: int = 5
    weight: float = 0.3
    max_acoustic_gap: float = 4.0
    min_lm_gain: float = 2.0


def bare(text: str) -> str:
    return _IGNORED.sub("", text)


_LOOP = re.compile(r"(.)\1{3}")


def is_loop(text: str) -> bool:
    """A decoding loop: one character four or more times in a row (ＧＧＧＧＧＧ…), punctuation ignored."""
    return bool(_LOOP.search(bare(text)))


def choose(hyps: Sequence[Hypothesis], lm: WordLM, cfg: RescoreSettings) -> tuple[int, dict[str, Any] | None]:
    """Index of the hypothesis to use and, when it is not the beam's best (index 0), a record of why.

    A hypothesis that is a decoding loop (``is_loop``) is never chosen; when the beam's best is one, the
    first hypothesis that is not takes its place as the reference (a wide beam can rank a short loop
    first: its score is normalised by length)."""
    if len(hyps) < 2:
        return 0, None
    ref = next((i for i, h in enumerate(hyps) if not is_loop(h.text)), 0)
    top = hyps[ref]
    top_lm = lm.score(top.text)
    best_i, best_total = ref, top.acoustic + cfg.weight * top_lm
    for i, h in enumerate(hyps):
        if i == ref or is_loop(h.text):
            continue
        if len(bare(h.text)) != len(bare(top.text)) or bare(h.text) == bare(top.text):
            continue
        if top.acoustic - h.acoustic > cfg.max_acoustic_gap:
            continue
        h_lm = lm.score(h.text)
        if h_lm - top_lm < cfg.min_lm_gain:
            continue
        total = h.acoustic + cfg.weight * h_lm
        if total > best_total:
            best_i, best_total = i, total
    if best_i == 0:
        return 0, None
    h = hyps[best_i]
    return best_i, {
        "heard": hyps[0].text,
        "chosen": h.text,
        "acoustic_gap": round(hyps[0].acoustic - h.acoustic, 3),
        "lm_gain": round(lm.score(h.text) - lm.score(hyps[0].text), 3),
        **({"loop": True} if ref else {}),
    }


class _Result:
    """What faster-whisper reads of a ctranslate2 generation result, with the chosen hypothesis first."""

    def __init__(self, sequences_ids: list[list[int]], scores: list[float], no_speech_prob: float) -> None:
        self.sequences_ids, self.scores, self.no_speech_prob = sequences_ids, scores, no_speech_prob


class NBestWhisper:
    """Stands in for faster-whisper's ``ctranslate2.models.Whisper``: a beam-search ``generate`` returns
    ``hypotheses`` readings, re-ranked by ``choose``; everything else is the wrapped model's.

    ``pool`` (seventh #18 round): maps a window's decoder prompt to the prompt of a second beam search on the
    same encoder output (the extended hotwords), or None to skip it. The second beam's readings join the
    candidates after the first beam's (a reading both found keeps the first beam's score); the first beam's
    best stays the reference of the guards, so a reading of the second decode is used only where it passes
    them against what the first decode heard."""

    def __init__(
        self,
        model: Any,
        decode: Callable[[list[int]], str],
        lm: WordLM,
        cfg: RescoreSettings,
        pool: Callable[[list[int]], list[int] | None] | None = None,
    ) -> None:
        self._model, self._decode, self.lm, self.cfg, self.pool = model, decode, lm, cfg, pool
        self.log: list[dict[str, Any]] = []  # re-rankings since the last reset (one transcript)
        self.nbest: list[list[Hypothesis]] | None = None  # every window's hypotheses, when a caller asks

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)

    def generate(self, features: Any, prompts: Any, **kw: Any) -> list[Any]:
        beam = int(kw.get("beam_size", 1))
        if beam < 2 or "sampling_temperature" in kw:
            return list(self._model.generate(features, prompts, **kw))
        kw["num_hypotheses"] = min(self.cfg.hypotheses, beam)
        lp = float(kw.get("length_penalty", 1.0))
        results = list(self._model.generate(features, prompts, **kw))
        seconds: list[Any] = [None] * len(results)
        alt = [self.pool(list(p)) for p in prompts] if self.pool is not None else []
        if alt and all(a is not None for a in alt):
            seconds = list(self._model.generate(features, alt, **kw))
        out = []
        for r, r2 in zip(results, seconds, strict=True):
            ids, scores = list(r.sequences_ids), list(r.scores)
            hyps = [
                Hypothesis(self._decode(seq), float(sc) * (len(seq) ** lp)) for seq, sc in zip(ids, scores, strict=True)
            ]
            first = len(hyps)
            if r2 is not None:
                seen = {h.text for h in hyps}
                for seq, sc in zip(r2.sequences_ids, r2.scores, strict=True):
                    h = Hypothesis(self._decode(seq), float(sc) * (len(seq) ** lp))
                    if h.text not in seen:  # a reading both beams found keeps the first beam's score
                        seen.add(h.text)
                        ids.append(seq)
                        scores.append(sc)
                        hyps.append(h)
            if self.nbest is not None:
                self.nbest.append(hyps)
            k, why = choose(hyps, self.lm, self.cfg)
            if why is not None:
                self.log.append({**why, "pooled": True} if k >= first else why)
            order = [k, *(i for i in range(len(hyps)) if i != k)]
            out.append(_Result([ids[i] for i in order], [scores[i] for i in order], r.no_speech_prob))
        return out
