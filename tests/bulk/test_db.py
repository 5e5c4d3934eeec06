"""``--db``: the aggregates of a finished run loaded into PostgreSQL (a real server), replaceable, atomic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from weiquan.bulk.files import atomic_write
from weiquan.bulk.tables import merge_stats, write_aggregates
from weiquan.errors import ProblemFound
from weiquan.services.bulk import load_db
from weiquan.store.bulk import read_aggregates


def _finished_run(out: Path) -> dict[str, Any]:
    """A run directory as the runner leaves it (two partitions' partial aggregates merged)."""
    import json

    manifests = [
        {
            "groups": [["招联消费金融股份有限公司", "cf_zhaolian", "consumer_finance", "2024-03", 10, 4, 5000.0, 2]],
            "labels": [
                ["招联消费金融股份有限公司", "cf_zhaolian", "consumer_finance", "2024-03", "insult", 3],
                ["招联消费金融股份有限公司", "cf_zhaolian", "consumer_finance", "2024-03", "lawful", 6],
            ],
        },
        {
            "groups": [
                ["招联消费金融股份有限公司", "cf_zhaolian", "consumer_finance", "2024-03", 5, 1, 0.0, 0],
                ["星河速贷", None, "unknown", None, 2, 2, 0.0, 0],
            ],
            "labels": [
                ["招联消费金融股份有限公司", "cf_zhaolian", "consumer_finance", "2024-03", "insult", 1],
                ["招联消费金融股份有限公司", "cf_zhaolian", "consumer_finance", "2024-03", "lawful", 4],
                ["星河速贷", None, "unknown", None, "third_party_contact", 2],
            ],
        },
    ]
    out.mkdir()
    agg, months = merge_stats(manifests)
    write_aggregates(out, agg, months)
    run = {
        "plan_id": "00112233aabbccdd",
        "status": "done",
        "out": str(out),
        "texts": 17,
        "unlawful": 7,
        "rejects": 0,
        "detector_version": "test",
        "finished_at": "2026-12-06T00:00:00+00:00",
    }
    atomic_write(out / "run.json", json.dumps(run).encode())
    return run


def test_merge_sums_partitions_and_computes_rates(tmp_path: Path) -> None:
    _finished_run(tmp_path / "run")
    import pyarrow.parquet as pq

    agg = {(r["lender"], r["label"]): r for r in pq.read_table(tmp_path / "run" / "aggregates.parquet").to_pylist()}
    insult = agg[("招联消费金融股份有限公司", "insult")]
    assert (insult["count"], insult["complaints"], insult["rate_per_1000"]) == (4, 15, 266.667)
    assert agg[("星河速贷", "third_party_contact")]["month"] is None


@pytest.mark.pg
def test_load_into_postgresql_twice_replaces_the_run(pg_url: str, tmp_path: Path) -> None:
    run = _finished_run(tmp_path / "run")
    assert load_db(tmp_path / "run", pg_url) == 3
    assert load_db(tmp_path / "run", pg_url) == 3
    rows = read_aggregates(pg_url, run["plan_id"])
    assert len(rows) == 3
    assert {(r["lender"], r["label"], r["month"], r["count"], r["complaints"]) for r in rows} >= {
        ("招联消费金融股份有限公司", "insult", "2024-03", 4, 15),
        ("星河速贷", "third_party_contact", None, 2, 2),
    }


@pytest.mark.pg
def test_a_failed_load_leaves_the_previous_rows(pg_url: str, tmp_path: Path) -> None:
    run = _finished_run(tmp_path / "run")
    load_db(tmp_path / "run", pg_url)
    import pyarrow as pa
    import pyarrow.parquet as pq

    bad = pq.read_table(tmp_path / "run" / "aggregates.parquet").to_pylist()
    bad[-1]["label"] = "x" * 100  # longer than the column allows: the insert fails mid-load
    pq.write_table(pa.Table.from_pylist(bad), tmp_path / "run" / "aggregates.parquet")
    with pytest.raises(ProblemFound, match="数据库未改动"):
        load_db(tmp_path / "run", pg_url)
    assert len(read_aggregates(pg_url, run["plan_id"])) == 3


@pytest.mark.pg
def test_cli_run_with_db_loads_the_aggregates(pg_url: str, tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from tests.fixtures.complaint_corpus import write_jsonl
    from weiquan.cli import app

    src = tmp_path / "small.jsonl"
    write_jsonl(src, 120, seed=9)
    r = CliRunner().invoke(
        app,
        [
            "--home",
            str(tmp_path / "h"),
            "bulk",
            "run",
            str(src),
            "--out",
            str(tmp_path / "o"),
            "--workers",
            "1",
            "--db",
            pg_url,
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    res = json.loads(r.output[r.output.index("{") :])
    rows = read_aggregates(pg_url, json.loads((tmp_path / "o" / "run.json").read_text(encoding="utf-8"))["plan_id"])
    assert res["db_rows"] == len(rows) > 0
    assert sum(x["count"] for x in rows if x["label"] == "lawful") + res["unlawful"] == res["texts"] == 120
