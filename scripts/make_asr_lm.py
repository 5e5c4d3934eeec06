#!/usr/bin/env python3
"""Word counts of the collection domain for the speech-to-text language model (issue #18).

Reads the authored collection-message corpus shipped with the detector
(``src/weiquan/analyze/corpus/authored/W*.jsonl``: messages written for this project by independent
authors, no real person's text and none of the speech sets' sentences), splits each message's Han
characters into words with the general word list (jieba's dictionary, the most probable segmentation,
``weiquan.extract.asr_lm.segment``) and writes ``word<TAB>count`` for every word and ``word word<TAB>count``
for every pair of neighbouring words seen at least twice to
``src/weiquan/extract/data/asr_domain_words.tsv``. ``tests/extract/test_asr_lm.py`` checks that the file
is what this script writes.

Usage: python scripts/make_asr_lm.py [--check]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "src" / "weiquan" / "analyze" / "corpus" / "authored"
OUT = REPO / "src" / "weiquan" / "extract" / "data" / "asr_domain_words.tsv"
MIN_COUNT = 2


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("W*.jsonl"), key=lambda p: int(p.stem[1:]))


def corpus_hash() -> str:
    """SHA-256 of the corpus files read (in order): recorded in the output's header."""
    h = hashlib.sha256()
    for path in corpus_files():
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def recorded_hash() -> str | None:
    """The corpus hash written in the current file's header (None if there is none)."""
    first = OUT.read_text("utf-8").split("\n", 1)[0]
    return first.rsplit("corpus sha256 ", 1)[1].strip(" .") if "corpus sha256 " in first else None


def build() -> str:
    from weiquan.extract.asr_lm import _HAN_RUN, WordLM, segment

    lm = WordLM(domain={}, alpha=0.0)
    counts: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    files = corpus_files()
    for path in files:
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                for run in _HAN_RUN.findall(json.loads(line)["text"]):
                    words = segment(run, lm.word_logprob, lm.unknown)[1]
                    counts.update(words)
                    pairs.update(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
    rows = sorted(((w, c) for w, c in counts.items() if c >= MIN_COUNT), key=lambda wc: (-wc[1], wc[0]))
    rows += sorted(((w, c) for w, c in pairs.items() if c >= MIN_COUNT), key=lambda wc: (-wc[1], wc[0]))
    head = (
        "# Word counts of the authored collection-message corpus (src/weiquan/analyze/corpus/authored, "
        f"{', '.join(p.stem for p in files)}), segmented with jieba's word list; words seen at least "
        f"{MIN_COUNT} times (``word<TAB>count``), then word pairs seen at least {MIN_COUNT} times "
        f"(``word word<TAB>count``). Made by scripts/make_asr_lm.py; do not edit. corpus sha256 {corpus_hash()}.\n"
    )
    return head + "".join(f"{w}\t{c}\n" for w, c in rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="exit 1 when the file differs from what would be written")
    args = ap.parse_args()
    text = build()
    if args.check:
        sys.exit(0 if OUT.read_text("utf-8") == text else 1)
    OUT.write_text(text, "utf-8")
    print(f"{OUT.relative_to(REPO)}: {text.count(chr(10)) - 1} words")


if __name__ == "__main__":
    main()
