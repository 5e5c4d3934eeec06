"""Mechanism diagnostics of the text detector on a SEALED set, without printing any text (issue #15, rounds 11–13).

For every label the detector misses or adds, one line: the item's id, source kind and length, the bar the model
faced (none / veto / normal), the length of the trailing footer, the contexts found, the model's probability of
that label, and the rules of that category with their fate (kept, or the context that dropped them). With
``--overrules`` it counts, instead, where the model overruled a kept rule and whether the rule was right.

These are numbers and names only, so a set stays usable as a check; it is then optimistic for whatever the
diagnostics suggested, and a decision needs a held-out part (docs/detection.md "Round 13").

Usage: python scripts/sealed_diag.py SET.jsonl [--overrules]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from weiquan.analyze.evaluate import read_jsonl
from weiquan.analyze.text import default_text_detector, labels_of

# contexts that describe every text (or are looked up per clause) and would only add noise to a line
_QUIET = {"negation", "reported_speech", "future", "footer"}


def _labels(hits: list) -> set[str]:
    return set(labels_of(hits)) - {"lawful"}


def diagnose(items: list[dict]) -> Counter:
    det = default_text_detector()
    rules, clf = det.rules, det.classifier
    names = [k for k in rules.ctx_patterns if k not in _QUIET]
    totals: Counter = Counter()
    for it in items:
        text, gold = it["text"], set(it["labels"]) - {"lawful"}
        hits = det.detect(text)
        pred = _labels(hits)
        n0 = rules.normalizer.normalize(text)
        n, matches = rules.match_normalized(n0)
        s = n.text
        probs: dict[str, float] = {}
        if clf is not None:
            sc = clf.score_batch([text], [rules.body(n0)]).scores[0]
            probs = {k: round(float(v), 2) for k, v in zip(sc.labels, sc.row, strict=True)}
        ctx = [k for k in names if rules.find_context(k, s)]
        head = (
            f"{it.get('id')} kind={it.get('source_kind')} len={len(text)} bar={rules.classifier_bar(s)} "
            f"footer={len(s) - rules.body_end(s)} ctx={ctx}"
        )
        for lab in sorted(gold - pred):
            fate = [(m.rule.id, m.reason or "kept") for m in matches if m.rule.category == lab]
            print("FN", lab, head, f"p={probs.get(lab)}", "rules=", fate)
            totals["FN " + lab] += 1
        for lab in sorted(pred - gold):
            by = [h.decided_by for h in hits if h.category == lab]
            print("FP", lab, "gold=", sorted(gold) or ["lawful"], head, f"p={probs.get(lab)}", "by=", by)
            totals["FP " + lab] += 1
    return totals


def overrules(items: list[dict]) -> Counter:
    """Where a kept rule's category is missing from the result (the model overruled it): was the rule right?"""
    det = default_text_detector()
    out: Counter = Counter()
    for it in items:
        gold = set(it["labels"])
        pred = _labels(det.detect(it["text"]))
        _, matches = det.rules.match(it["text"])
        for cat in {m.rule.category for m in matches if m.kept} - pred:
            out[f"{cat}: overruled rule was {'right' if cat in gold else 'wrong'}"] += 1
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("set", type=Path)
    ap.add_argument("--overrules", action="store_true", help="count the model's overrules instead")
    args = ap.parse_args()
    items = read_jsonl(args.set, need_labels=True)
    totals = overrules(items) if args.overrules else diagnose(items)
    print(json.dumps(dict(sorted(totals.items())), ensure_ascii=False))


if __name__ == "__main__":
    main()
