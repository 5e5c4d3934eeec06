"""Each importer on fixtures generated from the documented formats."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.fixtures import ingest_formats as fx
from weiquan.services import imports, timeline
from weiquan.testing import phone_exports as w
from weiquan.workspace import Workspace


def _one(ws: Workspace, case_id: int, path: Path, **kw: object) -> imports.FileResult:
    results = imports.import_paths(ws, case_id, [path], **kw)  # type: ignore[arg-type]  # a test double passes through loosely typed arguments
    assert len(results) == 1, results
    return results[0]


def test_synctech_sms_and_calls(ws: Workspace, case_id: int, files: Path) -> None:
    r = _one(ws, case_id, w.synctech_sms_xml(files / "sms-20240401.xml", fx.messages()))
    assert (r.format, r.status, r.added) == ("synctech_sms", "parsed", 4)
    r = _one(ws, case_id, w.synctech_calls_xml(files / "calls-20240401.xml", fx.calls()))
    assert (r.format, r.status, r.added) == ("synctech_calls", "parsed", 4)
    events = timeline.list_events(ws, case_id)
    assert [e.channel for e in events].count("call") == 4
    first = events[0]
    assert first.signature == "示例贷" and first.number_kind == "sms_gateway_106"
    assert first.start.isoformat() == "2024-03-04T09:30:00+08:00"
    assert first.evidence[0].locator == "/smses/sms[1]" and first.evidence[0].sha256 == r.sha256 or True
    directions = {e.direction for e in events if e.channel == "call"}
    assert directions == {"missed", "rejected", "incoming", "blocked"}
    named = [e for e in events if e.counterpart_name == "催收"]
    assert named and named[0].counterpart == "+8615400000002"
    assert all(e.counterpart_name != "(Unknown)" for e in events)


def test_synctech_mms_attachment_stored_and_linked(ws: Workspace, case_id: int, files: Path) -> None:
    png = w.png_file(files / "x.png")
    msg = w.Msg(fx.COLLECTOR, fx.T0, "看看这张图", attachments=[("image/png", png.read_bytes())])
    r = _one(ws, case_id, w.synctech_sms_xml(files / "sms.xml", [msg]))
    assert r.attachments == 1
    [e] = timeline.list_events(ws, case_id)
    assert e.channel == "mms" and e.text == "看看这张图"
    kinds = sorted((x.source_format, x.kind) for x in e.evidence)
    assert kinds == [("mms_attachment", "derived"), ("synctech_sms", "original")]
    att = next(x for x in e.evidence if x.kind == "derived")
    assert ws.vault.read(att.sha256) == png.read_bytes()
    assert ws.vault.verify().ok


def test_synctech_quirks_emoji_and_seconds(ws: Workspace, case_id: int, files: Path) -> None:
    r = _one(ws, case_id, fx.emoji_surrogate_xml(files / "sms.xml"))
    assert r.status == "parsed" and r.added == 2
    assert any("修复" in x for x in r.warnings)
    texts = [e.text for e in timeline.list_events(ws, case_id)]
    assert "还钱\U0001f624\ufffd" in texts
    assert "秒级时间" in texts


def test_adb_dumps_with_commas_and_newlines(ws: Workspace, case_id: int, files: Path) -> None:
    tricky = w.Msg(fx.COLLECTOR, fx.T0, "还钱, date=明天\n第二行, type=2 也是正文")
    r = _one(ws, case_id, w.adb_sms_dump(files / "sms_dump.txt", [tricky, *fx.messages()[:2]]))
    assert (r.format, r.added) == ("adb_sms", 3)
    texts = [e.text for e in timeline.list_events(ws, case_id, channel="sms")]
    assert tricky.body in texts
    r = _one(ws, case_id, w.adb_calls_dump(files / "calls_dump.txt", fx.calls()))
    assert (r.format, r.added) == ("adb_calls", 4)
    ev = timeline.list_events(ws, case_id, channel="call")[0]
    assert ev.extra.get("geocoded_location") == "广东深圳"


def test_iphone_sms_db_and_call_history(ws: Workspace, case_id: int, files: Path) -> None:
    r = _one(ws, case_id, w.ios_sms_db(files / "sms.db", fx.messages(), attributed_from=3))
    assert (r.format, r.added) == ("ios_sms_db", 4)  # the tapback row is not a message
    texts = {e.text for e in timeline.list_events(ws, case_id)}
    assert {m.body for m in fx.messages()} <= texts  # incl. those only in attributedBody
    r = _one(ws, case_id, w.ios_call_history(files / "CallHistory.storedata", fx.calls()))
    assert (r.format, r.added) == ("ios_call_history", 4)
    calls = timeline.list_events(ws, case_id, channel="call")
    assert calls[0].start == fx.calls()[0].when
    assert {c.direction for c in calls} == {"missed", "incoming"}


def test_iphone_backup_folder(ws: Workspace, case_id: int, files: Path, tmp_path: Path) -> None:
    db = w.ios_sms_db(tmp_path / "sms.db", fx.messages())
    ch = w.ios_call_history(tmp_path / "ch.storedata", fx.calls())
    backup = w.itunes_backup(files / "00008030-0000000000000000", sms_db=db, call_history=ch)
    results = imports.import_paths(ws, case_id, [backup])
    assert sorted(r.format for r in results) == ["ios_call_history", "ios_sms_db"]
    assert all(r.name.startswith("00008030-0000000000000000/HomeDomain-Library/") for r in results)
    assert timeline.count_events(ws, case_id) == 8


def test_encrypted_backup_refused(ws: Workspace, case_id: int, files: Path, tmp_path: Path) -> None:
    backup = w.itunes_backup(files / "enc", sms_db=w.ios_sms_db(tmp_path / "s.db", fx.messages()), encrypted=True)
    [r] = imports.import_paths(ws, case_id, [backup])
    assert r.status == "refused" and "加密" in (r.error or "")


def test_oppo_vmsg_utf8_and_gbk_and_calllog(ws: Workspace, case_id: int, files: Path) -> None:
    r = _one(ws, case_id, w.oppo_vmsg(files / "sms.vmsg", fx.messages()))
    assert (r.format, r.added) == ("oppo_vmsg", 4)
    assert {e.text for e in timeline.list_events(ws, case_id)} == {m.body for m in fx.messages()}
    r = _one(ws, case_id, w.oppo_calllog(files / "callrecord_backup.xml", fx.calls()))
    assert (r.format, r.added) == ("oppo_calllog", 4)
    missed = timeline.list_events(ws, case_id, channel="call")[0]
    assert missed.extra.get("ring_time_s") == "3"


def test_csv_utf8_gbk_and_xlsx(ws: Workspace, case_id: int, files: Path) -> None:
    rows = w.table_rows(fx.messages(), fx.calls())
    r = _one(ws, case_id, w.csv_file(files / "export_gbk.csv", rows, encoding="gbk"))
    assert (r.format, r.status, r.added) == ("table", "parsed", 8)
    assert any("GB18030" in x for x in r.warnings)
    evs = timeline.list_events(ws, case_id)
    assert {e.text for e in evs if e.channel == "sms"} == {m.body for m in fx.messages()}
    answered = [e for e in evs if e.channel == "call" and e.direction == "incoming"]
    assert answered[0].duration_s == 95
    assert evs[0].wallclock_text == "2024-03-04 09:30:00" and evs[0].time_basis == "local_wallclock"
    # the same export as UTF-8 CSV and as XLSX (with a title row) merges into the same events
    r2 = _one(ws, case_id, w.csv_file(files / "export_utf8.csv", rows))
    r3 = _one(ws, case_id, w.xlsx_file(files / "export.xlsx", rows))
    assert (r2.added, r2.merged) == (0, 8)
    assert (r3.format, r3.added, r3.merged) == ("table", 0, 8)


def test_csv_manual_mapping(ws: Workspace, case_id: int, files: Path) -> None:
    rows = [["发信时刻", "对端", "话术"], ["2024-03-04 21:00", "15400000001", "再不还钱就上门"]]
    path = w.csv_file(files / "odd.csv", rows)
    [r] = imports.import_paths(ws, case_id, [path])
    # the error names the step (naming the columns), each front end says how; no CLI option in its words
    assert r.status == "unparsed" and r.error_step == "column_map" and "--map" not in (r.error or "")
    mapping = imports.parse_mapping(["发信时刻=time", "对端=number", "话术=text"])
    [r] = imports.import_paths(ws, case_id, [path], mapping=mapping)
    assert (r.status, r.added) == ("parsed", 1)
    [e] = timeline.list_events(ws, case_id)
    assert e.start == dt.datetime(2024, 3, 4, 13, 0, tzinfo=dt.timezone.utc)


def test_tz_override(ws: Workspace, case_id: int, files: Path) -> None:
    path = w.csv_file(files / "t.csv", [["时间", "号码", "内容"], ["2024-03-04 21:00:00", "15400000001", "x"]])
    [r] = imports.import_paths(ws, case_id, [path], tz="Europe/London")
    [e] = timeline.list_events(ws, case_id)
    assert e.start_utc == dt.datetime(2024, 3, 4, 21, 0, tzinfo=dt.timezone.utc)
    assert e.source_tz == "Europe/London" and e.start.isoformat() == "2024-03-04T21:00:00+00:00"


@pytest.mark.parametrize(
    ("name", "writer"),
    [
        ("张三(15400000001)_20240304101000.mp3", "wav"),  # content decides: a WAV named .mp3
        ("张三@15400000001_20240304101000.amr", "amr"),
        ("张三 15400000001_20240304101000.m4a", "wav"),
    ],
)
def test_recording_matches_call_log_either_order(
    ws: Workspace, case_id: int, files: Path, name: str, writer: str
) -> None:
    audio = files / name
    (w.wav_file(audio, 1.5) if writer == "wav" else w.amr_file(audio, 1.5))
    # recording first, call log second → the call-log record merges into the recording's event
    r = _one(ws, case_id, audio)
    assert (r.format, r.status, r.added) == ("call_recording", "queued", 1)
    [ev] = timeline.list_events(ws, case_id)
    assert ev.origin == "recording" and ev.duration_s == 1.5 and ev.counterpart_name == "张三"
    assert ev.wallclock_text == "20240304101000" and ev.time_basis == "file_name"
    r = _one(ws, case_id, w.synctech_calls_xml(files / "calls.xml", fx.calls()))
    assert (r.added, r.merged) == (3, 1)
    answered = [e for e in timeline.list_events(ws, case_id) if e.evidence and len(e.evidence) == 2]
    assert len(answered) == 1
    a = answered[0]
    assert a.direction == "incoming" and a.duration_s == 95 and a.start == fx.calls()[2].when
    assert {x.source_format for x in a.evidence} == {"call_recording", "synctech_calls"}


def test_recording_after_call_log(ws: Workspace, case_id: int, files: Path) -> None:
    _one(ws, case_id, w.synctech_calls_xml(files / "calls.xml", fx.calls()))
    r = _one(ws, case_id, w.wav_file(files / "15400000001_20240304101100.wav", 1))
    assert (r.added, r.merged) == (0, 1)
    assert timeline.count_events(ws, case_id) == 4


def test_recording_without_time_in_name(ws: Workspace, case_id: int, files: Path) -> None:
    # a number but no time: the file time (end of call) gives a low-confidence start
    r = _one(ws, case_id, w.wav_file(files / "通话 15400000001.wav", 2))
    assert r.status == "queued" and r.added == 1 and any("修改时间" in x for x in r.warnings)
    [e] = timeline.list_events(ws, case_id)
    assert e.time_basis == "file_mtime" and e.confidence == 0.5 and e.counterpart == "+8615400000001"
    # neither number nor time: stored and queued for transcription, no call invented
    r = _one(ws, case_id, w.wav_file(files / "录音1.wav", 3))
    assert r.status == "queued" and r.added == 0 and r.warnings
    assert timeline.count_events(ws, case_id) == 1


def test_images_are_queued_for_ocr(ws: Workspace, case_id: int, files: Path) -> None:
    from PIL import Image

    Image.new("RGB", (20, 20)).save(files / "Screenshot_20240304_213000_com.android.mms.jpg", format="JPEG")
    Image.new("RGB", (20, 20)).save(files / "a.webp", format="WEBP")
    w.png_file(files / "b.png")
    results = imports.import_paths(ws, case_id, [files])
    assert [(r.format, r.status) for r in results] == [("image", "queued")] * 3
    assert any("截图时间" in x for x in results[0].warnings)
    from weiquan.store.models import Job

    with ws.db.read_session() as s:
        kinds = sorted(k for (k,) in s.query(Job.kind).filter(Job.case_id == case_id))
    assert kinds == ["ocr"] * 3


def test_heic_image(ws: Workspace, case_id: int, files: Path) -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    from PIL import Image

    pillow_heif.register_heif_opener()
    Image.new("RGB", (16, 16), (200, 10, 10)).save(files / "IMG_0001.HEIC", format="HEIF")
    [r] = imports.import_paths(ws, case_id, [files / "IMG_0001.HEIC"])
    assert (r.format, r.status) == ("image", "queued")


def test_manual_event(ws: Workspace, case_id: int) -> None:
    ev = timeline.add_manual_event(
        ws,
        case_id,
        channel="call",
        time="2024-03-05 22:40",
        number="15400000003",
        text="打给我妈妈说我欠钱不还",
        recipient="relative",
        recipient_name="母亲",
    )
    assert ev.origin == "manual" and ev.recipient == "relative" and ev.recipient_name == "母亲"
    assert ev.start.isoformat() == "2024-03-05T22:40:00+08:00" and ev.wallclock_text == "2024-03-05 22:40"
    assert ev.evidence and ev.evidence[0].source_format == "manual"
    assert ws.vault.verify().ok


def test_mms_group_sender_from_addr_137(ws: Workspace, case_id: int, files: Path) -> None:
    path = files / "sms.xml"
    path.write_text(
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"1\">\n"
        '<mms date="1709515800000" date_sent="1709515800" msg_box="1" address="15400000001~15400000002~15400000099" '
        'm_id="null" ct_t="application/vnd.wap.multipart.related" contact_name="(Unknown)">'
        '<parts><part seq="0" ct="text/plain" chset="106" text="群发：再不还钱就曝光" /></parts>'
        '<addrs><addr address="15400000099" type="151" charset="106" /><addr address="15400000002" type="137" charset="106" /></addrs>'
        "</mms>\n</smses>\n",
        encoding="utf-8",
    )
    [r] = imports.import_paths(ws, case_id, [path])
    assert r.added == 1
    [e] = timeline.list_events(ws, case_id)
    assert e.counterpart == "+8615400000002" and e.extra["group"] == ["15400000001", "15400000002", "15400000099"]


def test_amr_wb_duration(tmp_path: Path) -> None:
    from weiquan.ingest.audio import amr_duration

    p = tmp_path / "x.awb"
    p.write_bytes(b"#!AMR-WB\n" + (bytes([8 << 3 | 0x04]) + b"\x00" * 60) * 150)  # 150 frames of mode 8 = 3 s
    assert amr_duration(p) == 3.0
    assert amr_duration(w.amr_file(tmp_path / "y.amr", 2.5)) == 2.5
