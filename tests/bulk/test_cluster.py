"""Bulk runs on a real distributed.LocalCluster (2 worker processes) over a generated complaint corpus.

The per-text results must equal the single-process detector's (``detect_many``) row for row; the
aggregates must equal a recount of the per-text results; a killed worker or a killed run loses nothing.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.complaint_corpus import write_csv, write_jsonl
from weiquan.analyze.text import retelling_text_detector
from weiquan.errors import InputError
from weiquan.services import bulk as svc

N_JSONL, N_CSV, PART_ROWS = 1600, 800, 300


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    d = tmp_path_factory.mktemp("corpus")
    jsonl, gbcsv = d / "platform.jsonl", d / "hotline.csv"
    bad = write_jsonl(jsonl, N_JSONL, seed=3, malformed_every=400) + write_csv(
        gbcsv, N_CSV, seed=4, encoding="gb18030", malformed_every=300
    )
    return {"dir": d, "inputs": [jsonl, gbcsv], "bad": bad, "expected": _reference(jsonl, gbcsv)}


def _reference(jsonl: Path, gbcsv: Path) -> dict[tuple[str, int], list[tuple[str, tuple[tuple[int, int], ...]]]]:
    """Parse the inputs independently of weiquan.bulk and classify with the single-process detector."""
    keys: list[tuple[str, int]] = []
    texts: list[str] = []
    for n, line in enumerate(jsonl.read_text(encoding="utf-8").splitlines(), 1):
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict) and obj.get("投诉内容"):
            keys.append((jsonl.name, n))
            texts.append(obj["投诉内容"])
    rows = list(csv.reader(io.StringIO(gbcsv.read_bytes().decode("gb18030"))))
    for n, row in enumerate(rows[1:], 1):
        if len(row) == len(rows[0]) and row[4]:
            keys.append((gbcsv.name, n))
            texts.append(row[4])
    hits = retelling_text_detector().detect_many(texts)
    return {k: sorted((h.category, tuple(h.spans)) for h in hs) for k, hs in zip(keys, hits, strict=True)}


def _texts(out: Path) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    return sorted(pq.read_table(out / "texts").to_pylist(), key=lambda r: (r["source"], r["row"]))


def _assert_equal_to_reference(out: Path, expected: dict[Any, Any]) -> list[dict[str, Any]]:
    rows = _texts(out)
    got = {
        (r["source"], r["row"]): sorted((h["category"], tuple(tuple(s) for s in h["spans"])) for h in r["hits"])
        for r in rows
    }
    assert len(rows) == len(got) == len(expected)
    assert got == expected
    for r in rows:
        assert r["labels"] == (sorted({c for c, _ in got[(r["source"], r["row"])]}) or ["lawful"])
    return rows


@pytest.fixture(scope="module")
def run(corpus: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    home = tmp_path_factory.mktemp("home")
    out = tmp_path_factory.mktemp("runs") / "out"
    seen: list[Any] = []
    result = svc.run_bulk(corpus["inputs"], out, home=home, workers=2, partition_rows=PART_ROWS, progress=seen.append)
    return {"result": result, "out": out, "home": home, "progress": seen}


def test_two_workers_equal_the_single_process_detector_row_for_row(run: dict[str, Any], corpus: dict[str, Any]) -> None:
    res = run["result"]
    assert res["workers"] == 2 and res["partitions"] == 6 + 3 and res["skipped"] == 0
    rows = _assert_equal_to_reference(run["out"], corpus["expected"])
    assert res["texts"] == len(rows) and res["unlawful"] == sum(r["unlawful"] for r in rows)
    assert sum(1 for r in rows if r["lender_id"]) > len(rows) // 4  # registry brands were resolved
    assert all(r["month"] and r["amount"] for r in rows)  # every generated date and amount spelling was read


def test_worker_cpu_is_accounted_per_phase(run: dict[str, Any]) -> None:
    res = run["result"]
    phases = res["classify_cpu_phases"]
    assert set(phases) == {"read", "detect", "normalise", "results", "write"}
    assert 0 < sum(phases.values()) <= res["classify_cpu_seconds"] + 0.05  # rounding per partition
    assert phases["detect"] == max(phases.values())  # the detector is the work; the rest is the bulk path


def test_progress_reports_partitions_and_speed(run: dict[str, Any]) -> None:
    seen = run["progress"]
    assert [p.done for p in seen] == list(range(1, 10)) and all(p.total == 9 for p in seen)
    assert seen[-1].texts == N_JSONL + N_CSV + run["result"]["rejects"] and seen[-1].texts_per_second > 0


def test_aggregates_equal_a_recount_of_the_texts(run: dict[str, Any]) -> None:
    import pyarrow.parquet as pq

    rows = _texts(run["out"])
    agg = pq.read_table(run["out"] / "aggregates.parquet").to_pylist()
    assert {"lender", "label", "month", "count", "complaints", "rate_per_1000", "licence_type"} <= set(agg[0])
    want = Counter((r["lender"], lab, r["month"]) for r in rows for lab in r["labels"])
    assert {(a["lender"], a["label"], a["month"]): a["count"] for a in agg} == dict(want)
    per_month = Counter((r["lender"], r["month"]) for r in rows)
    for a in agg:
        assert a["complaints"] == per_month[(a["lender"], a["month"])]
        assert a["rate_per_1000"] == pytest.approx(1000 * a["count"] / a["complaints"], abs=1e-3)
    months = pq.read_table(run["out"] / "lender_months.parquet").to_pylist()
    assert sum(m["complaints"] for m in months) == len(rows)
    assert sum(m["unlawful"] for m in months) == sum(r["unlawful"] for r in rows)


def test_malformed_rows_are_counted_and_written_with_reasons(run: dict[str, Any], corpus: dict[str, Any]) -> None:
    rejects = [json.loads(line) for line in (run["out"] / "rejects.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rejects) == corpus["bad"] == run["result"]["rejects"]
    assert {r["reason"] for r in rejects} == {"bad_json", "empty_text", "not_object", "field_count"}
    assert all(r["reason_zh"] and r["source"] and r["row"] > 0 for r in rejects)


def test_report_is_static_chinese_with_three_charts(run: dict[str, Any]) -> None:
    html = Path(run["result"]["report"]).read_text(encoding="utf-8")
    assert "催收投诉批量分析报告" in html and html.count("<svg") == 3 and "<script" not in html
    assert "违规催收比例最高的放贷方" in html and "每月投诉量" in html and "违规行为构成" in html
    os.remove(run["result"]["report"])
    from typer.testing import CliRunner

    from weiquan.cli import app

    r = CliRunner().invoke(app, ["--home", str(run["home"]), "bulk", "report", str(run["out"])])
    assert r.exit_code == 0, r.output
    assert Path(run["result"]["report"]).read_text(encoding="utf-8").count("<svg") == 3


def test_web_page_shows_a_finished_run(run: dict[str, Any]) -> None:
    from fastapi.testclient import TestClient

    from weiquan.config import load_settings
    from weiquan.web import create_app
    from weiquan.web.config import WebConfig
    from weiquan.workspace import Workspace

    with (
        Workspace(load_settings(run["home"])) as ws,
        TestClient(create_app(ws, config=WebConfig(run_extraction=False))) as c,
    ):
        listing = c.get("/bulk")
        assert listing.status_code == 200 and "批量分析" in listing.text
        run_id = json.loads((run["out"] / "run.json").read_text(encoding="utf-8"))["plan_id"]
        assert f"/bulk/{run_id}" in listing.text
        page = c.get(f"/bulk/{run_id}")
        assert page.status_code == 200 and page.text.count("<svg") == 3 and "违规催收比例最高的放贷方" in page.text
        assert c.get("/bulk/0123456789abcdef").status_code == 404
        assert c.post(f"/bulk/{run_id}").status_code in (404, 405)  # read-only


def test_missing_text_column_fails_before_any_work(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from weiquan.cli import app

    f = tmp_path / "no_text.csv"
    f.write_text("编号,投诉对象,时间\n1,某贷,2024-01-01\n", encoding="utf-8")
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["--home", str(tmp_path / "h"), "bulk", "run", str(f), "--out", str(out)])
    assert r.exit_code == 2 and "找不到投诉内容" in r.output and "编号、投诉对象、时间" in r.output
    assert not out.exists()


def _run_killing_one_worker(corpus: dict[str, Any], out: Path, home: Path, after: Callable[[Any], bool]) -> None:
    """Run on 2 workers, SIGKILL one as soon as ``after(progress)`` holds; the run must finish with every partition."""
    pids: list[int] = []
    killed: list[int] = []

    def progress(p: Any) -> None:
        if after(p) and not killed:
            os.kill(pids[-1], signal.SIGKILL)
            killed.append(pids[-1])
            # what a write cut short by the kill leaves (whether this kill lands mid-write is down to timing)
            (out / "texts" / ".tmp-0123456789abcdef-part-cut-short.parquet").write_bytes(b"PAR1")

    res = svc.run_bulk(
        corpus["inputs"], out, home=home, workers=2, partition_rows=150, progress=progress, on_worker_pids=pids.extend
    )
    assert killed and res["partitions"] == 11 + 6
    _assert_equal_to_reference(out, corpus["expected"])
    assert not list(out.rglob(".tmp-*"))  # a finished run leaves no temporary file behind


@pytest.mark.slow
def test_killing_a_worker_mid_run_loses_nothing(corpus: dict[str, Any], tmp_path: Path) -> None:
    # one partition in: the other worker is busy with its own
    _run_killing_one_worker(corpus, tmp_path / "out", tmp_path / "h", lambda p: p.done == 1)


@pytest.mark.slow
def test_a_worker_dying_after_the_last_partition_does_not_fail_the_run(corpus: dict[str, Any], tmp_path: Path) -> None:
    """Every partition is written when the worker dies: the run finishes (it used to fail reading the workers' peak
    memory from a dead worker, CommClosedError) and the results equal the single-process detector's."""
    _run_killing_one_worker(corpus, tmp_path / "out", tmp_path / "h", lambda p: p.done == p.total)


