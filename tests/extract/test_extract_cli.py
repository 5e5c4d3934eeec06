"""``weiquan extract`` command line: options, status listing, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from weiquan.cli import app
from weiquan.config import load_settings
from weiquan.services import cases, extraction
from weiquan.workspace import Workspace

runner = CliRunner()


def test_bad_only_value_is_a_usage_error(home: Path) -> None:
    r = runner.invoke(app, ["--home", str(home), "extract", "--only", "video"])
    assert r.exit_code == 2 and "ocr" in r.output


def test_status_lists_jobs_and_nothing_to_do(home: Path, tmp_path: Path) -> None:
    ws = Workspace(load_settings(home))
    c = cases.create_case(ws, "命令行")
    (tmp_path / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    ev = ws.vault.add(tmp_path / "a.png", case_id=c.id).evidence
    job = extraction.queue_for_evidence(ws, c.id, ev.id, "ocr")
    ws.close()
    r = runner.invoke(app, ["--home", str(home), "extract", "--status", "--json"])
    assert r.exit_code == 0
    assert [(j["id"], j["status"], j["kind"]) for j in json.loads(r.output)] == [(job.id, "pending", "ocr")]
    r = runner.invoke(app, ["--home", str(home), "extract", "--case", str(c.id), "--only", "asr", "--json"])
    assert r.exit_code == 0 and json.loads(r.output)["total"] == 0
    r = runner.invoke(app, ["--home", str(home), "extract", "--case", "999"])
    assert r.exit_code == 2


def test_queue_all_needs_a_case(home: Path) -> None:
    r = runner.invoke(app, ["--home", str(home), "extract", "--queue-all"])
    assert r.exit_code == 2
