"""Kill ``weiquan extract`` in the middle of a run, run it again: exactly the events of an uninterrupted run."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from weiquan.config import load_settings
from weiquan.services import cases, extraction
from weiquan.store.models import Event, Evidence, Job
from weiquan.workspace import Workspace

pytestmark = pytest.mark.slow
NAMES = [
    "Screenshot_20261030_214733_com.android.mms.png",
    "Screenshot_20261030-120000.png",
    "Screenshot_20261030_214733_com.android.contacts.jpg",
    "微信图片_20261030214733.jpg",
    "evidence-photo.png",
    "Screenshot_20261102-101500.png",
]


def _setup(home: Path, folder: Path) -> None:
    ws = Workspace(load_settings(home))
    c = cases.create_case(ws, "中断测试")
    for n in NAMES:
        ev = ws.vault.add(folder / n, case_id=c.id).evidence
        extraction.queue_for_evidence(ws, c.id, ev.id, "ocr")
    ws.close()


def _snapshot(home: Path) -> list[tuple[Any, ...]]:
    ws = Workspace(load_settings(home))
    try:
        with ws.db.read_session() as s:
            rows = []
            for e in s.execute(select(Event)).scalars():
                srcs = sorted((s.get(Evidence, src.evidence_id).sha256, src.locator) for src in e.sources)  # type: ignore[union-attr]  # the test asserts the value exists
                rows.append(
                    (
                        e.channel,
                        e.direction,
                        e.start.isoformat(),
                        e.counterpart,
                        e.counterpart_name,
                        e.text,
                        e.duration_s,
                        e.origin,
                        tuple(srcs),
                    )
                )
            assert {j.status for j in s.execute(select(Job)).scalars()} == {"done"}
            return sorted(rows, key=repr)
    finally:
        ws.close()


def _cli(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "weiquan", "--home", str(home), "extract", "--case", "1", "--workers", "1", *args]


def _done_jobs(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("select count(*) from jobs where status='done'").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def test_kill_then_rerun_gives_the_uninterrupted_events(
    tmp_path: Path, shots: tuple[Path, list[dict[str, Any]]]
) -> None:
    folder, _ = shots
    ref, crash = tmp_path / "ref", tmp_path / "crash"
    _setup(ref, folder)
    _setup(crash, folder)
    env = {**os.environ, "WEIQUAN_HOME": str(crash)}

    ws = Workspace(load_settings(ref))
    summary = extraction.run_jobs(ws, workers=1)  # the uninterrupted run
    ws.close()
    assert (summary.done, summary.failed) == (len(NAMES), 0), summary
    expected = _snapshot(ref)
    assert len(expected) >= 20

    proc = subprocess.Popen(_cli(crash, "--json"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 600
    while _done_jobs(crash / "weiquan.db") < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.kill()  # SIGKILL: no clean-up of any kind
    proc.wait(timeout=60)
    finished = _done_jobs(crash / "weiquan.db")
    assert 2 <= finished < len(NAMES), f"the kill did not land mid-run ({finished} of {len(NAMES)} done)"

    rerun = subprocess.run(_cli(crash, "--json"), capture_output=True, text=True, env=env, timeout=600)
    assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-3000:]
    assert _snapshot(crash) == expected
