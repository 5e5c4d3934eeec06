"""Print the training grid's size and the count of every cell (issue #15).

The grid (src/weiquan/analyze/corpus/grid.yaml, expanded by weiquan.analyze.grid) crosses
category x speaker x recipient x channel x register x script x placeholder style x typos/dialect; the retelling
register (complaints, notes of calls: category x reporter x recipient x channel x frame x …) is counted with it.

Usage: python scripts/grid_corpus.py [--per-cell N] [--full] [--dump FILE.jsonl]
  default: counts per value of every axis, and per category x (speaker, recipient, channel, register) cell;
  --full:  one line per full cell (all eight axes).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter

from weiquan.analyze.grid import expand_grid, expand_retelling

AXES = ("category", "speaker", "recipient", "channel", "register", "script", "placeholder", "noise")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--per-cell", type=int, default=5, help="as training uses (training.load_grid)")
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--dump", help="write every item (text, labels, origin, cell) as JSONL")
    args = ap.parse_args(argv)
    items = [*expand_grid(per_cell=args.per_cell), *expand_retelling(per_cell=args.per_cell)]
    print(f"grid items: {len(items)} (lawful {sum(it.labels == ('lawful',) for it in items)})")
    for i, axis in enumerate(AXES):
        c = Counter(it.cell[i] for it in items)
        print(f"{axis:>11}: " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
    cells = Counter((it.cell[0], *it.cell[1:5]) for it in items)
    print(f"\ncategory x speaker x recipient x channel x register: {len(cells)} cells")
    for key, n in sorted(cells.items()):
        print(f"{n:4d}  " + " | ".join(key))
    if args.full:
        full = Counter(it.cell for it in items)
        print(f"\nfull cells (8 axes): {len(full)}")
        for key, n in sorted(full.items()):
            print(f"{n:4d}  " + " | ".join(key))
    labels = Counter(lab for it in items for lab in it.labels)
    print("\nlabels: " + ", ".join(f"{k} {v}" for k, v in sorted(labels.items())))
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as f:
            for it in items:
                f.write(
                    json.dumps(
                        {
                            "text": it.text,
                            "labels": list(it.labels),
                            "origin": it.origin,
                            "cell": dict(zip(AXES, it.cell)),
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
