"""Issue 16 item 9: `weiquan case new --lender` fills the licence from the lender registry as the web form does;
`weiquan loan add --case ID FILE.json` attaches a loan and gives the case its licence type when it has none."""

from __future__ import annotations

import json

from tests.fixtures.cli import wq


def _run(home, *args):
    r = wq(home, *args)
    assert r.exit_code == 0, r.output
    return r


def _loan(tmp_path, lender_type="unlicensed", lender="某某速借"):
    p = tmp_path / "loan.json"
    p.write_text(
        json.dumps(
            {
                "lender": lender,
                "lender_type": lender_type,
                "contract_date": "2025-04-01",
                "principal": 3000,
                "disbursed": [{"date": "2025-04-01", "amount": 2100}],
                "repayments": [{"date": "2025-04-08", "amount": 3000, "paid": False}],
                "as_of": "2025-04-20",
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    return p


def test_case_new_fills_licence_from_registry(tmp_path):
    out = json.loads(_run(tmp_path, "case", "new", "--name", "a", "--lender", "招联金融", "--json").output)
    assert out["licence_type"] == "consumer_finance" and out["lender_entity"].startswith("招联消费金融")
    out = json.loads(_run(tmp_path, "case", "new", "--name", "b", "--lender", "没有这家", "--json").output)
    assert out["licence_type"] is None
    out = json.loads(
        _run(
            tmp_path, "case", "new", "--name", "c", "--lender", "某银行信用卡中心", "--licence", "bank", "--json"
        ).output
    )
    assert out["licence_type"] == "bank"
    r = wq(tmp_path, "case", "new", "--name", "d", "--licence", "casino")
    assert r.exit_code != 0


def test_loan_add_sets_the_case_licence_when_it_has_none(tmp_path):
    _run(tmp_path, "case", "new", "--name", "a", "--lender", "某某速借")
    out = json.loads(_run(tmp_path, "loan", "add", "--case", "1", str(_loan(tmp_path)), "--json").output)
    assert out["case"]["licence_type"] == "unlicensed" and out["loan"]["verdict"]
    # a case that already has a licence type keeps it
    _run(tmp_path, "case", "new", "--name", "b", "--lender", "招联金融")
    out = json.loads(_run(tmp_path, "loan", "add", "--case", "2", str(_loan(tmp_path, "private")), "--json").output)
    assert out["case"]["licence_type"] == "consumer_finance"


def test_loan_add_bad_input_changes_nothing(tmp_path):
    _run(tmp_path, "case", "new", "--name", "a")
    bad = tmp_path / "bad.json"
    bad.write_text('{"lender_type": "unlicensed"}', encoding="utf-8")
    r = wq(tmp_path, "loan", "add", "--case", "1", str(bad))
    assert r.exit_code != 0
    out = json.loads(_run(tmp_path, "case", "show", "1", "--json").output)
    assert out["licence_type"] is None
