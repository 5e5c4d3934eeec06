"""Round 9: caring messages from family and friends, retold threats, and the collectors' versions of both.

The probe set (``data/round9_probe.jsonl``) has its quality floor in ``test_detect_heldout_sets.py``. The
sentences below are new wordings of each phenomenon, not texts from the probe set.
"""

from __future__ import annotations

import pytest
from analyze_builders import cats as _cats, rules as _rules

from weiquan.analyze.classifier import default_classifier
from weiquan.analyze.normalize import normalize
from weiquan.analyze.rules import default_rules
from weiquan.analyze.text import CombinedTextDetector, default_text_detector


def _reasons(text: str) -> dict[str, set[str]]:
    """Rule id -> the reasons its matches were cancelled ("" when kept)."""
    _, ms = default_rules().match(text)
    out: dict[str, set[str]] = {}
    for m in ms:
        out.setdefault(m.rule.id, set()).add(m.reason)
    return out


# --------------------------------------------------------------------- caring messages (lawful)
@pytest.mark.parametrize("text", [
    "宝贝，今晚加班别太晚，回来路上注意安全，花呗那点钱我帮你还了。",
    "下班路上注意安全，房租的钱我先帮你垫着。",
    "老婆，单位那边我已经跟领导请好假了，你别担心钱的事，下班路上注意安全。",
    "闺女，你那个网贷的事别让你爸知道，我下个月发了退休金就帮你还上。",
    "别让你妈知道你借网贷的事，她心脏不好，钱不够我这里还有。",
    "你放心，我们不会让你单位知道你欠款的事，按时还就行",
    # the writer owes the addressee, or comforts them
    "路上注意安全啊，上次借你的钱我下周还你",
    "小张，你欠钱这事我没告诉领导，你别有压力，下班注意安全",
    "你爸那边我已经说过了，他不怪你，欠的钱家里先帮你还一部分，你路上注意安全",
    "下班路上注意安全，早点回家吃饭，你欠的钱慢慢还",
    "下班了吧？路上注意安全，网贷的事回家再商量",
])
def test_caring_messages_about_debt_and_safety_are_lawful(text):
    assert _cats(text) == set()


def test_bare_safety_wish_needs_money_and_no_care():
    assert _reasons("下班路上注意安全，房租的钱我先帮你垫着。")["V13"] == {"care"}
    assert _reasons("出差路上注意安全，到了给我发个消息")["V13"] == {"with"}  # no money at all
    assert "V13" not in _reasons("【某银行】节假日请注意安全，您的账单已出")  # the notice forms
    assert "V13" not in _reasons("【某信用卡中心】假期出行注意安全，本期账单请按时还款")
    assert "V4" in _rules("再不还钱，小心你的安全")  # an object keeps V4


def test_care_context_raises_the_classifier_bar():
    bar = default_rules().classifier_bar
    assert bar(normalize("儿子，晚上回来开车慢点，钱的事我们想办法").text) == "veto"
    assert bar(normalize("那两千不着急还，先顾好自己").text) == "veto"
    # sarcasm and other people's repayment are not care
    assert bar(normalize("钱不急着还是吧？你等着").text) == "normal"
    assert bar(normalize("再不还就联系你的家人让他们替你还").text) == "normal"
    assert bar(normalize("我不管你有什么困难我只知道你欠钱不还你今天不还明天就去你家").text) == "normal"


# --------------------------------------------------------------------- collectors' versions (unlawful)
@pytest.mark.parametrize("text", [
    "听说你每天晚上十一点才下夜班，回家路上可得注意安全，那三万块钱什么时候给个说法？",
    "你儿子在城南中学上学吧，放学路上注意点安全，你欠的钱自己心里有数。",
    "钱不急着还是吧？下班路上注意安全",
    "你借的钱我帮你记着呢，下班路上注意安全",
    "欠我们的钱拖了这么久，你家孩子上下学路上可要注意安全",
])
def test_collectors_safety_wish_is_a_veiled_threat(text):
    assert "threat_violence" in _cats(text)


@pytest.mark.parametrize("text", [
    "不想让你丈母娘知道你在外面欠了一屁股债，明天中午12点前就把钱打过来。",
    "别让你们村里人都知道你欠钱不还，24小时内结清，这是最后一次提醒。",
    "不想让你们单位领导知道你欠网贷，今天晚上九点前就把钱转过来",
])
def test_keeping_the_debt_from_family_as_leverage_is_exposure(text):
    assert "E17" in _rules(text)
    assert "threat_exposure" in _cats(text)


def test_leverage_rule_needs_a_payment_demand_and_no_care():
    assert _reasons("别让你妈知道你借网贷的事，她心脏不好")["E17"] == {"with"}
    assert _reasons("别让你爸知道你欠钱的事，月底前还上就行，钱不够我帮你出")["E17"] == {"care"}


@pytest.mark.parametrize("text", [
    "再不把钱还上，你老婆单位那边我们就一个个去通知。",
    "今天还不上的话，你同事那里我们明天挨个通知。",
])
def test_object_first_notification_is_exposure(text):
    assert "E18" in _rules(text)
    assert "threat_exposure" in _cats(text)


