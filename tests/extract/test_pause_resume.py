"""Extraction can be paused (CLI, web) while it runs and resumed later: the file being computed finishes,
the others are not computed, nothing is lost or written twice; progress is listed per file."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from weiquan.cli import app
from weiquan.config import load_settings
from weiquan.extract.screenshot import ScreenshotExtractor
from weiquan.services import cases, extraction
from weiquan.store.models import Event
from weiquan.web import create_app
from weiquan.web.config import WebConfig
from weiquan.workspace import Workspace

runner = CliRunner()
PAGE = {
    "engine": "test",
    "width": 720,
    "height": 1600,
    "lines": [
        {"text": "屏幕上的文字", "box": [40, 300, 400, 340], "score": 0.99, "ink": [20, 20, 20], "bg": [255, 255, 255]}
    ],
}


def _queue(ws: Workspace, case_id: int, tmp_path: Path, n: int) -> list[int]:
    ids = []
    for i in range(n):
        p = tmp_path / f"Screenshot_202610{10 + i}-2147{i:02d}.png"
        p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes([i]) * 64)  # distinct content: no shared cache
        ev = ws.vault.add(p, case_id=case_id).evidence
        ids.append(extraction.queue_for_evidence(ws, case_id, ev.id, "ocr").id)
    return ids


@pytest.fixture
def fake_ocr(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """OCR without the engine: every image reads as one line of text; records what was computed."""
    seen: list[str] = []
    monkeypatch.setattr(ScreenshotExtractor, "prepare", lambda self, threads=None: None)

    def compute(self: ScreenshotExtractor, path: Path) -> dict[str, Any]:
        seen.append(path.name)
        hook = getattr(ScreenshotExtractor, "_test_hook", None)
        if hook:
            hook(len(seen))
        return PAGE

    monkeypatch.setattr(ScreenshotExtractor, "compute", compute)
    yield seen
    if hasattr(ScreenshotExtractor, "_test_hook"):
        delattr(ScreenshotExtractor, "_test_hook")


def test_pause_during_a_run_then_resume(ws: Workspace, tmp_path: Path, fake_ocr: list[str]) -> None:
    c = cases.create_case(ws, "暂停")
    _queue(ws, c.id, tmp_path, 4)
    ScreenshotExtractor._test_hook = staticmethod(lambda k: extraction.pause_jobs(ws, c.id) if k == 2 else None)  # type: ignore[attr-defined]  # TestClient's app and the result union are typed loosely
    summary = extraction.run_jobs(ws, case_id=c.id, workers=1)
    # the second file was being read when the user paused: it finishes; the last two are not read
    assert len(fake_ocr) == 2 and summary.done == 2 and summary.paused == 2 and summary.failed == 0
    prog = extraction.job_progress(ws, c.id)
    assert (prog.done, prog.paused, prog.pending) == (2, 2, 0)
    assert [f.status for f in prog.files] == ["paused", "paused", "done", "done"]
    assert all(f.name and f.name.startswith("Screenshot_") for f in prog.files)
    assert extraction.run_jobs(ws, case_id=c.id).total == 0  # paused jobs are not run
    delattr(ScreenshotExtractor, "_test_hook")
    assert extraction.resume_jobs(ws, c.id) == 2
    summary = extraction.run_jobs(ws, case_id=c.id, workers=1)
    assert summary.done == 2 and len(fake_ocr) == 4
    with ws.db.read_session() as s:
        assert (
            s.scalar(select(func.count()).select_from(Event).where(Event.case_id == c.id)) == 4
        )  # one per file, none twice
    assert extraction.job_progress(ws, c.id).done == 4


def test_cli_pause_and_resume(home: Path, tmp_path: Path, fake_ocr: list[str]) -> None:
    ws = Workspace(load_settings(home))
    c = cases.create_case(ws, "命令行暂停")
    _queue(ws, c.id, tmp_path, 2)
    ws.close()
    r = runner.invoke(app, ["--home", str(home), "extract", "--case", str(c.id), "--pause", "--json"])
    assert r.exit_code == 0 and json.loads(r.output) == {"paused": 2}
    r = runner.invoke(app, ["--home", str(home), "extract", "--case", str(c.id), "--json"])
    assert json.loads(r.output)["total"] == 0 and fake_ocr == []
    r = runner.invoke(app, ["--home", str(home), "extract", "--case", str(c.id), "--resume"])
    assert r.exit_code == 0 and "继续 2 个" in r.output
    assert "[1/2]" in r.output and "[2/2]" in r.output and len(fake_ocr) == 2  # one line per file
    r = runner.invoke(app, ["--home", str(home), "extract", "--pause"])
    assert r.exit_code == 2


def test_web_progress_per_file_pause_and_resume(ws: Workspace, tmp_path: Path, fake_ocr: list[str]) -> None:
    c = cases.create_case(ws, "网页暂停")
    _queue(ws, c.id, tmp_path, 3)
    appl = create_app(ws, config=WebConfig(run_extraction=False))
    with TestClient(appl) as client:
        page = client.get(f"/cases/{c.id}/import").text
        client.headers["X-CSRF-Token"] = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]  # the test asserts the value exists
        assert "暂停识别" in page and "逐个文件（3）" in page and "Screenshot_20261010-214700.png" in page
        r = client.post(f"/cases/{c.id}/import/pause", headers={"HX-Request": "true"})
        assert r.status_code == 200 and "继续识别" in r.text and "3 个已暂停" in r.text and "已暂停" in r.text
        r = client.post(f"/cases/{c.id}/import/resume", follow_redirects=False)
        assert r.status_code == 303
        assert extraction.job_progress(ws, c.id).pending == 3  # background extraction is off in this app


@pytest.mark.slow
def test_pause_with_worker_processes(ws: Workspace, shots: tuple[Path, list[dict[str, Any]]]) -> None:
    """Two worker processes with real OCR: a pause after the first finished file stops the files not yet
    started; resuming computes exactly those, and every file's events are written once."""
    folder, records = shots
    c = cases.create_case(ws, "多进程暂停")
    names = [r["file"] for r in records[:6]]
    for n in names:
        ev = ws.vault.add(folder / n, case_id=c.id).evidence
        extraction.queue_for_evidence(ws, c.id, ev.id, "ocr")

    def pause_after_first(ev: extraction.ProgressEvent) -> None:
        if ev.done == 1:
            extraction.pause_jobs(ws, c.id)

    first = extraction.run_jobs(ws, case_id=c.id, workers=2, progress=pause_after_first)
    assert first.paused >= 1 and first.done + first.paused == 6 and first.failed == 0
    assert extraction.resume_jobs(ws, c.id) == first.paused
    second = extraction.run_jobs(ws, case_id=c.id, workers=2)
    assert second.done == first.paused and second.cached == 0
    expected = sum(len(r["events"]) for r in records[:6])
    with ws.db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Event).where(Event.case_id == c.id)) == expected
