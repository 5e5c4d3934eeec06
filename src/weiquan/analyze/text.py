"""The combined text detector: rules first, the trained classifier for what rules miss.

Decision per category:

* a kept rule match is a hit (span = the rule's match); when the classifier agrees, the confidence
  rises a little;
* otherwise the classifier's probability must reach the category's threshold; when a rule for that
  category matched but was cancelled by context (negation, quoting the law, an anti-fraud warning,
  an agreed visit), the classifier needs ``veto_threshold`` to overrule the context;
* whole-text contexts marked ``classifier: veto`` in ``data/context.yaml`` (anti-fraud warnings, news,
  published court cases) make every category need ``veto_threshold`` (the `warning` only when its cue is in the
  body, not in the trailing footer of boilerplate; the model reads the body too: ``RuleDetector.body``); in a text marked
  ``classifier: skip`` (a victim asking for help) or without the ``classifier: require`` scope (no
  addressee, no money, debt or demand words) the classifier adds no category.

``classify_text(text)`` is the public entry point used by the CLI, the web UI and ``analyze_case``.

Registers: ``text_detector("message")`` (the default) reads a message sent to someone; ``text_detector("retelling")``
reads a text that retells what collectors did (a complaint in a bulk corpus, the borrower's note of a call or a
visit): the rules' reported-speech contexts do not apply there and the writer's 我 is read as the addressee
(:func:`weiquan.analyze.normalize.as_addressee`), so the act retold is the label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from weiquan.analyze.base import Hit
from weiquan.analyze.classifier import BatchScores, ClassifierDetector, Scores, default_classifier
from weiquan.analyze.normalize import Normalized, as_addressee
from weiquan.analyze.rules import REGISTERS, RuleDetector, default_rules

DETECTOR_ID = "text.combined"
AGREE_BONUS = 0.05


@cache
def combine_config() -> dict[str, Any]:
    """Thresholds and the model's say over word-only rules (``data/combine.yaml``: calibration, not law)."""
    text = resources.files("weiquan.analyze").joinpath("data/combine.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


DEFAULT_THRESHOLD = float(combine_config()["threshold"])
VETO_THRESHOLD = float(combine_config()["veto_threshold"])


@dataclass
class CombinedTextDetector:
    rules: RuleDetector
    classifier: ClassifierDetector | None
    threshold: float = DEFAULT_THRESHOLD
    veto_threshold: float = VETO_THRESHOLD
    per_label: dict[str, float] = field(
        default_factory=lambda: {k: float(v) for k, v in (combine_config().get("per_label") or {}).items()}
    )
    overrulable: frozenset[str] = field(default_factory=lambda: frozenset(combine_config()["model_overrules"]["rules"]))
    implies: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {k: tuple(v) for k, v in (combine_config().get("implies") or {}).items()}
    )
    requires: dict[str, str] = field(default_factory=lambda: dict(combine_config().get("model_requires") or {}))
    overrule_below: float = field(default_factory=lambda: float(combine_config()["model_overrules"]["below"]))
    overrule_below_by: dict[str, float] = field(
        default_factory=lambda: {
            k: float(v) for k, v in (combine_config()["model_overrules"].get("below_by") or {}).items()
        }
    )
    kind: str = "text"
    id: str = DETECTOR_ID
    register: str = "message"
    label_zh: str = "文字规则与模型识别"

    @property
    def parts(self) -> list[Any]:
        """The detectors whose ids its hits carry (``text.rules``, ``text.classifier``), each with its label."""
        return [self.rules, *([self.classifier] if self.classifier else [])]

    @property
    def version(self) -> str:
        clf = self.classifier.version if self.classifier else "none"
        return f"{self.rules.version}+{clf}"

    def detect(self, text: str) -> list[Hit]:
        return self.detect_many([text])[0]

    def detect_many(self, texts: Sequence[str]) -> list[list[Hit]]:
        """Hits for a batch: each text normalised once, one sparse product for the classifier."""
        texts = list(texts)
        if not texts:
            return []
        norms = [self.rules.normalizer.normalize(t) for t in texts]
        if self.register == "retelling":
            norms = [as_addressee(n) for n in norms]
        clf = self.classifier
        batch: BatchScores | None = None
        if clf is not None:
            # the model reads each text without its trailing footer (RuleDetector.body)
            bodies = [self.rules.body(n) for n in norms] if clf.normalizer is self.rules.normalizer else None
            batch = clf.score_batch(texts, bodies)
        out: list[list[Hit]] = []
        wanted: list[tuple[int, str]] = []  # classifier hits that need a span: (text index, label)
        for d, n in enumerate(norms):
            sc = batch.scores[d] if batch is not None else None
            hits, extra = self._decide(n, sc)
            out.append(hits)
            wanted.extend((d, cat) for cat in extra)
        if wanted and clf is not None and batch is not None:
            for (d, cat), span in zip(wanted, clf.spans_batch(batch, wanted)):
                sc = batch.scores[d]
                out[d].append(clf._hit(sc, cat, sc.row[sc.labels.index(cat)], span))
        return [sorted(self._implied(h), key=lambda h: (-h.confidence, h.category)) if h else h for h in out]

    def detect_many_notes(self, texts: Sequence[str]) -> list[list[Hit]]:
        """Notes of calls and visits ("对方自称是法院的工作人员，说今天不还就发传票"): read word for word (the
        caller's own words may be quoted as they are) and in the retelling register; a category found only by the
        retelling reading is added."""
        direct = self.detect_many(texts)
        retold = text_detector("retelling").detect_many(texts)
        out = []
        for d, r in zip(direct, retold, strict=True):
            have = {h.category for h in d}
            out.append(d + [h for h in r if h.category not in have])
        return out

    def _implied(self, hits: list[Hit]) -> list[Hit]:
        """Add the categories another one always carries (``implies`` in data/combine.yaml)."""
        have = {h.category for h in hits}
        extra = []
        for h in hits:
            for cat in self.implies.get(h.category, ()):
                if cat not in have:
                    have.add(cat)
                    extra.append(
                        Hit(
                            cat,
                            h.spans,
                            self.id,
                            self.version,
                            h.confidence,
                            f"{h.explanation}；冒充机构处理民事欠款即虚构法律程序（由「{h.category}」推出）",
                            f"{h.rule_id or 'model'}>{cat}",
                        )
                    )
        return hits + extra if extra else hits

    def _decide(self, n: Normalized, sc: Scores | None) -> tuple[list[Hit], list[str]]:
        """Rule hits (confidence adjusted) and the categories the classifier adds."""
        nr, matches = self.rules.match_normalized(n)  # nr: the rules' view (spoken figures in digits)
        if not matches:
            rule_hits: dict[str, Hit] = {}
            out: list[Hit] = []
        else:
            # a rule hit the classifier agrees with (p >= 0.5) gains a little confidence
            bonus = {c: AGREE_BONUS for c, p in zip(sc.labels, sc.row) if p >= 0.5} if sc is not None else None
            out = self.rules.hits_from(nr, matches, bonus)
            if sc is not None and self.overrulable:
                out = [h for h in out if not self._overruled(h, sc)]
            rule_hits = {h.category: h for h in out}
        extra: list[str] = []
        if sc is not None:
            lowest = (
                min(self.threshold, self.veto_threshold, *self.per_label.values())
                if self.per_label
                else min(self.threshold, self.veto_threshold)
            )
            vetoed: set[str] | None = None
            framed: bool | None = None  # a `classifier: veto` context, looked up only when it can matter
            blocked: frozenset[str] | None = None  # `classifier_blocks` contexts, looked up likewise
            for cat, p in zip(sc.labels, sc.row):
                if p < lowest or cat in rule_hits:
                    continue
                if vetoed is None:
                    if not self.rules.classifier_open(n.text):
                        break
                    vetoed = {m.rule.category for m in matches if not m.kept and m.reason not in ("tense", "with")}
                    blocked = self.rules.classifier_blocked(n.text)
                if blocked and cat in blocked:  # framing in which the model alone never adds this category
                    continue
                veto_ok = p >= self.veto_threshold
                if cat in vetoed:  # a rule for this category was cancelled by context
                    if veto_ok:
                        extra.append(cat)
                    continue
                base_ok = p >= self.per_label.get(cat, self.threshold)
                if veto_ok != base_ok:  # the framing decides
                    if framed is None:
                        framed = self.rules.classifier_vetoed(n.text)
                    base_ok = veto_ok if framed else base_ok
                if base_ok and cat in self.requires and not self.rules.ctx_patterns[self.requires[cat]].search(n.text):
                    base_ok = False  # the model alone needs the category's context (model_requires)
                if base_ok:
                    extra.append(cat)
        return out, extra

    def _overruled(self, h: Hit, sc: Scores) -> bool:
        """A word-only rule hit (``model_overrules`` in data/combine.yaml) the model reads as clearly absent."""
        if not h.rule_id or h.category not in sc.labels:
            return False
        if not all(self._overrulable(r) for r in h.rule_id.split(",")):
            return False
        return sc.row[sc.labels.index(h.category)] < self.overrule_below_by.get(h.category, self.overrule_below)

    def _overrulable(self, rule_id: str) -> bool:
        """A rule the model may overrule: named in ``model_overrules``, or of a family named as ``C*``."""
        return rule_id in self.overrulable or any(
            p.endswith("*") and rule_id.startswith(p[:-1]) for p in self.overrulable
        )

    def detect_many_reference(self, texts: Sequence[str]) -> list[list[Hit]]:
        """The straightforward per-text path (sklearn featuriser, per-hit span loop); tests compare
        :meth:`detect_many` against it."""
        clf = self.classifier
        norms = [self.rules.normalizer.normalize(t) for t in texts]
        if self.register == "retelling":
            norms = [as_addressee(n) for n in norms]
        bodies = [self.rules.body(n) for n in norms]
        scores = clf.score_many_reference(list(texts), bodies) if clf is not None else [None] * len(texts)
        out: list[list[Hit]] = []
        for n, sc in zip(norms, scores, strict=True):
            hits, extra = self._decide(n, sc)
            if clf is not None and sc is not None:
                hits += [clf._hit(sc, cat, sc.probs[cat], clf.span_for(sc.normalized, cat)) for cat in extra]
            out.append(sorted(self._implied(hits), key=lambda h: (-h.confidence, h.category)))
        return out


