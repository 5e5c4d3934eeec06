"""Mechanism tests of the rules, contexts and normaliser that the held-out rounds added (one file; the
per-round phrase checks are rows of tests/analyze/data/phrase_floors.jsonl, run by test_detect_floors.py)."""

from __future__ import annotations

import pytest
from tests.analyze.analyze_builders import cats as _cats
from tests.analyze.analyze_builders import rules as _rules

from weiquan.analyze.classifier import default_classifier
from weiquan.analyze.normalize import default_normalizer, normalize
from weiquan.analyze.rules import RuleDetector, default_rules
from weiquan.analyze.text import CombinedTextDetector, default_text_detector


def rule_hits(text: str) -> dict[str, str]:
    return {h.category: h.rule_id or "" for h in default_rules().detect(text)}


@pytest.mark.parametrize(
    ("text", "category", "rule"),
    [
        ("再不还，明天你的同事都会收到你的逾期短信", "threat_exposure", "E10"),
        ("联系人名单已导出，今天不还就挨个通知你的家人朋友", "threat_exposure", "E11"),
        ("再不处理，我们就跟你村里人讲讲你欠钱的事", "threat_exposure", "E12"),
        ("不还的话，我们就给你们全公司每个人发短信", "threat_exposure", "E13"),
        ("你再拖着，明天公安会联系你", "threat_legal_false", "L20"),
        ("你外甥在我们平台借了五千，一直没还", "third_party_contact", "C4"),
        ("借2000到手1400，一周后还2000", "illegal_debt", "B1"),
        ("钱直接转我个人支付宝", "illegal_debt", "B3"),
        ("我有上百个号码，换着打你", "harassment_volume", "H1"),
        ("我是你们当地派出所的民警，你的网贷要处理", "impersonation", "I2"),
    ],
)
def test_new_rule_fires(text: str, category: str, rule: str) -> None:
    hits = rule_hits(text)
    assert category in hits and rule in hits[category].split(",")


@pytest.mark.parametrize(
    "text",
    [
        "您的同事推荐您使用本行信用卡，将收到开卡礼",  # E10 needs a debt notice, not any message
        "你老公就要知道你在外面借了这么多钱了",  # C4 without 的: the relative is not the one addressed
        "本平台不收取任何服务费、砍头息",  # negation 不收取
        "您通过热线提交的投诉我行已受理，工单号12345",  # complaint_reply suppresses L10
        "若遇到爆通讯录、恐吓威胁，可向监管部门投诉或报警",  # warning: 若遇 / 可向…投诉
        "公安机关不会打电话让你转账",  # L20 needs the police to be announced as coming
    ],
)
def test_near_misses_stay_quiet(text: str) -> None:
    hits = rule_hits(text)
    assert not ({"threat_exposure", "third_party_contact", "illegal_debt", "threat_legal_false"} & set(hits)), hits


def test_authority_visit_is_not_a_collector_visit() -> None:
    hits = rule_hits("今天不还，明天警察就上门抓你")
    assert "threat_visit" not in hits
    assert "threat_visit" in rule_hits("今天不还，明天我们就上门找你")


@pytest.mark.parametrize(
    ("raw", "canon"),
    [
        ("侬再不还，阿拉就寻侬", "你再不还,我们就找你"),
        ("到侬屋里来", "到你家里来"),
        ("我哋去你屋企搵你", "我们去你家找你"),
        ("走起sù流程", "走起诉流程"),
    ],
)
def test_dialect_and_pinyin_variants(raw: str, canon: str) -> None:
    n = normalize(raw)
    assert n.text == canon
    a, b = n.to_original(0, len(n.text))
    assert (a, b) == (0, len(raw))


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


def test_context_classifier_blocks_name_categories():
    with pytest.raises(ValueError):
        RuleDetector([], {"x": {"re": "a", "classifier_blocks": ["threat_lawful"]}}, default_normalizer(), "t")


def test_lawful_suit_blocks_only_the_models_false_legal_threat():
    """Round 7: a civil-suit announcement is never a false legal threat on the model's word alone (the veto bar
    did not hold as training grew); criminal or enforcement words lift the block, and rules still decide."""
    blocked = default_rules().classifier_blocked
    assert blocked(normalize("不还就找律师起诉你").text) == {"threat_legal_false"}
    assert blocked(normalize("不还就起诉你，公安马上上门抓你").text) == frozenset()
    assert blocked(normalize("你今天必须还款").text) == frozenset()
    det = default_text_detector()
    hits = det.detect("再不还就起诉你，你儿子以后考公务员政审也过不了")  # a rule's invented consequence
    assert any(h.category == "threat_legal_false" and h.rule_id for h in hits)
    sc = det.classifier.score_batch(["不还就找律师起诉你"]).scores[0]
    assert sc.probs["threat_legal_false"] > 0.5  # the model alone would call it false: the block decides
    assert "threat_legal_false" not in {h.category for h in det.detect("不还就找律师起诉你")}


def test_gan_xiang_family_words_are_normalised():
    assert normalize("你屋里伢子").text == "你家里孩子"
    assert {"third_party_contact", "privacy_disclosure"} <= _cats("大伯，你屋里伢子在我们平台借了一万多，一直不还")


def _reasons(text: str) -> dict[str, set[str]]:
    """Rule id -> the reasons its matches were cancelled ("" when kept)."""
    _, ms = default_rules().match(text)
    out: dict[str, set[str]] = {}
    for m in ms:
        out.setdefault(m.rule.id, set()).add(m.reason)
    return out


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


def test_leverage_rule_needs_a_payment_demand_and_no_care():
    assert _reasons("别让你妈知道你借网贷的事，她心脏不好")["E17"] == {"with"}
    assert _reasons("别让你爸知道你欠钱的事，月底前还上就行，钱不够我帮你出")["E17"] == {"care"}


def test_object_first_notification_denied_or_without_ultimatum():
    assert "E18" not in _rules("再不还也没事，你爸妈那边我们不会通知")
    assert _reasons("你领导那边我们已经通知过了，请假条批了")["E18"] == {"tense"}


def test_promise_not_to_tell_cancels_the_exposure_rule():
    assert _reasons("我不会让你们领导知道你欠钱的事，你安心")["E16"] == {"negation"}


def test_long_reported_speech_cancels_the_rule_across_a_comma():
    reasons = _reasons("网贷平台的人打电话给我，说再不还钱就把我欠款的截图发到网上")
    assert reasons["E3"] == {"reported_speech"}


def test_retold_threat_skips_the_classifier():
    bar = default_rules().classifier_bar
    assert bar(normalize("催收的说明天要去我公司找我领导").text) == "none"
    assert bar(normalize("早点跟家里说，总比被催债的打到家里强").text) == "none"
    # with he/she as the speaker, only a threat against the writer counts
    assert bar(normalize("你老公说没钱还，那我们只能去他单位找他领导了").text) == "normal"


@pytest.mark.parametrize(
    "text",
    [
        "对方说再不还就把你的照片发到网上",  # a threat against the addressee
        "催收部门说了，今天再不还就把你的事发到你们公司群",
        "我们催收员说了，明天就去你家坐坐",  # the collector's own side
        "他说下周还，结果又不接电话了，你转告他，再不还就把他的照片挂网上",
        "他说了再不还就让你全家好看",
        "对方说了，明天再不还就去你单位找你们领导。",
    ],
)
def test_threats_relayed_by_collectors_stay_threats(text):
    assert _cats(text) - {"privacy_disclosure"} != set()


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
