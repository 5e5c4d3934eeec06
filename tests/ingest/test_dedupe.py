"""Idempotent re-import and merging of overlapping exports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.fixtures import ingest_formats as fx
from weiquan.services import imports, timeline
from weiquan.testing import phone_exports as w
from weiquan.workspace import Workspace


def test_reimport_adds_nothing(ws: Workspace, case_id: int, files: Path) -> None:
    path = w.synctech_sms_xml(files / "sms.xml", fx.messages())
    [r1] = imports.import_paths(ws, case_id, [path])
    [r2] = imports.import_paths(ws, case_id, [path])
    assert r1.added == 4 and r2.status == "already_imported" and r2.added == 0
    # the same bytes under another name: a second acquisition, still no new events
    copy = files / "copy-of-sms.xml"
    copy.write_bytes(path.read_bytes())
    [r3] = imports.import_paths(ws, case_id, [copy])
    assert r3.status == "already_imported"
    assert timeline.count_events(ws, case_id) == 4


def test_overlapping_exports_merge_with_both_provenances(ws: Workspace, case_id: int, files: Path) -> None:
    msgs = fx.messages()
    older = w.synctech_sms_xml(files / "sms-old.xml", msgs[:3])
    # the newer export has the same messages 1 s later (phone re-synced its clock) plus one more
    shifted = [w.Msg(m.number, m.when + dt.timedelta(seconds=1), m.body, m.incoming, m.name) for m in msgs]
    newer = w.adb_sms_dump(files / "dump.txt", shifted)
    [a] = imports.import_paths(ws, case_id, [older])
    [b] = imports.import_paths(ws, case_id, [newer])
    assert (a.added, b.added, b.merged) == (3, 1, 3)
    events = timeline.list_events(ws, case_id)
    assert len(events) == 4
    assert sorted(len(e.evidence) for e in events) == [1, 2, 2, 2]
    merged = events[0]
    assert {x.source_format for x in merged.evidence} == {"synctech_sms", "adb_sms"}
    assert {x.locator for x in merged.evidence} == {"/smses/sms[1]", "row[0]"}


def test_same_text_far_apart_is_not_merged(ws: Workspace, case_id: int, files: Path) -> None:
    m = fx.messages()[0]
    later = w.Msg(m.number, m.when + dt.timedelta(seconds=3), m.body)
    other_number = w.Msg("15400000009", m.when, m.body)
    [r] = imports.import_paths(ws, case_id, [w.synctech_sms_xml(files / "s.xml", [m, later, other_number])])
    assert (r.added, r.merged) == (3, 0)


def test_duplicates_inside_one_file_merge(ws: Workspace, case_id: int, files: Path) -> None:
    m = fx.messages()[1]
    [r] = imports.import_paths(ws, case_id, [w.synctech_sms_xml(files / "s.xml", [m, m])])
    assert (r.added, r.merged) == (1, 1)
    [e] = timeline.list_events(ws, case_id)
    assert [x.locator for x in e.evidence] == ["/smses/sms[1]", "/smses/sms[2]"]


def test_timeline_filters(ws: Workspace, case_id: int, files: Path) -> None:
    imports.import_paths(
        ws,
        case_id,
        [w.synctech_sms_xml(files / "s.xml", fx.messages()), w.synctech_calls_xml(files / "c.xml", fx.calls())],
    )
    assert len(timeline.list_events(ws, case_id, channel="call")) == 4
    assert len(timeline.list_events(ws, case_id, number="+86 154-0000-0001")) == 5
    assert len(timeline.list_events(ws, case_id, since="2024-03-05")) == 1
    assert len(timeline.list_events(ws, case_id, until="2024-03-04")) == 7
    assert len(timeline.list_events(ws, case_id, since="2024-03-04 11:00", until="2024-03-04 12:00")) == 2
    assert [e.text for e in timeline.list_events(ws, case_id, q="通讯录")] == [fx.messages()[1].body]
    assert len(timeline.list_events(ws, case_id, limit=2, offset=1)) == 2
