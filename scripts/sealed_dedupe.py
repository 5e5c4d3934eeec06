"""Prepare a harvested SEALED check set (issue #15, rounds 11–13): drop repeated texts and every item that shares a
20-character stretch (whitespace and punctuation removed) with the training data (authored corpus), a set in
tests/analyze/data, or the dev set when it is present. Prints counts only.

Harvests from public code overlap the sets the team already has (and the owners' dev set): an item seen before
would measure memory, not generalisation.

Usage: python scripts/sealed_dedupe.py IN.jsonl OUT.jsonl [--dev ../shared/data/collection-messages-dev.jsonl]
       [--also EARLIER.jsonl ...]   (earlier sealed harvests: a new harvest keeps only what they do not hold)
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from weiquan.analyze.evaluate import read_jsonl

ROOT = Path(__file__).resolve().parents[1]
STRETCH = 20
_IGNORED = re.compile(r"[\s，。！？、,.!?:：;；“”\"'（）()【】\[\]]")


def _norm(text: str) -> str:
    return _IGNORED.sub("", text)


def _stretches(text: str) -> set[str]:
    return {text[i : i + STRETCH] for i in range(len(text) - STRETCH + 1)}


def reference_stretches(dev: Path | None, also: list[Path] | None = None) -> set[str]:
    files = [*sorted((ROOT / "tests/analyze/data").glob("*.jsonl")), *(also or [])]
    files += sorted((ROOT / "src/weiquan/analyze/corpus/authored").glob("*.jsonl"))
    if dev is not None and dev.exists():
        files.append(dev)
    out: set[str] = set()
    for f in files:
        for item in read_jsonl(f, need_labels=False):
            out |= _stretches(_norm(item["text"]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", type=Path)
    ap.add_argument("dst", type=Path)
    ap.add_argument("--dev", type=Path, default=ROOT.parent / "shared/data/collection-messages-dev.jsonl")
    ap.add_argument("--also", type=Path, nargs="*", default=[], help="earlier sealed sets to drop overlaps with")
    args = ap.parse_args()
    seen_before = reference_stretches(args.dev, args.also)
    kept: list[dict] = []
    texts: set[str] = set()
    dropped = 0
    for item in read_jsonl(args.src, need_labels=True):
        t = _norm(item["text"])
        if t in texts or _stretches(t) & seen_before:
            dropped += 1
            continue
        texts.add(t)
        kept.append(item)
    args.dst.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in kept), encoding="utf-8")
    lawful = sum(i["labels"] == ["lawful"] for i in kept)
    print(json.dumps({"kept": len(kept), "dropped": dropped, "lawful": lawful}))


if __name__ == "__main__":
    main()
