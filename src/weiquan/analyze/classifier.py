"""The trained text classifier (character n-grams + one logistic regression per category).

The model file ships in the package (``analyze/model/text_classifier.npz``, plain arrays: loading needs numpy
only) and is loaded from disk only; it is produced by ``scripts/train_detector.py`` from the team-written corpus. The span of a
classifier hit is the stretch of text whose n-grams push hardest towards the category (maximum-sum
segment of per-character contributions), mapped back to the original text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from weiquan.analyze.base import Hit
from weiquan.analyze.featurize import NgramFeaturizer, Occurrences, max_segment
from weiquan.analyze.normalize import Normalized, Normalizer, default_normalizer
from weiquan.analyze.training import MODEL_PATH, load_model
from weiquan.errors import MissingComponent

DETECTOR_ID = "text.classifier"


class Scores(NamedTuple):
    """Per-label probabilities of one text (``row`` in the order of ``labels``); one per message, so a
    cheap ``NamedTuple``."""

    normalized: Normalized
    labels: tuple[str, ...]
    row: list[float]

    @property
    def probs(self) -> dict[str, float]:
        return dict(zip(self.labels, self.row, strict=True))


@dataclass(frozen=True)
class BatchScores:
    """Scores of a batch plus the n-gram occurrences needed to compute hit spans in one pass."""

    scores: list[Scores]
    occurrences: Occurrences


class ClassifierDetector:
    """A :class:`weiquan.analyze.base.TextDetector` backed by the shipped model."""

    kind = "text"
    id = DETECTOR_ID
    label_zh = "文字模型识别"

    def __init__(self, payload: dict[str, Any], normalizer: Normalizer, threshold: float = 0.5) -> None:
        self.version: str = payload["version"]
        self.labels: list[str] = list(payload["labels"])
        vec_settings = payload["vectorizer"]
        if vec_settings != {
            "analyzer": "char",
            "ngram_range": [1, 3],
            "sublinear_tf": True,
            "norm": "l2",
            "lowercase": True,
        }:
            raise ValueError(f"unsupported vectorizer settings in the model: {vec_settings}")
        self.ngram_range = tuple(vec_settings["ngram_range"])
        self.coef: np.ndarray = payload["coef"]
        self.intercept: np.ndarray = payload["intercept"]
        self.meta = {k: payload[k] for k in ("trained_at", "corpus") if k in payload}
        self.normalizer = normalizer
        self.threshold = threshold
        self._coef_t = np.ascontiguousarray(self.coef.T)
        self._vocab: dict[str, int] = payload["vocabulary"]
        self._idf_full = np.asarray(payload["idf"], dtype=np.float64)
        self._idf = self._idf_full.astype(np.float32)
        self._vec: Any = None
        self._label_weights: dict[str, dict[str, float]] = {}
        self._label_index = {lab: i for i, lab in enumerate(self.labels)}
        # per-label n-gram evidence weights (coefficient x idf), as the reference span loop computes them
        self._span_weights = (self.coef * self._idf).astype(np.float64)
        self.featurizer = NgramFeaturizer(self._vocab, self._idf_full, self.ngram_range)
        self._coef_t64 = self._coef_t.astype(np.float64)

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> ClassifierDetector:
        if not path.exists():
            raise MissingComponent(
                f"文本分类模型不存在：{path}。请运行 python scripts/train_detector.py 生成。",
                f"text classifier model missing: {path}. Run python scripts/train_detector.py to build it.",
            )
        return cls(load_model(path), default_normalizer())

    @property
    def vec(self) -> Any:
        """An sklearn ``TfidfVectorizer`` equal to the one trained (built on first use: the reference path and
        the tests compare the fast featuriser against it; inference never needs it)."""
        if self._vec is None:
            from sklearn.feature_extraction.text import TfidfVectorizer

            v = TfidfVectorizer(
                analyzer="char",
                ngram_range=self.ngram_range,
                sublinear_tf=True,
                vocabulary=self._vocab,
                dtype=np.float32,
            )
            v.idf_ = self._idf_full
            self._vec = v
        return self._vec

    # -- scoring -----------------------------------------------------------------------------------
    def score_many(self, texts: list[str]) -> list[Scores]:
        return self.score_batch(texts).scores

    def score_batch(self, texts: list[str], norms: list[Normalized] | None = None) -> BatchScores:
        """Probabilities for a batch (one sparse product for all texts and labels)."""
        if norms is None:
            norms = [self.normalizer.normalize(t) for t in texts]
        occ = self.featurizer.occurrences([n.text for n in norms])
        x = self.featurizer.transform_occurrences(occ)
        probs = 1.0 / (1.0 + np.exp(-(np.asarray(x @ self._coef_t64) + self.intercept)))
        labels = tuple(self.labels)
        return BatchScores([Scores(n, labels, row) for n, row in zip(norms, probs.tolist())], occ)

    def score_many_reference(self, texts: list[str], norms: list[Normalized] | None = None) -> list[Scores]:
        """The sklearn path (slow; kept to test the fast featuriser against)."""
        norms = norms if norms is not None else [self.normalizer.normalize(t) for t in texts]
        x = self.vec.transform([n.text for n in norms])
        logits = np.asarray(x @ self._coef_t) + self.intercept
        probs = 1.0 / (1.0 + np.exp(-logits))
        labels = tuple(self.labels)
        return [Scores(n, labels, [float(p) for p in row]) for n, row in zip(norms, probs, strict=True)]

    def score(self, text: str) -> Scores:
        return self.score_many([text])[0]

    def _weights(self, label: str) -> dict[str, float]:
        """n-gram -> contribution weight (coefficient x idf) for one label, built once."""
        w = self._label_weights.get(label)
        if w is None:
            row = self.coef[self.labels.index(label)]
            w = {g: float(row[j] * self._idf[j]) for g, j in self._vocab.items() if row[j] != 0}
            self._label_weights[label] = w
        return w

    def span_for(self, n: Normalized, label: str) -> tuple[int, int]:
        """Original-text span of the strongest evidence for ``label``."""
        s = n.text
        if not s:
            return 0, 0
        w = self._weights(label)
        contrib = [0.0] * len(s)
        for size in (1, 2, 3):
            for i in range(len(s) - size + 1):
                v = w.get(s[i : i + size])
                if v:
                    v /= size
                    for k in range(i, i + size):
                        contrib[k] += v
        return n.to_original(*max_segment(contrib))

    def spans_batch(self, batch: BatchScores, wanted: list[tuple[int, str]]) -> list[tuple[int, int]]:
        """Original-text spans for many (text index, label) pairs of one batch, in one pass."""
        occ = batch.occurrences
        fast = [
            i
            for i, (d, _) in enumerate(wanted)
            if batch.scores[d].normalized.text and occ.texts[d] == batch.scores[d].normalized.text
        ]
        out: list[tuple[int, int]] = [(0, 0)] * len(wanted)
        if fast:
            docs = np.array([wanted[i][0] for i in fast], dtype=np.int64)
            rows = np.array([self._label_index[wanted[i][1]] for i in fast], dtype=np.int64)
            for i, contrib in zip(fast, self.featurizer.contributions(occ, docs, rows, self._span_weights)):
                out[i] = batch.scores[wanted[i][0]].normalized.to_original(*max_segment(contrib))
        done = set(fast)
        for i, (d, lab) in enumerate(wanted):  # texts whose analyzer string differs (whitespace runs)
            if i not in done:
                out[i] = self.span_for(batch.scores[d].normalized, lab)
        return out

    def _hit(self, sc: Scores, label: str, p: float, span: tuple[int, int]) -> Hit:
        quote = sc.normalized.original[span[0] : span[1]]
        return Hit(
            label, (span,), self.id, self.version, p, f"文字模型判断为这一类（把握约 {p:.0%}），主要依据「{quote}」"
        )  # no model id: people read this

    def hits_from(self, sc: Scores, *, threshold: float | None = None) -> list[Hit]:
        """Hits of one scored text (reference span loop; see :meth:`detect_batch` for batches)."""
        thr = self.threshold if threshold is None else threshold
        return [
            self._hit(sc, label, p, self.span_for(sc.normalized, label)) for label, p in sc.probs.items() if p >= thr
        ]

    def detect_batch(self, batch: BatchScores, *, threshold: float | None = None) -> list[list[Hit]]:
        thr = self.threshold if threshold is None else threshold
        wanted = [(d, label) for d, sc in enumerate(batch.scores) for label, p in sc.probs.items() if p >= thr]
        out: list[list[Hit]] = [[] for _ in batch.scores]
        for (d, label), span in zip(wanted, self.spans_batch(batch, wanted)):
            sc = batch.scores[d]
            out[d].append(self._hit(sc, label, sc.row[self._label_index[label]], span))
        return out

    def detect_many(self, texts: list[str]) -> list[list[Hit]]:
        return self.detect_batch(self.score_batch(texts))

    def detect(self, text: str) -> list[Hit]:
        return self.detect_many([text])[0]


@cache
def default_classifier() -> ClassifierDetector:
    return ClassifierDetector.load()
