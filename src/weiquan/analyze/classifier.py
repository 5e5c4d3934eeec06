"""The trained text classifier (character n-grams + one logistic regression per category).

The model file ships in the package (``analyze/model/text_classifier.joblib``) and is loaded from disk
only; it is produced by ``scripts/train_detector.py`` from the team-written corpus. The span of a
classifier hit is the stretch of text whose n-grams push hardest towards the category (maximum-sum
segment of per-character contributions), mapped back to the original text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from weiquan.analyze.base import Hit
from weiquan.analyze.normalize import Normalized, Normalizer, default_normalizer
from weiquan.analyze.training import MODEL_PATH
from weiquan.errors import MissingComponent

DETECTOR_ID = "text.classifier"


@dataclass(frozen=True)
class Scores:
    normalized: Normalized
    probs: dict[str, float]


class ClassifierDetector:
    """A :class:`weiquan.analyze.base.TextDetector` backed by the shipped model."""

    kind = "text"
    id = DETECTOR_ID

    def __init__(self, payload: dict[str, Any], normalizer: Normalizer, threshold: float = 0.5) -> None:
        self.version: str = payload["version"]
        self.labels: list[str] = list(payload["labels"])
        self.vec = payload["vectorizer"]
        self.coef: np.ndarray = payload["coef"]
        self.intercept: np.ndarray = payload["intercept"]
        self.meta = {k: payload[k] for k in ("trained_at", "corpus") if k in payload}
        self.normalizer = normalizer
        self.threshold = threshold
        self._coef_t = np.ascontiguousarray(self.coef.T)
        self._vocab: dict[str, int] = self.vec.vocabulary_
        self._idf = self.vec.idf_.astype(np.float32)

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> ClassifierDetector:
        if not path.exists():
            raise MissingComponent(
                f"文本分类模型不存在：{path}。请运行 python scripts/train_detector.py 生成。",
                f"text classifier model missing: {path}. Run python scripts/train_detector.py to build it.",
            )
        import joblib

        return cls(joblib.load(path), default_normalizer())

    # -- scoring -----------------------------------------------------------------------------------
    def score_many(self, texts: list[str]) -> list[Scores]:
        norms = [self.normalizer.normalize(t) for t in texts]
        x = self.vec.transform([n.text for n in norms])
        logits = np.asarray(x @ self._coef_t) + self.intercept
        probs = 1.0 / (1.0 + np.exp(-logits))
        return [Scores(n, dict(zip(self.labels, map(float, row), strict=True))) for n, row in zip(norms, probs, strict=True)]

    def score(self, text: str) -> Scores:
        return self.score_many([text])[0]

    def span_for(self, n: Normalized, label: str) -> tuple[int, int]:
        """Original-text span of the strongest evidence for ``label``."""
        s = n.text
        if not s:
            return 0, 0
        row = self.coef[self.labels.index(label)]
        contrib = np.zeros(len(s), dtype=np.float32)
        for size in (1, 2, 3):
            for i in range(len(s) - size + 1):
                j = self._vocab.get(s[i:i + size])
                if j is not None:
                    contrib[i:i + size] += row[j] * self._idf[j] / size
        # maximum-sum contiguous segment (Kadane)
        best, best_a, best_b = -np.inf, 0, len(s)
        cur, a = 0.0, 0
        for i, v in enumerate(contrib):
            if cur <= 0:
                cur, a = float(v), i
            else:
                cur += float(v)
            if cur > best:
                best, best_a, best_b = cur, a, i + 1
        return n.to_original(best_a, best_b)

    def hits_from(self, sc: Scores, *, threshold: float | None = None) -> list[Hit]:
        thr = self.threshold if threshold is None else threshold
        out: list[Hit] = []
        for label, p in sc.probs.items():
            if p >= thr:
                span = self.span_for(sc.normalized, label)
                quote = sc.normalized.original[span[0]:span[1]]
                out.append(Hit(label, (span,), self.id, self.version, p,
                               f"分类模型 {self.version} 判断为该类（概率 {p:.2f}），主要依据「{quote}」"))
        return out

    def detect(self, text: str) -> list[Hit]:
        return self.hits_from(self.score(text))


@cache
def default_classifier() -> ClassifierDetector:
    return ClassifierDetector.load()
