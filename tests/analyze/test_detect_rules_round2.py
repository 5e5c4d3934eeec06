"""Rules and context patterns added in the second round (held-out error analysis): each with a hit and a
near miss that must stay quiet."""

from __future__ import annotations

import pytest

from weiquan.analyze.normalize import normalize
from weiquan.analyze.rules import default_rules


def rule_hits(text: str) -> dict[str, str]:
    return {h.category: h.rule_id or "" for h in default_rules().detect(text)}


@pytest.mark.parametrize(("text", "category", "rule"), [
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
])
def test_new_rule_fires(text: str, category: str, rule: str) -> None:
    hits = rule_hits(text)
    assert category in hits and rule in hits[category].split(",")


@pytest.mark.parametrize("text", [
    "您的同事推荐您使用本行信用卡，将收到开卡礼",  # E10 needs a debt notice, not any message
    "你老公就要知道你在外面借了这么多钱了",  # C4 without 的: the relative is not the one addressed
    "本平台不收取任何服务费、砍头息",  # negation 不收取
    "您通过热线提交的投诉我行已受理，工单号12345",  # complaint_reply suppresses L10
    "若遇到爆通讯录、恐吓威胁，可向监管部门投诉或报警",  # warning: 若遇 / 可向…投诉
    "公安机关不会打电话让你转账",  # L20 needs the police to be announced as coming
])
def test_near_misses_stay_quiet(text: str) -> None:
    hits = rule_hits(text)
    assert not ({"threat_exposure", "third_party_contact", "illegal_debt", "threat_legal_false"} & set(hits)), hits


def test_authority_visit_is_not_a_collector_visit() -> None:
    hits = rule_hits("今天不还，明天警察就上门抓你")
    assert "threat_visit" not in hits
    assert "threat_visit" in rule_hits("今天不还，明天我们就上门找你")


@pytest.mark.parametrize(("raw", "canon"), [
    ("侬再不还，阿拉就寻侬", "你再不还,我们就找你"),
    ("到侬屋里来", "到你家里来"),
    ("我哋去你屋企搵你", "我们去你家找你"),
    ("走起sù流程", "走起诉流程"),
])
def test_dialect_and_pinyin_variants(raw: str, canon: str) -> None:
    n = normalize(raw)
    assert n.text == canon
    a, b = n.to_original(0, len(n.text))
    assert (a, b) == (0, len(raw))
