"""CLI: weiquan classify / eval / analyze / review, and the evaluation metrics."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.analyze.analyze_builders import local
from typer.testing import CliRunner

from weiquan.analyze.classifier import default_classifier
from weiquan.analyze.evaluate import score
from weiquan.cli import app
from weiquan.services.analysis import list_findings
from weiquan.workspace import Workspace

runner = CliRunner()


def test_score_metrics_by_hand() -> None:
    gold = [["lawful"], ["lawful"], ["insult"], ["insult", "threat_visit"]] + [["insult"]] * 3
    pred = [["lawful"], ["insult"], ["insult"], ["insult"]] + [["insult"]] * 3
    r = score(gold, pred)
    assert set(r) == {"n", "per_label", "macro_f1", "lawful_false_positive_rate", "micro_f1"}
    assert r["n"] == 7
    assert r["per_label"]["insult"] == {"precision": 0.8333, "recall": 1.0, "f1": 0.9091, "support": 5}
    assert r["per_label"]["threat_visit"]["support"] == 1  # below 5: not in the macro average
    assert r["macro_f1"] == 0.9091
    assert r["lawful_false_positive_rate"] == 0.5
    assert r["micro_f1"] == round(2 * (5 / 6) * (5 / 6) / (10 / 6), 4)


def test_eval_command_outputs_exact_keys(tmp_path: Path) -> None:
    f = tmp_path / "set.jsonl"
    rows = [
        {"text": "不还钱就爆你通讯录", "labels": ["threat_exposure"]},
        {"text": "你的借款已逾期，请尽快还款", "labels": ["lawful"]},
    ]
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    res = runner.invoke(app, ["eval", str(f), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert list(out) == ["n", "per_label", "macro_f1", "lawful_false_positive_rate", "micro_f1"]
    assert out["n"] == 2 and out["lawful_false_positive_rate"] == 0.0
    assert set(out["per_label"]["threat_exposure"]) == {"precision", "recall", "f1", "support"}


def test_eval_by_source_kind(tmp_path: Path) -> None:
    f = tmp_path / "kinds.jsonl"
    rows = [
        {"text": "不还钱就爆你通讯录", "labels": ["threat_exposure"], "source_kind": "sms"},
        {"text": "你的借款已逾期，请尽快还款", "labels": ["lawful"], "source_kind": "sms"},
        {"text": "再不还就上门找你", "labels": ["threat_visit"], "source_kind": "call_transcript"},
        {"text": "还款成功，感谢支持", "labels": ["lawful"]},
    ]
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    res = runner.invoke(app, ["eval", str(f), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    # the five keys first and unchanged, then one block per source kind
    assert list(out) == ["n", "per_label", "macro_f1", "lawful_false_positive_rate", "micro_f1", "by_source_kind"]
    kinds = out["by_source_kind"]
    assert set(kinds) == {"sms", "call_transcript", "unknown"}
    assert kinds["sms"]["n"] == 2 and kinds["call_transcript"]["n"] == 1 and kinds["unknown"]["n"] == 1
    assert kinds["sms"]["per_label"]["threat_exposure"]["recall"] == 1.0
    assert kinds["call_transcript"]["per_label"]["threat_visit"]["support"] == 1
    assert list(kinds["sms"]) == ["n", "per_label", "macro_f1", "lawful_false_positive_rate", "micro_f1"]


def test_eval_bad_file_is_a_clear_input_error(tmp_path: Path) -> None:
    f = tmp_path / "bad.jsonl"
    f.write_text('{"text": "x"}\nnot json\n', encoding="utf-8")
    res = runner.invoke(app, ["eval", str(f), "--json"])
    assert res.exit_code == 2
    assert "第" in res.output and "line" in res.output


def test_classify_text_and_file(tmp_path: Path) -> None:
    res = runner.invoke(app, ["classify", "再不还就上门抓人", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert {"threat_visit", "threat_legal_false"} <= set(out["labels"])
    assert all(h["spans"] and h["quotes"] for h in out["hits"])
    f = tmp_path / "in.jsonl"
    f.write_text('{"id": "a", "text": "你个傻逼"}\n{"id": "b", "text": "还款成功"}\n', encoding="utf-8")
    res = runner.invoke(app, ["classify", "--file", str(f), "--json"])
    lines = [json.loads(x) for x in res.output.splitlines()]
    assert [x["id"] for x in lines] == ["a", "b"]
    assert lines[0]["labels"] == ["insult"] and lines[1]["labels"] == ["lawful"]


def test_classifier_alone_loads_shipped_model_and_gives_spans() -> None:
    c = default_classifier()
    assert c.version.startswith("clf-2.")
    text = "明天不还，我们就把你的欠款发到你家族群"
    sc = c.score(text)
    assert sc.probs["threat_exposure"] > 0.5
    a, b = c.span_for(sc.normalized, "threat_exposure")
    assert 0 <= a < b <= len(text)
    assert sc.probs["threat_exposure"] > c.score("本期账单已出，请按时还款").probs["threat_exposure"]


def test_analyze_and_review_commands(ws: Workspace, home: Path, case_id: int, add_event: Callable[..., int]) -> None:
    add_event(local(2026, 3, 2, 10), channel="sms", text="再不还钱就找人收拾你", duration=None)
    res = runner.invoke(app, ["--home", str(home), "analyze", "--case", str(case_id), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["categories"][0]["category"] == "threat_violence"
    fid = list_findings(ws, case_id)[0].id
    res = runner.invoke(
        app, ["--home", str(home), "review", "--finding", str(fid), "--reject", "--note", "误报", "--json"]
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["review_state"] == "rejected"
    res = runner.invoke(app, ["--home", str(home), "review", "--case", str(case_id)], input="c\n")
    assert res.exit_code == 0
    assert "没有待审核" in res.output  # the only finding was reviewed already
    res = runner.invoke(app, ["--home", str(home), "review", "--finding", "999", "--confirm"])
    assert res.exit_code == 2


def test_macro_f1_leaves_out_lawful_however_many_and_labels_below_five() -> None:
    """macro_f1 averages the non-lawful labels with support >= 5 only: not ``lawful`` (here 6 items, all wrong),
    not a label with 4 items (all missed); micro_f1 pools every non-lawful label."""
    gold = [["lawful"]] * 6 + [["insult"]] * 5 + [["threat_visit"]] * 4
    pred = [["insult"]] * 6 + [["insult"]] * 5 + [["lawful"]] * 4
    r = score(gold, pred)
    assert r["per_label"]["lawful"]["support"] == 6 and r["per_label"]["lawful"]["f1"] == 0.0
    assert r["per_label"]["threat_visit"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 4}
    assert r["macro_f1"] == r["per_label"]["insult"]["f1"] == round(2 * (5 / 11) / (5 / 11 + 1), 4)
    assert r["lawful_false_positive_rate"] == 1.0
    assert r["micro_f1"] == round(2 * (5 / 11) * (5 / 9) / (5 / 11 + 5 / 9), 4)
