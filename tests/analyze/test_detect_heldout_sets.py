"""Team-written held-out sets (one per tuning round): kept out of training, with a quality floor each.

Each set was written before looking at the detector's predictions on it; docs/detection.md records the
untuned and tuned figures. The floors catch real regressions without pinning retraining noise.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from weiquan.analyze.evaluate import score
from weiquan.analyze.text import default_text_detector, labels_of
from weiquan.analyze.training import load_corpus

DATA = Path(__file__).parent / "data"
LAWFUL_FP_CEILING = 0.05


@dataclass(frozen=True)
class HeldOut:
    name: str
    origin: str
    min_items: int
    max_items: int
    lawful_min: int
    macro_f1_floor: float


SETS = [
    # Measured 0.739 macro-F1 / 14.8% lawful FP before any change (docs/detection.md), 0.968 / 0% after
    # the round-3 rules; the floor catches a real regression without pinning retraining noise.
    HeldOut("heldout2.jsonl", "team-written heldout round 3", 70, 100, lawful_min=0, macro_f1_floor=0.9),
    # Measured 0.671 macro-F1 / 6.1% lawful FP before any change (docs/detection.md), 0.942 / 3.0% after
    # the round-4 rules; the floor catches a real regression without pinning retraining noise.
    HeldOut("heldout3.jsonl", "team-written heldout round 4", 60, 100, lawful_min=30, macro_f1_floor=0.9),
    # Measured 0.705 macro-F1 / 31.8% lawful FP before any change (docs/detection.md), 0.851 / 0.0% after
    # the round-5 rules (4 labels with support >= 5, so one item moves the figure a lot); the floor
    # catches a real regression without pinning retraining noise.
    HeldOut("heldout4.jsonl", "team-written heldout round 5", 45, 100, lawful_min=20, macro_f1_floor=0.75),
    # Measured 0.800 macro-F1 / 11.1% lawful FP before any change (docs/detection.md), 0.889 / 0.0% after
    # the round-6 rules; few labels reach support 5, so the floor leaves room for retraining noise.
    HeldOut("heldout5.jsonl", "team-written heldout round 6", 45, 100, lawful_min=25, macro_f1_floor=0.83),
    # Measured 0.556 macro-F1 / 11.1% lawful FP untuned, 0.623 / 0.0% after round 7 (docs/detection.md);
    # most labels have support 1-5, so the floor leaves room for retraining noise.
    HeldOut("heldout6.jsonl", "team-written heldout round 7", 30, 100, lawful_min=15, macro_f1_floor=0.88),
    # Measured 0.709 macro-F1 / 38.9% lawful FP untuned, 1.000 / 0.0% after round 8 (docs/detection.md);
    # only three labels reach support 5, so one item moves the figure by up to 0.1.
    HeldOut("heldout7.jsonl", "team-written heldout round 8", 35, 100, lawful_min=15, macro_f1_floor=0.9),
    # Round 9 probe (caring family messages, retold threats and the collectors' versions of both), written
    # before measuring: 0.579 macro-F1 / 63.2% lawful FP untuned, 1.000 / 0.0% after round 9 (docs/detection.md);
    # it was then used for error analysis and only two labels reach support 5, so the floor leaves room.
    HeldOut("round9_probe.jsonl", "team-written probe round 9", 25, 60, lawful_min=15, macro_f1_floor=0.85),
]


def _items(ho: HeldOut) -> list[dict]:
    return [json.loads(line) for line in (DATA / ho.name).read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("ho", SETS, ids=lambda h: h.name)
def test_heldout_is_well_formed_and_not_in_training(ho: HeldOut) -> None:
    items = _items(ho)
    assert ho.min_items <= len(items) <= ho.max_items
    assert all(it["origin"] == ho.origin and it["labels"] for it in items)
    assert sum(it["labels"] == ["lawful"] for it in items) >= ho.lawful_min
    assert not {it.text for it in load_corpus()} & {it["text"] for it in items}


@pytest.mark.parametrize("ho", SETS, ids=lambda h: h.name)
def test_heldout_quality_floor(ho: HeldOut) -> None:
    items = _items(ho)
    preds = [labels_of(h) for h in default_text_detector().detect_many([it["text"] for it in items])]
    res = score([it["labels"] for it in items], preds)
    assert res["macro_f1"] >= ho.macro_f1_floor, res
    assert res["lawful_false_positive_rate"] <= LAWFUL_FP_CEILING, res
