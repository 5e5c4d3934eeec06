"""Train the built-in text classifier from the training corpus (the team's hand-written items, templates and the
systematic grid, plus the independent authors' messages of analyze/corpus/authored, each origin weighted by
analyze/corpus/weights.yaml) and write the shipped model.

Usage: python scripts/train_detector.py [--out PATH] [--seed N] [--dump-corpus FILE.jsonl]
Deterministic for a given corpus and seed; runs in well under a minute on one core.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from weiquan.analyze.training import MODEL_PATH, load_training_items, train


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    ap.add_argument("--seed", type=int, default=20261128)
    ap.add_argument("--dump-corpus", type=Path, help="also write the expanded corpus (text, labels, origin) as JSONL")
    args = ap.parse_args(argv)
    if args.dump_corpus:
        with args.dump_corpus.open("w", encoding="utf-8") as f:
            for it in load_training_items(args.seed):
                f.write(
                    json.dumps({"text": it.text, "labels": list(it.labels), "origin": it.origin}, ensure_ascii=False)
                    + "\n"
                )
    summary = train(args.out, seed=args.seed)
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
