"""Held-out round 8 (team-written, measured before tuning) and the rules and context added after it.

The quality floor for heldout7.jsonl is in ``test_detect_heldout_sets.py`` with the other held-out
sets. The sentences below are new wordings of each phenomenon, not texts from the held-out set.
"""

from __future__ import annotations

import pytest
from analyze_builders import cats as _cats, rules as _rules

from weiquan.analyze.normalize import default_normalizer, normalize
from weiquan.analyze.rules import RuleDetector, default_rules


@pytest.mark.parametrize("text", [
    # a genuine court SMS whose own disclaimer mentions 转账/汇款 is still a court notice
    "【某市中级人民法院】李某：某某小额贷款公司诉你借款合同纠纷一案已立案，案号（2025）某01民初88号，"
    "请于15日内提交答辩状。本院不会要求当事人转账汇款，请勿轻信。",
    # published court cases and news retold by anyone
    "某区检察院通报一起典型案例：被告人以爆通讯录、上门泼漆等方式催收，被以寻衅滋事罪提起公诉。",
    "看到新闻说有个催收员因为给借款人家里送花圈被判处拘役，真是活该。",
    # a regulator's risk notice naming the fees it warns against
    "风险提示：凡要求把钱转到个人账户、收取所谓解冻费的，都不属于正规渠道，请保留证据并报警。",
    # a victim asking for help retells the threats made to them
    "各位网友，催债的天天给我打电话说要爆我通讯录，还说要去我老家，我现在该怎么办？",
    "请教一下，对方说再不还就P我的照片发朋友圈，要不要报警？",
    # photography: 曝光 and P图 in their technical sense
    "拍逆光人像的时候曝光补偿加一档，长曝光记得用快门线。",
    "今天修图把那张合照P了一下，滤镜调暖一点好看多了。",
    # no collection scope at all: an office chat about sharing a contact list
    "新来的两位同事的通讯录已经整理好了，我发群里，大家存一下。",
    # a lender sending the borrower's own documents to the borrower
    "已将您的还款凭证发送至您预留的邮箱",
    "您的结清证明已经发到您的邮箱，请查收",
    # family talk that mentions a call or the debt
    "你爸的电话我打过了，他说晚上回来，吃饭别等他",
])
def test_lawful_round8_negatives(text):
    assert _cats(text) == set()


def test_classifier_scope_and_help_request_bar():
    bar = default_rules().classifier_bar
    assert bar(normalize("周末去拍夜景，记得带三脚架").text) == "none"
    assert bar(normalize("求助：对方说要联系我家人，我该怎么办").text) == "none"
    assert bar(normalize("据报道，警方打掉一个催收团伙").text) == "veto"
    assert bar(normalize("你今天必须还款").text) == "normal"


def test_context_classifier_values_are_checked():
    # a bare `classifier: off` in YAML loads as False; it must not silently mean "normal"
    with pytest.raises(ValueError):
        RuleDetector([], {"x": {"re": "a", "classifier": False}}, default_normalizer(), "t")


@pytest.mark.parametrize("text", [
    "你个瓜娃子，欠钱还不还？",
    "哈麻批，电话都不接",
    "没出息的东西，借钱的时候怎么不想想",
])
def test_dialect_insults_and_epithets(text):
    assert "insult" in _cats(text)


def test_possessive_your_mothers_is_not_a_curse():
    assert "insult" not in _cats("你妈的手机号我们也有，自己想清楚")
    assert "insult" in _cats("你妈的，还钱")


def test_epithet_is_an_insult_not_an_exposure_threat():
    assert _cats("欠钱不还，丢人现眼的东西") == {"insult"}


def test_hiding_taunts_and_day_after_tomorrow_make_a_visit_a_threat():
    assert "threat_visit" in _cats("你还躲？后天我们就上你家坐坐")
    assert "threat_visit" in _cats("看你还能躲多久，我们过两天就到你家里")


def test_gan_xiang_family_words_are_normalised():
    assert normalize("你屋里伢子").text == "你家里孩子"
    assert {"third_party_contact", "privacy_disclosure"} <= _cats("大伯，你屋里伢子在我们平台借了一万多，一直不还")


@pytest.mark.parametrize("text", [
    "你老婆的电话我们已经打过了，欠钱的事她都知道了",
    "已经跟你领导说过了，你欠款的事他很清楚",
])
def test_contact_already_made_is_third_party_contact(text):
    assert "C8" in _rules(text)
    assert {"third_party_contact", "privacy_disclosure"} <= _cats(text)


@pytest.mark.parametrize("text", [
    "你妈的电话我们没打过，你自己赶紧还款",
    "你爸的电话我已经打过了，他晚上回来",
])
def test_contact_rule_needs_a_completed_call_about_the_debt(text):
    assert "C8" not in _rules(text)


@pytest.mark.parametrize("text", [
    "已经把你的身份证照片和欠条发到你们村的群里了，你自己看吧",
    "你的逾期记录和合同照片我们已经发到你们公司群了",
    "我们已经给你单位寄了你的欠款明细",
    "不还是吧？你欠钱的事已经挂到网上了",
])
def test_completed_posting_is_disclosure_not_a_threat(text):
    found = _cats(text)
    assert "privacy_disclosure" in found
    assert "E7" not in _rules(text)


@pytest.mark.parametrize("text", [
    "已经做好了，再不还明天就发到你们公司群",
    "我们已经准备好发到你家族群了，你看着办",
])
def test_a_threat_to_post_stays_exposure(text):
    assert "threat_exposure" in _cats(text)
    assert "privacy_disclosure" not in _cats(text)


@pytest.mark.parametrize("text", [
    "明晚我们就去你们镇上找你",
    "再不还，明天就在你公司门口等你",
])
def test_visits_to_home_town_and_workplace(text):
    assert "threat_visit" in _cats(text)


def test_making_a_third_party_learn_of_the_debt_is_exposure():
    assert "E16" in _rules("再不还，我们就让你们经理也知道一下你欠债的事")
    assert "E16" not in _rules("别让你爸知道你欠钱的事，我先帮你垫上")
    assert "E16" not in _rules("你要让家里知道你借钱的事，别一个人扛")


@pytest.mark.parametrize("text, rule", [
    ("再不还就交给外面的兄弟收拾你", "V5"),
    ("再不还钱，把你那辆车给你砸了", "V3"),
    ("你女儿每天放学走的那条巷子没有路灯吧？欠的钱什么时候还", "V12"),
])
def test_violence_wordings(text, rule):
    assert rule in _rules(text)
    assert "threat_violence" in _cats(text)


def test_unlit_path_rule_needs_a_money_context():
    assert "V12" not in _rules("闺女，下班回家那条路灯坏了，你绕大路走")


@pytest.mark.parametrize("text, expected", [
    ("某市公安局传唤通知：你因网贷逾期恶意不还，涉嫌诈骗，请于明日到案说明", {"impersonation", "threat_legal_false"}),
    ("今天之内把欠款转到我们催收员的微信上，别走平台", {"illegal_debt"}),
    ("请把欠款打到经办人的银行卡上，到账给你销账", {"illegal_debt"}),
    ("你的资料今晚就同步到公安网，以后住酒店都会被拦下来", {"threat_legal_false"}),
    ("已经把你录入在逃人员名单了，等着吧", {"threat_legal_false"}),
    ("你欠款不还已经构成非法占有", {"threat_legal_false"}),
])
def test_false_authority_and_payment_wordings(text, expected):
    assert expected <= _cats(text)
