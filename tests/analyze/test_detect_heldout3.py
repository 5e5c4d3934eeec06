"""Held-out round 4 (team-written, measured before tuning) and the rules added after it."""

from __future__ import annotations

import pytest
from analyze_builders import cats as _cats, rules as _rules


def test_police_anti_fraud_notice_is_lawful():
    assert _cats("【某市公安局】警方提醒：有人自称网警催你还款的，请立即挂断并拨打96110") == set()


def test_police_unit_signature_with_debt_is_impersonation():
    assert "I1" in _rules("【某市刑侦大队】你的网贷逾期已立案，今天不还款就抓你")


def test_northern_dialect_visit():
    assert "threat_visit" in _cats("钱今儿个不整回来，明儿我就带人上你家")


def test_group_chat_to_home_town_is_not_a_visit():
    assert "T2" not in _rules("不还就把你的事发到你老家的微信群")
    assert "T2" in _rules("不还明天就到你老家找你")
    assert "T2" in _rules("再不还我们就去你厂里找你")


def test_veiled_injury_and_knife_emoji():
    assert "V8" in _rules("钱不到账你出门小心缺胳膊少腿")
    assert "V10" in _rules("再不还🔪伺候")
    assert "V10" not in _rules("谢谢你送的🔪，做饭很好用")


def test_veiled_threat_about_elderly_parents():
    assert "V9" in _rules("不还后果自负，你家老人身体还好吧")


def test_claims_to_know_address():
    assert "T6" in _rules("不还钱是吧，我知道你住哪")
    assert "T6" not in _rules("快递员说他知道你住哪，放门口了")


def test_group_broadcast_is_third_party_contact_and_disclosure():
    cats = _cats("@所有人 张某某在本平台借款逾期不还，请大家转告")
    assert {"third_party_contact", "privacy_disclosure"} <= cats


def test_contact_made_co_debtor_is_false_legal_threat():
    assert "L12" in _rules("你再不督促他还款，将视为你与他共同逃债")


def test_personal_data_poster_and_id_card():
    assert "D3" in _rules("我们把你的资料做成了失信海报")
    assert "D2" in _rules("把你身份证正反面和截图一起发你们公司群")


def test_confront_in_front_of_colleagues():
    assert "E15" in _rules("明天当着你同事的面跟你算账")


def test_daily_calls_to_relative():
    assert "H1" in _rules("不还我们天天打给你")


def test_visiting_relative_is_not_contacting_him_about_debt():
    assert "C4" not in _rules("我明天去厂里找他聊聊你欠钱的事")
    assert "C4" in _rules("你哥的电话我打过了，跟他说你欠钱了")


@pytest.mark.parametrize("text", [
    "【某银行】你的信用卡已逾期，我行已委托第三方机构进行催收提醒，受托人员不会索要额外费用",
    "【某消费金融】很抱歉给你带来不好的体验，我们已暂停对你紧急联系人的联系",
    "我已经向12378投诉了你们，请以后只联系我本人，不要再骚扰我的同事",
])
def test_lawful_round4_negatives(text):
    assert _cats(text) == set()
