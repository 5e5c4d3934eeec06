"""Held-out round 5 (team-written, measured before tuning) and the rules added after it."""

from __future__ import annotations

import pytest
from analyze_builders import cats as _cats, rules as _rules


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
