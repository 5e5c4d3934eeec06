"""`weiquan law lpr --update FILE`: newer fixings from a downloaded CSV, no network."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.fixtures.cli import wq
from weiquan.errors import InputError
from weiquan.law.lpr import merge_fixings, parse_lpr_csv
from weiquan.law.pack import clear_cache, load_pack


def _write(path, text: str, encoding: str = "utf-8") -> None:
    path.write_text(text, encoding=encoding)


def test_parse_formats():
    rows = parse_lpr_csv("日期,1Y,5Y\n2026-09-22,3.00%,3.50%\n2026/10/20,2.90,3.40\n", source_label="test.csv")
    assert [(r.date, r.rate) for r in rows] == [(dt.date(2026, 9, 22), 0.03), (dt.date(2026, 10, 20), 0.029)]
    rows = parse_lpr_csv("date,rate\n20261120,0.0290\n", source_label="test.csv")
    assert rows[0].rate == 0.029


@pytest.mark.parametrize(
    "text",
    [
        "",
        "foo,bar\n2026-01-01,3\n",
        "date,1Y\n2026-13-01,3.0\n",
        "date,1Y\n2026-09-22,abc\n",
        "date,1Y\n2026-09-22,35\n",
        "date,1Y\n2026-09-22,3.0\n2026-09-22,2.9\n",
    ],
)
def test_parse_rejects(text):
    with pytest.raises(InputError):
        parse_lpr_csv(text, source_label="test.csv")


def test_conflict_with_pack_rejected():
    table = load_pack(use_user_lpr=False).lpr_table
    with pytest.raises(InputError) as e:
        merge_fixings(table, parse_lpr_csv("date,1Y\n2025-05-20,3.10\n", source_label="test.csv"))
    assert "冲突" in e.value.zh
    with pytest.raises(InputError):  # a date inside the known range must agree with the rate then in force
        merge_fixings(table, parse_lpr_csv("date,1Y\n2025-07-21,2.80\n", source_label="test.csv"))
    same = merge_fixings(table, parse_lpr_csv("date,1Y\n2025-07-21,3.00\n", source_label="test.csv"))
    assert len(same.fixings) == len(table.fixings)


def test_cli_update_roundtrip(tmp_path):
    home = tmp_path / "home"
    csv_file = tmp_path / "lpr.csv"
    _write(csv_file, "日期,1Y,5Y\n2026-09-21,3.00,3.50\n2026-10-20,2.90,3.40\n", encoding="gb18030")
    r = wq(home, "law", "lpr", "--update", str(csv_file), "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert [a["date"] for a in out["added"]] == ["2026-09-21", "2026-10-20"]
    assert (home / "law" / "lpr_user.csv").is_file()
    pack = load_pack(home)
    assert pack.lpr_on(dt.date(2026, 11, 1)) == pytest.approx(0.029)
    assert pack.lpr_known_through == dt.date(2026, 10, 20)
    assert not pack.lpr_fixing_on(dt.date(2026, 11, 1)).stale
    r = wq(home, "law", "lpr", "--on", "2026-11-01", "--json")
    assert json.loads(r.stdout)["rate"] == pytest.approx(0.029)
    # importing the same file again adds nothing and keeps the data
    r = wq(home, "law", "lpr", "--update", str(csv_file), "--json")
    assert json.loads(r.stdout)["added"] == []
    # a conflicting file is refused with exit 2 and the stored data is untouched
    bad = tmp_path / "bad.csv"
    _write(bad, "date,1Y\n2025-05-20,3.5\n")
    r = wq(home, "law", "lpr", "--update", str(bad))
    assert r.exit_code == 2 and "冲突" in r.output
    clear_cache()
    assert load_pack(home).lpr_on(dt.date(2026, 11, 1)) == pytest.approx(0.029)