def test_object_first_notification_denied_or_without_ultimatum():
    assert "E18" not in _rules("再不还也没事，你爸妈那边我们不会通知")
    assert _reasons("你领导那边我们已经通知过了，请假条批了")["E18"] == {"tense"}


def test_promise_not_to_tell_cancels_the_exposure_rule():
    assert _reasons("我不会让你们领导知道你欠钱的事，你安心")["E16"] == {"negation"}


# --------------------------------------------------------------------- retold threats (lawful)
@pytest.mark.parametrize("text", [
    "对方扬言要是月底还不上，就把我借款的事告诉我们村支书，这算违法吗",
    "催收的昨天在电话里说，再拖下去就去我老家找我爸妈，还说要让全村人都知道我欠钱。",
    "她说那个催收员扬言不还就把她的照片P了发到网上，我让她赶紧去派出所备案。",
    "我跟律师说了，对方威胁说再不还就要爆我通讯录，律师说这已经违法了。",
    "他们说再不还就把我的身份证照片挂到网上，还要打电话给我爸妈，我该怎么回他们",
    "今天那个催收的又打来了，说下周要派人去我公司门口拉横幅。",
    "催收员称如不还款将通知我单位领导及全部亲友，我已向12378反映。",
    "催收打电话给我爸，说要是我再不还就去我家找他，我爸吓坏了",
    "妈，他们说要把我的欠款信息发给我所有同事，我已经报警了，你别担心",
    "我老公被催收威胁了，说是再不还钱就把他P成遗照发给他所有同事",
    "那个网贷平台的人在电话里恐吓我，说知道我家住哪，让我晚上出门小心点",
])
def test_retold_threats_are_lawful(text):
    assert _cats(text) == set()


def test_long_reported_speech_cancels_the_rule_across_a_comma():
    reasons = _reasons("网贷平台的人打电话给我，说再不还钱就把我欠款的截图发到网上")
    assert reasons["E3"] == {"reported_speech"}


def test_retold_threat_skips_the_classifier():
    bar = default_rules().classifier_bar
    assert bar(normalize("催收的说明天要去我公司找我领导").text) == "none"
    assert bar(normalize("早点跟家里说，总比被催债的打到家里强").text) == "none"
    # with he/she as the speaker, only a threat against the writer counts
    assert bar(normalize("你老公说没钱还，那我们只能去他单位找他领导了").text) == "normal"


@pytest.mark.parametrize("text", [
    "对方说再不还就把你的照片发到网上",  # a threat against the addressee
    "催收部门说了，今天再不还就把你的事发到你们公司群",
    "我们催收员说了，明天就去你家坐坐",  # the collector's own side
    "他说下周还，结果又不接电话了，你转告他，再不还就把他的照片挂网上",
    "他说了再不还就让你全家好看",
    "对方说了，明天再不还就去你单位找你们领导。",
])
def test_threats_relayed_by_collectors_stay_threats(text):
    assert _cats(text) - {"privacy_disclosure"} != set()


def test_writers_own_debt_is_not_talk_about_a_third_party():
    assert "C4" not in _rules("他们说要把我的欠款信息发给我所有同事")
    assert "C4" in _rules("他在我们平台的借款已经逾期三个月了")


# --------------------------------------------------------------------- the lazy classifier bar
@pytest.mark.parametrize("per_label", [{}, {"threat_exposure": 0.99}, {"threat_violence": 0.6}])
def test_lazy_bar_gives_the_same_decisions_as_the_full_bar(per_label):
    """text.py looks up `classifier: veto` contexts only when they can change a decision; the result must
    equal the plain rule: threshold = veto if the text is framed or a rule for the category was cancelled."""
    base = default_text_detector()
    det = CombinedTextDetector(base.rules, default_classifier(), per_label=per_label)
    texts = [
        "别让你爸知道你欠钱的事，我先帮你垫上",
        "儿子，下班路上注意安全，钱不够跟妈说",
        "据报道，某催收团伙以爆通讯录相威胁",
        "再不还就把你的照片发到网上",
        "放心吧，我们不会让你领导知道你欠款的事",
        "今晚不还，明天就去你公司找你领导",
    ]
    clf, rules = det.classifier, det.rules
    for t, hits in zip(texts, det.detect_many(texts), strict=True):
        n = rules.normalizer.normalize(t)
        _, ms = rules.match_normalized(n)
        sc = clf.score_batch([t]).scores[0]
        kept = {m.rule.category for m in ms if m.kept}
        vetoed = {m.rule.category for m in ms if not m.kept and m.reason not in ("tense", "with")}
        bar = rules.classifier_bar(n.text)
        expected = set(kept)
        if bar != "none":
            for cat, p in zip(sc.labels, sc.row):
                if cat in kept:
                    continue
                thr = det.veto_threshold if bar == "veto" or cat in vetoed else per_label.get(cat, det.threshold)
                if p >= thr:
                    expected.add(cat)
        got = {h.category for h in hits}
        assert got - {"privacy_disclosure"} == expected - {"privacy_disclosure"}, t
