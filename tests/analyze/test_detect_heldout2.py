"""Held-out round 3 (team-written, measured before tuning) and the rules added after it."""

from __future__ import annotations

import pytest
from analyze_builders import cats as _cats, rules as _rules


@pytest.mark.parametrize("text", [
    "【某市某区人民法院】刘某：原告某小贷公司诉你借款合同纠纷一案已立案，案号（2026）某0203民初551号，请登录诉讼服务平台查看。",
    "【某某法院】你的借款合同纠纷案定于下月3日上午开庭，如有疑问请拨打12368。",
])
def test_genuine_court_notice_is_lawful(text):
    assert _cats(text) == set()


def test_fake_court_notice_with_ultimatum_stays_flagged():
    cats = _cats("【某某人民法院】你的网贷案件已立案（2026）某01号，限今日内还款，否则冻结你名下银行卡")
    assert "impersonation" in cats


def test_object_first_call_threat_and_its_denial():
    assert "E14" in _rules("再不还钱，今晚就给你老婆打电话")
    assert "E14" not in _rules("我们以后不会再给你家人打电话了")


def test_family_group_chat_is_not_a_home_visit():
    assert "threat_visit" not in _cats("不还就把你的欠款截图发到你家族群")
    assert "threat_visit" in _cats("不还明天就到你家里找你")


def test_whole_contact_list_is_not_an_address_to_a_contact():
    assert "C3" not in _rules("不还就发你所有联系人，你看着办")
    assert "C3" in _rules("紧急联系人你好，请转告某尽快还款")


def test_daily_percentage_penalty_threshold():
    assert "B4" in _rules("逾期每天收借款金额的2%罚息")
    assert "B4" not in _rules("罚息每天按0.05%计收")


def test_rollover_and_collection_service_fees():
    assert "illegal_debt" in _cats("这单到期了，交300展期费可以再延7天")
    assert "illegal_debt" in _cats("结清前还要交一笔催收服务费")


def test_veiled_threat_about_child():
    assert "V7" in _rules("你儿子在哪个学校我们都知道，自己想想后果")


def test_waiting_at_door_needs_threat_tense():
    assert "T5" in _rules("不还钱我们就在你家楼下等你")
    assert "T5" not in _rules("快递已放在你家楼下快递柜")


def test_letter_to_employer_is_third_party_and_disclosure():
    cats = _cats("贵公司员工王某在我司借款逾期未还，请督促其还款")
    assert {"third_party_contact", "privacy_disclosure"} <= cats


def test_public_shaming_and_telling_teachers():
    assert "E12" in _rules("再不还我让你在你们厂里出名")
    assert "E13" in _rules("不还就去跟你同事说说你的事")


def test_dialect_and_split_spellings():
    assert "threat_visit" in _cats("再不还钱老子明天来你屋头找你")
    assert "insult" in _cats("你个s b还不还钱")
    assert "insult" in _cats("你个扑街仲唔还钱")
    assert "threat_violence" in _cats("不还钱就把你腿打断")


def test_court_seizure_visit_is_legal_threat_not_collector_visit():
    cats = _cats("限今天还款，否则法院将冻结你名下所有银行卡并上门查封")
    assert "threat_visit" not in cats and "threat_legal_false" in cats
