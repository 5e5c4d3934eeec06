"""Held-out round 6 (team-written, lawful-first, measured before tuning) and the rules added after it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from weiquan.analyze.evaluate import score
from weiquan.analyze.text import classify_text, default_text_detector, labels_of
from weiquan.analyze.training import load_corpus

HELDOUT5 = Path(__file__).parent / "data" / "heldout5.jsonl"
# Measured 0.800 macro-F1 / 11.1% lawful FP before any change (docs/detection.md), 0.889 / 0.0% after
# the round-6 rules; few labels reach support 5, so the floor leaves room for retraining noise.
HELDOUT5_MACRO_F1_FLOOR = 0.83
LAWFUL_FP_CEILING = 0.05


def _items() -> list[dict]:
    return [json.loads(line) for line in HELDOUT5.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_heldout5_is_not_in_training():
    items = _items()
    assert 45 <= len(items) <= 100
    assert all(it["origin"] == "team-written heldout round 6" and it["labels"] for it in items)
    assert sum(it["labels"] == ["lawful"] for it in items) >= 25
    assert not {it.text for it in load_corpus()} & {it["text"] for it in items}


def test_heldout5_quality_floor():
    items = _items()
    preds = [labels_of(h) for h in default_text_detector().detect_many([it["text"] for it in items])]
    res = score([it["labels"] for it in items], preds)
    assert res["macro_f1"] >= HELDOUT5_MACRO_F1_FLOOR, res
    assert res["lawful_false_positive_rate"] <= LAWFUL_FP_CEILING, res


def _cats(text: str) -> set[str]:
    return {h.category for h in classify_text(text)}


def _rules(text: str) -> set[str]:
    return {r for h in classify_text(text) if h.rule_id for r in h.rule_id.split(",")}


@pytest.mark.parametrize("text", [
    "我们已通知合作机构停止联系你的紧急联系人",
    "催收的在电话里骂我是骗子，我都录音了",
    "据报道，警方打掉一个催收团伙，该团伙以爆通讯录方式施压",
])
def test_lawful_round6_negatives(text):
    assert _cats(text) == set()


def test_stakeout_in_progress_is_a_visit():
    assert "T8" in _rules("我们的人就在你家楼下蹲着，你出来吧")
    assert "T8" not in _rules("快递放在你家门口了")


def test_daily_call_flood_is_volume():
    assert "H5" in _rules("不还钱我每天往你单位打五十遍电话")
    assert "H5" not in _rules("客服每天打一次回访电话")


def test_insulting_the_borrower_directly_stays_insult():
    assert "insult" in _cats("你就是个骗子，欠钱不还")
