"""Issue 19 item 4 on SQLite: an import stages its parsed batches and takes the write lock only for the final write,
so another user's small write during the parse is not queued behind the whole import; still one transaction."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from weiquan.config import load_settings
from weiquan.ingest import writer as writer_mod
from weiquan.services import cases, imports, timeline
from weiquan.testing import phone_exports as w
from weiquan.workspace import Workspace


def _sms(path: Path, n: int) -> Path:
    import datetime as dt

    t0 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=w.SHANGHAI)
    return w.synctech_sms_xml(
        path, [w.Msg(f"1540000{i % 50:04d}", t0 + dt.timedelta(minutes=i), f"还钱 {i}") for i in range(n)]
    )


def test_the_write_lock_is_free_while_the_file_is_parsed(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer_mod, "BATCH", 100)
    with Workspace(load_settings(home)) as ws:
        cid = cases.create_case(ws, "大文件").id
        other = cases.create_case(ws, "别人的案件").id
        sms = _sms(tmp_path / "sms.xml", 1000)
        db = ws.db.engine.url.database
        probes: list[bool] = []
        real = imports.checked
        seen = 0

        def probing(raw: Any, ctx: Any) -> Any:
            nonlocal seen
            seen += 1
            if seen in (250, 500, 750):
                # another user's own write, with a short timeout: it must not wait for this import
                con = sqlite3.connect(db, timeout=0.5, isolation_level=None)
                try:
                    con.execute("BEGIN IMMEDIATE")
                    con.execute("ROLLBACK")
                    probes.append(True)
                except sqlite3.OperationalError:
                    probes.append(False)
                finally:
                    con.close()
                timeline.add_manual_event(
                    ws,
                    other,
                    channel="sms",
                    time="2025-03-02 10:00",
                    number="13800138000",
                    text=f"别人的记录 {len(probes)}",
                )
            return real(raw, ctx)

        monkeypatch.setattr(imports, "checked", probing)
        [r] = imports.import_paths(ws, cid, [sms])
        assert probes == [True, True, True]  # batches of 100 were staged meanwhile, without the lock
        assert (r.status, r.added) == ("parsed", 1000)
        assert len(timeline.list_events(ws, other)) == 3
        # idempotent as before: the same file again adds nothing
        monkeypatch.setattr(imports, "checked", real)
        [again] = imports.import_paths(ws, cid, [sms])
        assert again.status == "already_imported" and len(timeline.list_events(ws, cid)) == 1000


def test_a_file_that_fails_after_staging_writes_nothing(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer_mod, "BATCH", 100)
    with Workspace(load_settings(home)) as ws:
        cid = cases.create_case(ws, "坏文件").id
        sms = _sms(tmp_path / "sms.xml", 500)
        real = writer_mod.EventWriter._write_batch
        calls = {"n": 0}

        def failing(self: Any, pending: Any) -> None:
            calls["n"] += 1
            if calls["n"] == 3:
                raise RuntimeError("disk full")
            real(self, pending)

        monkeypatch.setattr(writer_mod.EventWriter, "_write_batch", failing)
        [r] = imports.import_paths(ws, cid, [sms])
        assert r.status == "unparsed" and r.added == 0
        assert timeline.list_events(ws, cid) == []  # the two batches written before the error were rolled back
