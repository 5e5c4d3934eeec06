"""Throughput of the text detectors on generated messages, on one core.

Messages are expanded from the training templates with a seed different from training (a mix of
threats, third-party messages and lawful reminders). Measures messages/s with spans for: the rules
alone, the classifier alone, both combined, and a plain ``re`` alternation scan of the same lexicon
(every rule pattern joined with ``|``, ``finditer`` over each message) as the baseline.

Usage: python bench/detect.py [--quick] [--n N]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _util import finish, peak_rss_mb, timed  # noqa: E402 - after the sys.path line that makes the sibling helpers importable

from weiquan.analyze.classifier import default_classifier  # noqa: E402 - after the sys.path line that makes the sibling helpers importable
from weiquan.analyze.rules import default_rules  # noqa: E402 - after the sys.path line that makes the sibling helpers importable
from weiquan.analyze.text import default_text_detector  # noqa: E402 - after the sys.path line that makes the sibling helpers importable
from weiquan.analyze.training import expand_templates  # noqa: E402 - after the sys.path line that makes the sibling helpers importable


def messages(n: int) -> list[str]:
    """Template expansions with a seed other than training's plus the grid's frames with another seed (threats,
    third-party messages and lawful reminders in SMS, call-script, chat and group-post form)."""
    from weiquan.analyze.grid import expand_grid

    base = [it.text for it in expand_templates(seed=7)] + [g.text for g in expand_grid(per_cell=2, seed=7)]
    return [base[i % len(base)] for i in range(n)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="20,000 messages instead of 200,000")
    ap.add_argument("--n", type=int, default=None)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    n = args.n or (20_000 if args.quick else 200_000)
    msgs = messages(n)
    t0 = time.perf_counter()
    rules = default_rules()
    t1 = time.perf_counter()
    clf = default_classifier()  # the model file is read from disk here
    t2 = time.perf_counter()
    both = default_text_detector()
    t3 = time.perf_counter()
    load = {"rules_load_s": round(t1 - t0, 3), "model_load_s": round(t2 - t1, 3), "detector_load_s": round(t3 - t0, 3)}
    print(
        f"load: rules {load['rules_load_s']} s, model {load['model_load_s']} s, whole detector {load['detector_load_s']} s"
    )
    for m in msgs[:200]:  # warm up caches
        both.detect(m)

    alternation = re.compile("|".join(f"(?:{r.pattern.pattern})" for r in rules.rules))

    def plain_re() -> int:
        return sum(1 for m in msgs for _ in alternation.finditer(m))

    batch = 2000

    def rules_only() -> int:
        k = 0
        for i in range(0, len(msgs), batch):
            k += sum(len(h) for h in rules.detect_many(msgs[i : i + batch]))
        return k

    def clf_only() -> int:
        k = 0
        for i in range(0, len(msgs), batch):
            k += sum(len(h) for h in clf.detect_many(msgs[i : i + batch]))
        return k

    def combined() -> int:
        k = 0
        for i in range(0, len(msgs), batch):
            k += sum(len(h) for h in both.detect_many(msgs[i : i + batch]))
        return k

    figures: dict[str, float | int] = {"messages": n, **load}
    for name, fn in (("re_alternation", plain_re), ("rules", rules_only), ("classifier", clf_only), ("both", combined)):
        cpu0 = time.process_time()
        hits, secs = timed(fn)
        cpu = time.process_time() - cpu0  # the machine is shared: CPU time shows the cost without waiting
        figures[f"{name}_msg_per_s"] = round(n / secs)
        figures[f"{name}_cpu_msg_per_s"] = round(n / cpu)
        figures[f"{name}_hits"] = hits
        print(f"{name:>15}: {n / secs:>10,.0f} msg/s wall, {n / cpu:>10,.0f} msg/s CPU  ({secs:.2f} s, {hits} hits)")
    for name in ("rules", "classifier", "both"):
        figures[f"{name}_vs_re"] = round(figures[f"{name}_msg_per_s"] / figures["re_alternation_msg_per_s"], 3)
    figures["peak_rss_mb"] = round(peak_rss_mb(), 1)
    print(
        f"ratios to plain re: rules {figures['rules_vs_re']}, classifier {figures['classifier_vs_re']}, both {figures['both_vs_re']}"
    )
    finish(figures)


if __name__ == "__main__":
    main()
