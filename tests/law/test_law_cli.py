from __future__ import annotations

import json

from tests.fixtures.cli import wq


def _json(home, *args: str):
    r = wq(home, *args)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_provisions_json(tmp_path):
    rows = _json(tmp_path, "law", "provisions", "--statute", "psapl", "--json")
    by_id = {r["id"]: r for r in rows}
    assert by_id["psapl-50-1-5"]["citation"] == "《中华人民共和国治安管理处罚法》第五十条第一款第（五）项"
    assert all(r["statute_id"] == "psapl" for r in rows)


def test_violations_channels_conduct(tmp_path):
    v = _json(tmp_path, "law", "violations", "--json")
    assert {x["id"] for x in v} >= {"night_contact", "lawful"}
    ch = _json(tmp_path, "law", "channels", "--licence", "small_loan", "--json")
    assert "local_regulator" in [c["id"] for c in ch]
    c = _json(tmp_path, "law", "conduct", "--json")
    assert c["night"]["start"] == "22:00:00" and c["max_connected_voice_per_day"]["value"] == 3


def test_human_output(tmp_path):
    for args in (["law", "provisions"], ["law", "violations"], ["law", "channels"], ["law", "conduct"], ["law", "lpr"]):
        r = wq(tmp_path, *args)
        assert r.exit_code == 0, (args, r.output)
        assert r.output.strip()


def test_bad_options(tmp_path):
    r = wq(tmp_path, "law", "channels", "--licence", "pawnshop")
    assert r.exit_code == 2 and "未知的放贷方类型" in r.output
    r = wq(tmp_path, "law", "lpr", "--on", "2019-01-01")
    assert r.exit_code == 2


def test_lender_check(tmp_path):
    res = _json(tmp_path, "lender", "check", "招联金融", "--json")
    assert res["found"] and res["licence_type"] == "consumer_finance" and res["regulator"] == "国家金融监督管理总局"
    assert "nfra" in [c["id"] for c in res["channels"]]
    res = _json(tmp_path, "lender", "check", "不看征信秒下款", "--json")
    assert not res["found"] and res["red_flags"] and res["how_to_check"]
    r = wq(tmp_path, "lender", "check", "不看征信秒下款")
    assert "风险提示" in r.output
