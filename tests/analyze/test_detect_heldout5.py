"""Held-out round 6 (team-written, lawful-first, measured before tuning) and the rules added after it."""

from __future__ import annotations

import pytest
from analyze_builders import cats as _cats, rules as _rules


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
