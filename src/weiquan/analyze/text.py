"""The combined text detector: rules first, the trained classifier for what rules miss.

Decision per category:

* a kept rule match is a hit (span = the rule's match); when the classifier agrees, the confidence
  rises a little;
* otherwise the classifier's probability must reach the category's threshold; when a rule for that
  category matched but was cancelled by context (negation, quoting the law, an anti-fraud warning,
  an agreed visit), the classifier needs ``veto_threshold`` to overrule the context.

``classify_text(text)`` is the public entry point used by the CLI, the web UI and ``analyze_case``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

from weiquan.analyze.base import Hit
from weiquan.analyze.classifier import ClassifierDetector, Scores, default_classifier
from weiquan.analyze.rules import RuleDetector, default_rules

DETECTOR_ID = "text.combined"
# Decision thresholds are model-calibration choices, not legal facts.
DEFAULT_THRESHOLD = 0.8
VETO_THRESHOLD = 0.97


@dataclass
class CombinedTextDetector:
    rules: RuleDetector
    classifier: ClassifierDetector | None
    threshold: float = DEFAULT_THRESHOLD
    veto_threshold: float = VETO_THRESHOLD
    per_label: dict[str, float] = field(default_factory=dict)
    kind: str = "text"
    id: str = DETECTOR_ID

    @property
    def version(self) -> str:
        clf = self.classifier.version if self.classifier else "none"
        return f"{self.rules.version}+{clf}"

    def detect(self, text: str) -> list[Hit]:
        return self.detect_many([text])[0]

    def detect_many(self, texts: Sequence[str]) -> list[list[Hit]]:
        scores: list[Scores | None] = (
            list(self.classifier.score_many(list(texts))) if self.classifier and texts else [None] * len(texts)
        )
        return [self._combine(t, sc) for t, sc in zip(texts, scores, strict=True)]

    def _combine(self, text: str, sc: Scores | None) -> list[Hit]:
        _, matches = self.rules.match(text)
        rule_hits = {h.category: h for h in self.rules.detect(text)} if any(m.kept for m in matches) else {}
        vetoed = {m.rule.category for m in matches if not m.kept and m.reason not in ("tense", "with")}
        out: list[Hit] = []
        probs = sc.probs if sc else {}
        for cat, h in rule_hits.items():
            p = probs.get(cat, 0.0)
            conf = min(0.99, h.confidence + 0.05) if p >= 0.5 else h.confidence
            out.append(Hit(h.category, h.spans, h.detector_id, h.detector_version, conf, h.explanation, h.rule_id))
        if sc is not None and self.classifier is not None:
            for cat, p in probs.items():
                if cat in rule_hits:
                    continue
                thr = self.veto_threshold if cat in vetoed else self.per_label.get(cat, self.threshold)
                if p >= thr:
                    out.extend(self.classifier.hits_from(Scores(sc.normalized, {cat: p}), threshold=thr))
        return sorted(out, key=lambda h: (-h.confidence, h.category))


@cache
def default_text_detector() -> CombinedTextDetector:
    return CombinedTextDetector(default_rules(), default_classifier())


def classify_text(text: str) -> list[Hit]:
    """Hits (category, spans, detector, confidence, explanation) for one text."""
    return default_text_detector().detect(text)


def labels_of(hits: Sequence[Hit]) -> list[str]:
    """The predicted label set: categories hit, or ``["lawful"]`` when none."""
    cats = sorted({h.category for h in hits})
    return cats or ["lawful"]
