"""Held-out round 7 (team-written, measured before tuning) and the context fixes made after it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from weiquan.analyze.evaluate import score
from weiquan.analyze.text import classify_text, default_text_detector, labels_of
from weiquan.analyze.training import load_corpus

HELDOUT6 = Path(__file__).parent / "data" / "heldout6.jsonl"
# Measured 0.556 macro-F1 / 11.1% lawful FP untuned, 0.623 / 0.0% after round 7 (docs/detection.md);
# most labels have support 1-5, so the floor leaves room for retraining noise.
HELDOUT6_MACRO_F1_FLOOR = 0.58
LAWFUL_FP_CEILING = 0.05


def _items() -> list[dict]:
    return [json.loads(line) for line in HELDOUT6.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_heldout6_is_not_in_training():
    items = _items()
    assert 30 <= len(items) <= 100
    assert all(it["origin"] == "team-written heldout round 7" and it["labels"] for it in items)
    assert sum(it["labels"] == ["lawful"] for it in items) >= 15
    assert not {it.text for it in load_corpus()} & {it["text"] for it in items}


def test_heldout6_quality_floor():
    items = _items()
    preds = [labels_of(h) for h in default_text_detector().detect_many([it["text"] for it in items])]
    res = score([it["labels"] for it in items], preds)
    assert res["macro_f1"] >= HELDOUT6_MACRO_F1_FLOOR, res
    assert res["lawful_false_positive_rate"] <= LAWFUL_FP_CEILING, res


@pytest.mark.parametrize("text", [
    "催收说要联系我的家人，我现在该怎么办？",
    "据央视新闻报道，一催收团伙以群发通讯录方式逼债，已被警方查处",
])
def test_lawful_round7_negatives(text):
    assert {h.category for h in classify_text(text)} == set()
