"""Held-out round 5 (team-written, measured before tuning) and the rules added after it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from weiquan.analyze.evaluate import score
from weiquan.analyze.text import classify_text, default_text_detector, labels_of
from weiquan.analyze.training import load_corpus

HELDOUT4 = Path(__file__).parent / "data" / "heldout4.jsonl"
# Measured 0.705 macro-F1 / 31.8% lawful FP before any change (docs/detection.md), 0.851 / 0.0% after
# the round-5 rules (4 labels with support >= 5, so one item moves the figure a lot); the floor
# catches a real regression without pinning retraining noise.
HELDOUT4_MACRO_F1_FLOOR = 0.75
LAWFUL_FP_CEILING = 0.05


def _items() -> list[dict]:
    return [json.loads(line) for line in HELDOUT4.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_heldout4_is_not_in_training():
    items = _items()
    assert 45 <= len(items) <= 100
    assert all(it["origin"] == "team-written heldout round 5" and it["labels"] for it in items)
    assert sum(it["labels"] == ["lawful"] for it in items) >= 20
    assert not {it.text for it in load_corpus()} & {it["text"] for it in items}


def test_heldout4_quality_floor():
    items = _items()
    preds = [labels_of(h) for h in default_text_detector().detect_many([it["text"] for it in items])]
    res = score([it["labels"] for it in items], preds)
    assert res["macro_f1"] >= HELDOUT4_MACRO_F1_FLOOR, res
    assert res["lawful_false_positive_rate"] <= LAWFUL_FP_CEILING, res


def _cats(text: str) -> set[str]:
    return {h.category for h in classify_text(text)}


def _rules(text: str) -> set[str]:
    return {r for h in classify_text(text) if h.rule_id for r in h.rule_id.split(",")}


@pytest.mark.parametrize("text", [
    "妈，他们说要上门都是吓唬人的，你别怕",
    "催收的说要把我的事发到公司群，我已经截图报警了",
    "【某某律师事务所】受某某银行委托，就你信用卡欠款事宜致函，请于十五日内与委托人联系协商，逾期将依法诉讼",
    "这里是某某人民法院诉前调解中心，你与某小贷公司的借款纠纷已登记诉前调解，案件查询请拨12368",
    "【中国人民银行征信中心】你的个人信用报告查询申请已受理",
])
def test_lawful_round5_negatives(text):
    assert _cats(text) == set()


def test_telling_contacts_is_not_reported_speech():
    assert "insult" in _cats("钱不到账我就挨个打给你通讯录跟他们说你是个老赖")


def test_fake_court_clerk_with_same_day_payment_stays_impersonation():
    assert "impersonation" in _cats("我是某市中级人民法院的书记员，你的案子明天开庭，今天还款可以撤诉")


def test_platform_lawyer_is_impersonation():
    assert "I5" in _rules("我是平台合作律师，今天不还款明天就申请拘留你")
    assert "I5" not in _rules("我是某某律师事务所王律师，受某某银行委托就借款合同纠纷与你联系")


def test_parcel_hint_and_night_road():
    assert "T7" in _rules("下次来的可就不是快递了，自己想想")
    assert "V11" in _rules("钱不到位的话你晚上走夜路自己多注意点")
    assert "V11" not in _rules("下雨了走夜路注意安全")
