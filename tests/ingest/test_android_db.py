"""Android ``mmssms.db`` / ``calllog.db`` and decrypted Huawei backup databases (ingest.android_db)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from tests.fixtures import ingest_formats as fx
from weiquan.services import imports, timeline
from weiquan.testing import phone_exports as w
from weiquan.workspace import Workspace


def _mms() -> w.Msg:
    return w.Msg(fx.COLLECTOR, fx.T0 + dt.timedelta(hours=3), "看看你家门口的照片", attachments=[("image/jpeg", b"")])


@pytest.mark.parametrize("huawei", [False, True], ids=["mmssms.db", "huawei-sms_tb"])
def test_sms_database_with_mms_and_deleted_rows(ws: Workspace, case_id: int, files: Path, huawei: bool) -> None:
    msgs = [*fx.messages(), _mms()]
    db = w.android_sms_db(files / ("sms.db" if huawei else "mmssms.db"), msgs, huawei=huawei, deleted=[2])
    [r] = imports.import_paths(ws, case_id, [db])
    assert (r.format, r.status, r.added, r.rejected) == ("android_sms_db", "parsed", 5, 0)
    assert any("彩信附件" in x for x in r.warnings)
    events = timeline.list_events(ws, case_id)
    assert [e.text for e in events] == [m.body for m in sorted(msgs, key=lambda m: m.when)]
    first, threat, reply, mms, _ = events
    assert first.signature == "示例贷" and first.start == msgs[0].when and first.direction == "incoming"
    assert reply.direction == "outgoing" and reply.counterpart == "+8615400000001"
    table = "sms_tb" if huawei else "sms"
    assert first.evidence[0].locator == f"{table}:1"
    assert (threat.extra.get("deleted") is True) is (not huawei)  # MIUI keeps deleted rows with a flag
    assert mms.channel == "mms" and mms.counterpart == "+8615400000001" and mms.direction == "incoming"
    assert mms.start == msgs[-1].when.replace(microsecond=0)  # pdu.date is in seconds
    assert mms.extra["attachments_not_in_file"] == 1
    assert mms.evidence[0].locator == f"{'pdu_tb' if huawei else 'pdu'}:5"


@pytest.mark.parametrize("table", ["calls", "calls_tb"])
def test_call_log_database(ws: Workspace, case_id: int, files: Path, table: str) -> None:
    calls = [*fx.calls(), w.Call("", fx.T0 + dt.timedelta(hours=20), 0, 1)]  # a withheld number
    [r] = imports.import_paths(ws, case_id, [w.android_calllog_db(files / "calllog.db", calls, table=table)])
    assert (r.format, r.added) == ("android_calllog_db", 5)
    events = timeline.list_events(ws, case_id, channel="call")
    assert [e.direction for e in events] == ["missed", "rejected", "incoming", "blocked", "incoming"]
    assert events[2].duration_s == 95 and events[2].start == calls[2].when
    assert events[0].extra.get("geocoded_location") == "广东深圳"
    assert events[3].extra.get("block_reason") == 1
    assert events[-1].counterpart is None and events[-1].number_kind == "withheld"


def test_same_messages_in_database_and_synctech_export_merge(ws: Workspace, case_id: int, files: Path) -> None:
    imports.import_paths(ws, case_id, [w.synctech_sms_xml(files / "sms.xml", fx.messages())])
    [r] = imports.import_paths(ws, case_id, [w.android_sms_db(files / "mmssms.db", fx.messages())])
    assert (r.added, r.merged) == (0, 4)
    [again] = imports.import_paths(ws, case_id, [files / "mmssms.db"])
    assert again.status == "already_imported" and timeline.count_events(ws, case_id) == 4


def test_out_of_range_dates_are_reported_and_broken_schema_refused(ws: Workspace, case_id: int, files: Path) -> None:
    db = w.android_sms_db(files / "mmssms.db", fx.messages())
    con = sqlite3.connect(db)
    con.execute("UPDATE sms SET date = 0 WHERE _id = 1")  # 1970
    con.execute("UPDATE sms SET date = 4102444800000 WHERE _id = 2")  # 2100
    con.commit()
    con.close()
    [r] = imports.import_paths(ws, case_id, [db])
    assert (r.status, r.added, r.rejected) == ("parsed", 2, 2)
    assert any("sms:1" in x and "时间超出合理范围" in x for x in r.warnings)
    # an SMS table without the provider's columns is not taken for a message database
    odd = files / "odd.db"
    con = sqlite3.connect(odd)
    con.execute("CREATE TABLE sms (id INTEGER PRIMARY KEY, content TEXT)")
    con.commit()
    con.close()
    [r] = imports.import_paths(ws, case_id, [odd])
    assert r.status == "unparsed" and "mmssms.db" in (r.error or "")


def test_encrypted_huawei_backup_member_explained(ws: Workspace, case_id: int, files: Path) -> None:
    enc = files / "sms.db"
    enc.write_bytes(bytes((i * 73 + 41) % 256 for i in range(4096)))  # ciphertext-like bytes, not SQLite
    [r] = imports.import_paths(ws, case_id, [enc])
    assert r.status == "unparsed" and "加密" in (r.error or "") and "decrypt" in (r.error or "").lower()
    assert ws.vault.path(r.sha256).read_bytes() == enc.read_bytes()  # kept all the same


def test_unmerged_wal_beside_a_database_is_reported(ws: Workspace, case_id: int, files: Path) -> None:
    db = w.android_sms_db(files / "mmssms.db", fx.messages()[:2])
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA wal_autocheckpoint=0")
    con.execute(
        "INSERT INTO sms (_id, address, date, type, body) VALUES (99, '15400000001', ?, 1, '只在预写日志里')",
        (w.ms(fx.T0 + dt.timedelta(days=2)),),
    )
    con.commit()
    results = imports.import_paths(ws, case_id, [files])  # the folder, with the -wal beside the database
    con.close()
    [r] = [x for x in results if x.format == "android_sms_db"]
    assert r.added == 2
    assert any("mmssms.db-wal" in x for x in r.warnings)
    assert "只在预写日志里" not in {e.text for e in timeline.list_events(ws, case_id)}
