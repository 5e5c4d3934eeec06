"""The import service writes batches on a worker thread while the importer parses (ingest.writer).

Batches are shrunk to a few records so that every file here spans many batches, on SQLite and
PostgreSQL: order, dedupe across batch boundaries, truncation, re-import and errors on either
thread must behave exactly as with one batch.
"""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from weiquan.ingest import writer as writer_mod
from weiquan.services import cases, imports, timeline
from weiquan.store.models import Event, EventSource
from weiquan.testing import phone_exports as w
from weiquan.testing.phone_exports import SHANGHAI
from weiquan.workspace import Workspace

T0 = dt.datetime(2024, 5, 6, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer_mod, "BATCH", 7)


def _messages(n: int) -> list[w.Msg]:
    return [
        w.Msg(f"1540000{i % 5:04d}", T0 + dt.timedelta(minutes=i), f"第{i}条：请于今日还款", incoming=i % 3 != 0)
        for i in range(n)
    ]


def _counts(ws: Workspace, case_id: int) -> tuple[int, int]:
    with ws.db.read_session() as s:
        events = s.scalar(select(func.count()).select_from(Event).where(Event.case_id == case_id))
        sources = s.scalar(select(func.count()).select_from(EventSource).join(Event).where(Event.case_id == case_id))
    return events or 0, sources or 0


def _writer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("weiquan-writer")]


def test_many_batches_keep_order_and_dedupe(any_ws: Workspace, tmp_path: Path) -> None:
    ws = any_ws
    cid = cases.create_case(ws, "分批").id
    msgs = _messages(60)
    # the same message twice in one file, 1 s apart, in different batches (records 3 and 40)
    dup = w.Msg(msgs[3].number, msgs[3].when + dt.timedelta(seconds=1), msgs[3].body, msgs[3].incoming)
    sms = w.synctech_sms_xml(tmp_path / "sms.xml", [*msgs[:40], dup, *msgs[40:]])
    [r] = imports.import_paths(ws, cid, [sms])
    assert (r.status, r.records, r.added, r.merged) == ("parsed", 61, 60, 1)
    assert _counts(ws, cid) == (60, 61)
    events = timeline.list_events(ws, cid)
    assert [e.text for e in events] == [m.body for m in msgs]  # time order, nothing lost or doubled
    assert [e.id for e in events] == sorted(e.id for e in events)  # ids follow file order
    merged = next(e for e in events if e.text == msgs[3].body)
    assert sorted(ev.locator for ev in merged.evidence) == ["/smses/sms[41]", "/smses/sms[4]"]
    # an overlapping second export (shifted by 2 s) merges record by record, across batches
    shifted = [w.Msg(m.number, m.when + dt.timedelta(seconds=2), m.body, m.incoming) for m in msgs[20:]]
    [again] = imports.import_paths(ws, cid, [w.adb_sms_dump(tmp_path / "dump.txt", shifted)])
    assert (again.status, again.added, again.merged) == ("parsed", 0, 40)
    assert _counts(ws, cid) == (60, 101)
    assert not _writer_threads()


def test_truncated_file_keeps_every_batch_before_the_cut(ws: Workspace, tmp_path: Path) -> None:
    cid = cases.create_case(ws, "截断").id
    full = w.synctech_sms_xml(tmp_path / "full.xml", _messages(50)).read_bytes()
    cut = full.index(b"<sms ", full.index("第33条".encode())) + 10  # inside the record after the 34th ("第33条")
    path = tmp_path / "sms-cut.xml"
    path.write_bytes(full[:cut])
    [r] = imports.import_paths(ws, cid, [path])
    assert r.status == "partial" and r.added == 34 and r.error_line is not None
    assert _counts(ws, cid) == (34, 34)
    [same] = imports.import_paths(ws, cid, [path])
    assert same.status == "already_imported" and _counts(ws, cid) == (34, 34)


def test_an_error_on_the_writer_thread_writes_nothing(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = cases.create_case(ws, "写入失败").id
    calls = {"n": 0}
    real_insert = writer_mod.EventWriter._insert

    def failing_insert(self: writer_mod.EventWriter, *args: object) -> None:
        calls["n"] += 1
        if calls["n"] == 5:  # the third batch's events (each batch inserts events, then sources)
            assert threading.current_thread().name.startswith("weiquan-writer")
            raise OSError("disk full")
        real_insert(self, *args)  # type: ignore[arg-type]  # a test double passes through loosely typed arguments

    monkeypatch.setattr(writer_mod.EventWriter, "_insert", failing_insert)
    sms = w.synctech_sms_xml(tmp_path / "sms.xml", _messages(40))
    [r] = imports.import_paths(ws, cid, [sms])
    assert r.status == "unparsed" and "OSError" in (r.error or "") and "原件已保存" in (r.error or "")
    assert _counts(ws, cid) == (0, 0)  # the batches written before the error were rolled back
    assert ws.vault.path(r.sha256).read_bytes() == sms.read_bytes()
    assert ws.vault.verify().ok
    assert not _writer_threads()
    monkeypatch.setattr(writer_mod.EventWriter, "_insert", real_insert)
    [again] = imports.import_paths(ws, cid, [sms])  # the kept original imports once the fault is gone
    assert (again.status, again.added) == ("parsed", 40)


def test_an_error_while_parsing_waits_for_the_writer_and_rolls_back(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = cases.create_case(ws, "解析失败").id
    real_add = writer_mod.EventWriter.add

    def add(self: writer_mod.EventWriter, raw: object) -> None:
        if self.stats.records == 30:  # batches are in flight on the worker by now
            raise RuntimeError("importer bug")
        real_add(self, raw)  # type: ignore[arg-type]  # a test double passes through loosely typed arguments

    monkeypatch.setattr(writer_mod.EventWriter, "add", add)
    [r] = imports.import_paths(ws, cid, [w.synctech_sms_xml(tmp_path / "sms.xml", _messages(40))])
    assert r.status == "unparsed" and "RuntimeError" in (r.error or "")
    assert _counts(ws, cid) == (0, 0)
    assert not _writer_threads()


def test_a_file_smaller_than_a_batch_is_written_without_a_thread(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from weiquan.ingest.pipeline import OrderedWorker

    submitted: list[int] = []
    real_submit = OrderedWorker.submit
    monkeypatch.setattr(
        OrderedWorker, "submit", lambda self, batch: (submitted.append(len(batch)), real_submit(self, batch))
    )
    cid = cases.create_case(ws, "小文件").id
    [small] = imports.import_paths(ws, cid, [w.synctech_sms_xml(tmp_path / "small.xml", _messages(5))])
    assert (small.status, small.added) == ("parsed", 5) and submitted == []
    [big] = imports.import_paths(ws, cid, [w.synctech_sms_xml(tmp_path / "big.xml", _messages(20)[5:])])
    # two full batches go to the worker; the last record follows them there, or is written inline once it is idle
    assert big.added == 15 and submitted[:2] == [7, 7] and sum(submitted) in (14, 15)
    assert _counts(ws, cid) == (20, 20)
