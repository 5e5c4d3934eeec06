"""Round 11b (issue #15): the anti-fraud `warning` frame is read in the body of a text, not in its trailing footer.

A lender's SMS ends with boilerplate ("请通过官方APP还款，谨防诈骗。", "退订回T", "客服热线…"). A warning cue there does not
make the message an anti-fraud notice, and the model reads the text without that footer. A cue in the body (a notice
that opens with the warning, a peer's advice, news, a regulator's notice) frames the whole text as before. All
phrasings here were written for this test; none comes from a labelled set.
"""

from __future__ import annotations

import pytest

from weiquan.analyze.normalize import normalize
from weiquan.analyze.rules import RuleDetector, default_rules
from weiquan.analyze.text import default_text_detector, labels_of

# a lender's message with an act, and a footer of boilerplate: the act is found
ACTS_WITH_FOOTER = [
    (
        "【安心借】您的借款已逾期3天，若今日仍未还款，我司将通知您的紧急联系人协助处理。请通过官方APP还款，谨防诈骗。",
        "threat_exposure",
    ),
    (
        "【金满仓】您的欠款至今未还，我司已将您的案件移交公安机关，今天不还将被拘留。请认准官方还款渠道，谨防诈骗。如已还款请忽略。",
        "threat_legal_false",
    ),
    (
        "【佳期贷】你好，你是王某的妹妹吧？他在我司的借款逾期两个月了，麻烦转告他尽快还款。请通过官方APP还款，谨防诈骗。",
        "third_party_contact",
    ),
    (
        "再不还钱，明天就把你的欠款信息发到你们单位群里。温馨提示：请通过官方渠道还款，谨防诈骗。客服热线4008123456",
        "threat_exposure",
    ),
    (
        "【速易花】尊敬的客户，您已严重逾期，明天下午我司外访人员将上门到您家中核实情况。请勿向任何个人账户转账，谨防上当受骗。退订回T",
        "threat_visit",
    ),
]

# texts whose point is the warning, or that report acts (news, advice, a regulator, a lawful reminder): lawful,
# with the cue before, after or around the acts, and with a footer as well
STILL_LAWFUL = [
    # anti-fraud notice: the cue opens the body, the footer repeats it
    "【安心借】提醒：近期有不法分子冒充我司催收人员，以通知紧急联系人、上门、起诉相威胁，要求向个人账户转账。请通过官方APP还款，谨防诈骗。",
    "谨防诈骗！有人冒充我司工作人员，声称不还款就通知你单位和家人。请通过官方APP还款。",
    "【安心借】我司从未委托任何第三方上门催收或联系您的家人。如有人以我司名义威胁要爆通讯录，请报警。请通过官方APP还款，谨防诈骗。",
    # the cue after the acts, in the body, then a footer
    "有人打电话自称我司法务，说再不还就派人上门、通知你家人，这都是诈骗！请通过官方APP还款，谨防诈骗。",
    # the police's warning around the acts
    "警方提醒：冒充平台催收、威胁爆通讯录的都是骗子。接到自称催收说要上门抓人的电话，请立即挂断，谨防诈骗。",
    # a regulator's notice
    "【某银保监局】风险提示：部分机构委托的催收人员以上门、通知单位、爆通讯录等方式暴力催收，消费者可向12378投诉，保留好证据，谨防上当受骗。",
    # a peer's advice
    "兄弟，催收说要给你单位打电话、上门找你爸妈，别信，都是吓唬人的。按时跟平台协商就行，谨防诈骗。",
    # news, with the cue at the start, and with the cue in the middle and a footer at the end
    "据本地媒体报道，某催收公司员工以爆通讯录、上门泼漆相威胁，被警方以寻衅滋事罪刑拘。提醒广大市民谨防诈骗。",
    "近日，警方打掉一个催收团伙。该团伙成员扬言要将借款人的照片发到亲友群，还曾上门骚扰。请通过官方APP还款，谨防诈骗。",
    # a lawful reminder with the usual footer
    "【安心借】您本期账单应还1200元，已逾期2天，逾期将产生罚息并影响个人征信。请通过官方APP还款，谨防诈骗。如已还款请忽略。",
]


@pytest.mark.parametrize(("text", "category"), ACTS_WITH_FOOTER)
def test_an_act_before_a_boilerplate_footer_is_found(text: str, category: str) -> None:
    assert category in labels_of(default_text_detector().detect(text))


@pytest.mark.parametrize("text", STILL_LAWFUL)
def test_a_warning_in_the_body_still_frames_the_text(text: str) -> None:
    assert labels_of(default_text_detector().detect(text)) == ["lawful"]


def _footer(text: str) -> str:
    s = normalize(text).text
    return s[default_rules().body_end(s) :]


def test_footer_is_the_trailing_boilerplate_sentences() -> None:
    assert _footer("你已逾期，请登录APP还款。如已还款请忽略。退订回T") == "如已还款请忽略。退订回t"
    assert _footer("今天不还明天就上门。请勿向任何个人账户转账，谨防上当受骗。客服热线400-123-4567") == (
        "请勿向任何个人账户转账,谨防上当受骗。客服热线400-123-4567"
    )
    # no footer: the last sentence is not boilerplate, or boilerplate shares a sentence with the act
    assert _footer("请通过官方APP还款，谨防诈骗。今天不还明天就上门。") == ""
    assert _footer("今天不还明天就上门，谨防诈骗！") == ""


def test_a_sentence_with_an_act_is_not_footer() -> None:
    # every clause reads like boilerplate, but a rule matches in it ("不要相信…" is a footer clause's form)
    assert _footer("你已逾期。谨防诈骗，不要相信你还能躲着不还爆你通讯录。") == ""


def test_warning_cue_only_in_the_footer_does_not_frame() -> None:
    rules = default_rules()
    s = normalize("您已逾期3天，若今日仍未还款，我司将通知您的紧急联系人。请通过官方APP还款，谨防诈骗。").text
    assert rules.ctx_patterns["warning"].search(s)  # the cue is there…
    assert rules.find_context("warning", s) is None  # …but only in the footer
    assert rules.classifier_bar(s) == "normal"
    opened = normalize("谨防诈骗！近期有人冒充我司，声称不还款就通知你的紧急联系人。请通过官方APP还款。").text
    assert rules.find_context("warning", opened) is not None
    assert rules.classifier_bar(opened) == "veto"


def test_the_model_reads_the_body() -> None:
    rules = default_rules()
    n = normalize("【安心借】您已逾期3天，请尽快处理。请通过官方APP还款，谨防诈骗。")
    body = rules.body(n)
    assert body.text == "【安心借】你已逾期3天,请尽快处理。"
    assert body.to_original(0, len(body.text)) == (0, n.original.index("请通过"))
    only_footer = normalize("请通过官方APP还款，谨防诈骗。")
    assert rules.body(only_footer) is only_footer  # nothing but footer: read as it is
    plain = normalize("今天不还明天就上门")
    assert rules.body(plain) is plain


def test_body_scope_needs_a_footer_pattern() -> None:
    rules = default_rules()
    with pytest.raises(ValueError, match="footer"):
        RuleDetector([], {"warning": {"re": "谨防", "scope": "body"}}, rules.normalizer, "t")
    with pytest.raises(ValueError, match="scope"):
        RuleDetector([], {"warning": {"re": "谨防", "scope": "page"}}, rules.normalizer, "t")