@cache
def default_text_detector() -> CombinedTextDetector:
    return CombinedTextDetector(default_rules(), default_classifier())


@cache
def text_detector(register: str = "message") -> CombinedTextDetector:
    """The combined detector for a register (``message`` or ``retelling``, see the module docstring)."""
    if register == "message":
        return default_text_detector()
    if register not in REGISTERS:
        raise ValueError(f"unknown register {register!r} (one of {', '.join(REGISTERS)})")
    det = CombinedTextDetector(default_rules(register), default_classifier(), register=register)
    own = combine_config().get(f"model_overrules_{register}")
    if own:  # a register with its own settings for the model's say over word-only rules
        det.overrulable, det.overrule_below, det.overrule_below_by = frozenset(own["rules"]), float(own["below"]), {}
    return det


def retelling_text_detector() -> CombinedTextDetector:
    """The retelling register's detector (complaint corpora in bulk runs; a plain function so it pickles)."""
    return text_detector("retelling")


def classify_text(text: str) -> list[Hit]:
    """Hits (category, spans, detector, confidence, explanation) for one text."""
    return default_text_detector().detect(text)


def labels_of(hits: Sequence[Hit]) -> list[str]:
    """The predicted label set: categories hit, or ``["lawful"]`` when none."""
    cats = sorted({h.category for h in hits})
    return cats or ["lawful"]
