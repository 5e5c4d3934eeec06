"""The import path (id reservation, batched inserts, dedupe, attachments) on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.fixtures import ingest_formats as fx
from weiquan.services import cases, imports, timeline
from weiquan.testing import phone_exports as w
from weiquan.workspace import Workspace


def test_import_merge_and_timeline(any_ws: Workspace, files: Path, tmp_path: Path) -> None:
    ws = any_ws
    cid = cases.create_case(ws, "后端测试").id
    png = w.png_file(tmp_path / "p.png").read_bytes()
    msgs = [*fx.messages(), w.Msg(fx.COLLECTOR, fx.T0 + dt.timedelta(hours=5), "图", attachments=[("image/png", png)])]
    sms = w.synctech_sms_xml(files / "sms.xml", msgs)
    r = imports.import_paths(
        ws,
        cid,
        [
            sms,
            w.synctech_calls_xml(files / "calls.xml", fx.calls()),
            w.wav_file(files / "15400000001_20240304101000.wav", 1),
        ],
    )
    assert [(x.status, x.added, x.merged) for x in r] == [("parsed", 5, 0), ("parsed", 4, 0), ("queued", 0, 1)]
    shifted = [w.Msg(m.number, m.when + dt.timedelta(seconds=2), m.body, m.incoming) for m in fx.messages()]
    [again] = imports.import_paths(ws, cid, [w.adb_sms_dump(files / "dump.txt", shifted)])
    assert (again.added, again.merged) == (0, 4)
    [same] = imports.import_paths(ws, cid, [sms])
    assert same.status == "already_imported"
    ev = timeline.add_manual_event(ws, cid, channel="visit", time="2024-03-06 19:00", text="上门")
    events = timeline.list_events(ws, cid)
    assert len(events) == 10 and events[-1].id == ev.id
    assert len({e.id for e in events}) == 10
    assert ev.id > max(e.id for e in events[:-1])
    assert timeline.list_events(ws, cid, since="2024-03-06")[0].text == "上门"
    assert ws.vault.verify().ok
    # a second case reuses nothing from the first
    cid2 = cases.create_case(ws, "另一个").id
    [r2] = imports.import_paths(ws, cid2, [sms])
    assert (r2.status, r2.added) == ("parsed", 5)


def test_sqlite_fast_path_matches_sqlalchemy_storage(ws: Workspace) -> None:
    """Rows written by the driver-level fast path read back and compare exactly like ORM-written ones."""
    from sqlalchemy import select, text

    from weiquan.ingest.writer import _sqlite_datetime
    from weiquan.store.models import Case, Event

    when = dt.datetime(2024, 3, 4, 1, 30, 0, 5, tzinfo=dt.timezone.utc)
    with ws.db.session() as s:
        case = Case(name="x")
        s.add(case)
        s.flush()
        s.add(Event(case_id=case.id, channel="sms", start=when, extra={"a": 1}))
        s.flush()
        orm_text = s.execute(text("SELECT start FROM events")).scalar_one()
        assert orm_text == _sqlite_datetime(when)
        assert _sqlite_datetime(when.astimezone(dt.timezone(dt.timedelta(hours=8)))) == orm_text
        assert s.execute(select(Event.id).where(Event.start >= when)).scalar_one()
