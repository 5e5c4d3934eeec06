"""``weiquan classify`` (issue #15 goal): every hit keeps its span (with the quoted words) and its provisions, and
says which part decided it: a rule of analyze/data/rules.yaml by id, or the trained model by version."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from weiquan.analyze.classifier import default_classifier
from weiquan.analyze.rules import default_rules
from weiquan.cli import app

runner = CliRunner()

TEXTS = [
    "今晚十点前不还，就把你的欠款发到你家族群和公司群",
    "我是某某区人民法院执行局的，你的网贷今天必须还清，否则冻结你名下所有银行卡",
    "你个废物，借钱不还，等着我们上门找你",
]


def classify(*args: str) -> list[dict[str, Any]]:
    res = runner.invoke(app, ["classify", *args, "--json"])
    assert res.exit_code == 0, res.output
    return [json.loads(line) for line in res.output.splitlines()] if "--file" in args else [json.loads(res.output)]


def _check(text: str, hit: dict[str, Any]) -> None:
    assert hit["spans"] and all(0 <= a < b <= len(text) for a, b in hit["spans"])
    assert hit["quotes"] == [text[a:b] for a, b in hit["spans"]]
    assert hit["provisions"] and all(p["id"] and p["cite"] for p in hit["provisions"]), hit["category"]


@pytest.mark.parametrize("detector", ["both", "rules", "classifier"])
def test_every_hit_has_span_provisions_and_the_part_that_decided(detector: str, tmp_path: Any) -> None:
    f = tmp_path / "in.jsonl"
    f.write_text("\n".join(json.dumps({"text": t}, ensure_ascii=False) for t in TEXTS), encoding="utf-8")
    rows = classify("--file", str(f), "--detector", detector)
    rule_ids = {r.id for r in default_rules().rules}
    model = f"model {default_classifier().version}"
    hits = [(row["text"], h) for row in rows for h in row["hits"]]
    assert len(hits) >= len(TEXTS)
    for text, h in hits:
        _check(text, h)
        if h["decided_by"].startswith("rule "):
            assert detector != "classifier" and h["decided_by"] == f"rule {h['rule']}"
            # "I1>threat_legal_false": a category derived from rule I1's hit
            assert {r.split(">")[0] for r in h["rule"].split(",")} <= rule_ids, h["rule"]
        else:
            assert detector != "rules" and h["decided_by"] == model and "rule" not in h


def test_the_readable_output_names_the_part_and_the_provision() -> None:
    res = runner.invoke(app, ["classify", TEXTS[1]])
    assert res.exit_code == 0, res.output
    assert "判定依据 decided by: rule " in res.output and "依据 provisions:" in res.output
    row = classify(TEXTS[1])[0]
    cite = row["hits"][0]["provisions"][0]["cite"]
    assert cite in res.output