@pytest.mark.slow
def test_a_killed_run_resumes_and_skips_finished_partitions(corpus: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "out"
    cmd = [
        sys.executable,
        "-m",
        "weiquan",
        "--home",
        str(tmp_path / "h"),
        "bulk",
        "run",
        *map(str, corpus["inputs"]),
        "--out",
        str(out),
        "--workers",
        "2",
        "--partition-rows",
        "150",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while (
            len(list((out / "_parts").glob("part-*.json"))) < 3 and time.monotonic() < deadline and proc.poll() is None
        ):
            time.sleep(0.2)
        assert proc.poll() is None, "the run finished before it could be interrupted"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the run, its scheduler and its workers, mid-write
        proc.wait()
    done_before = len(list((out / "_parts").glob("part-*.json")))
    assert 3 <= done_before < 17 and not (out / "aggregates.parquet").exists()
    res = svc.run_bulk(corpus["inputs"], out, home=tmp_path / "h", workers=2, partition_rows=150)
    assert res["skipped"] >= done_before and res["partitions"] == 17
    _assert_equal_to_reference(out, corpus["expected"])
    again = svc.run_bulk(corpus["inputs"], out, home=tmp_path / "h", workers=1, partition_rows=150)
    assert again["skipped"] == 17 and again["texts"] == res["texts"]
    with pytest.raises(InputError, match="另一批输入"):
        svc.run_bulk(corpus["inputs"], out, home=tmp_path / "h", workers=1, partition_rows=151)


@pytest.mark.slow
def test_runs_on_an_existing_cluster_by_scheduler_address(tmp_path: Path) -> None:
    from distributed import LocalCluster

    src = tmp_path / "small.jsonl"
    write_jsonl(src, 150, seed=11)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        res = svc.run_bulk(
            [src], tmp_path / "out", home=tmp_path / "h", scheduler=cluster.scheduler_address, partition_rows=50
        )
        assert res["scheduler"] == cluster.scheduler_address and res["workers"] == 1 and res["texts"] == 150
        assert len(cluster.scheduler.workers) == 1  # the cluster outlives the run
