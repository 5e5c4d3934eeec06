"""Every bad input of issue 3: a clear error naming the file, no partial records, the original kept."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.fixtures import ingest_formats as fx
from weiquan.services import imports, timeline
from weiquan.store.models import Acquisition, Evidence
from weiquan.testing import phone_exports as w
from weiquan.workspace import Workspace


def _acq(ws: Workspace, sha: str) -> tuple[str, str | None]:
    with ws.db.read_session() as s:
        row = s.execute(
            select(Acquisition.parse_status, Acquisition.parse_error).join(Evidence).where(Evidence.sha256 == sha)
        ).first()
        assert row is not None
        return row[0], row[1]


def _kept(ws: Workspace, path: Path, sha: str | None) -> None:
    assert sha is not None
    assert ws.vault.read(sha) == path.read_bytes()


def test_truncated_xml_keeps_records_before_the_cut(ws: Workspace, case_id: int, files: Path, tmp_path: Path) -> None:
    full = w.synctech_sms_xml(tmp_path / "full.xml", fx.messages())
    cut = fx.truncated_sms_xml(full, files / "sms-cut.xml", keep_records=2)
    [r] = imports.import_paths(ws, case_id, [cut])
    assert r.status == "partial" and r.added == 2
    assert "sms-cut.xml" in (r.error or "") and "截断" in (r.error or "") and r.error_line is not None
    assert f"第 {r.error_line} 行" in (r.error or "")
    assert _acq(ws, r.sha256 or "")[0] == "partial"
    _kept(ws, cut, r.sha256)
    # the complete export later fills in the rest without duplicating the first two
    [r2] = imports.import_paths(ws, case_id, [full])
    assert (r2.added, r2.merged) == (2, 2)


@pytest.mark.parametrize("kind", ["xxe", "billion_laughs"])
def test_dtd_and_entities_refused_without_expanding(
    ws: Workspace, case_id: int, files: Path, tmp_path: Path, kind: str
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    path = fx.xxe_xml(files / "sms.xml", secret) if kind == "xxe" else fx.billion_laughs_xml(files / "sms.xml")
    [r] = imports.import_paths(ws, case_id, [path])
    assert r.status == "unparsed" and r.added == 0
    assert "sms.xml" in (r.error or "") and "DTD" in (r.error or "")
    assert timeline.count_events(ws, case_id) == 0
    assert _acq(ws, r.sha256 or "")[0] == "unparsed"
    _kept(ws, path, r.sha256)


def test_gbk_csv_is_read(ws: Workspace, case_id: int, files: Path) -> None:
    path = w.csv_file(files / "导出.csv", w.table_rows(fx.messages()), encoding="gbk")
    [r] = imports.import_paths(ws, case_id, [path])
    assert (r.status, r.added) == ("parsed", 4)
    assert {e.text for e in timeline.list_events(ws, case_id)} == {m.body for m in fx.messages()}


def test_image_named_m4a_is_an_image(ws: Workspace, case_id: int, files: Path) -> None:
    path = w.png_file(files / "15400000001_20240304101000.m4a")
    [r] = imports.import_paths(ws, case_id, [path])
    assert (r.format, r.status, r.added) == ("image", "queued", 0)


def test_empty_file(ws: Workspace, case_id: int, files: Path) -> None:
    path = files / "sms.xml"
    path.write_bytes(b"")
    [r] = imports.import_paths(ws, case_id, [path])
    assert r.status == "unparsed" and "sms.xml" in (r.error or "") and "0 字节" in (r.error or "")
    _kept(ws, path, r.sha256)


def test_damaged_audio_and_image(ws: Workspace, case_id: int, files: Path) -> None:
    audio = files / "15400000001_20240304101000.amr"
    audio.write_bytes(b"#!AMR\n")  # header only: zero frames is still "readable" → 0 s
    img = files / "broken.png"
    img.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    results = {r.name: r for r in imports.import_paths(ws, case_id, [files])}
    assert results["in/broken.png"].status == "unparsed" and "图片" in (results["in/broken.png"].error or "")


@pytest.mark.parametrize("member", ["../../evil.xml", "/etc/evil.xml", "a/../../evil.xml"])
def test_zip_with_escaping_paths_refused(ws: Workspace, case_id: int, files: Path, tmp_path: Path, member: str) -> None:
    good = w.synctech_sms_xml(tmp_path / "sms.xml", fx.messages()).read_bytes()
    z = fx.zip_with(files / "backup.zip", {"sms.xml": good, member: good})
    [r] = imports.import_paths(ws, case_id, [z])
    assert r.status == "refused" and "越界" in (r.error or "") and "backup.zip" in (r.error or "")
    assert timeline.count_events(ws, case_id) == 0
    _kept(ws, z, r.sha256)
    assert not (tmp_path.parent / "evil.xml").exists()


def test_zip_with_symlink_refused(ws: Workspace, case_id: int, files: Path) -> None:
    z = fx.zip_with(files / "b.zip", {"a.txt": b"x"}, symlink=("link", "/etc/passwd"))
    [r] = imports.import_paths(ws, case_id, [z])
    assert r.status == "refused" and "符号链接" in (r.error or "")


def test_safe_zip_is_expanded(ws: Workspace, case_id: int, files: Path, tmp_path: Path) -> None:
    sms = w.synctech_sms_xml(tmp_path / "sms.xml", fx.messages()).read_bytes()
    calls = w.synctech_calls_xml(tmp_path / "calls.xml", fx.calls()).read_bytes()
    z = fx.zip_with(
        files / "导出.zip", {"手机备份/sms-1.xml": sms, "手机备份/calls-1.xml": calls, "__MACOSX/._x": b"junk"}
    )
    results = imports.import_paths(ws, case_id, [z])
    assert [(r.name, r.status) for r in results] == [
        ("导出.zip", "expanded"),
        ("导出.zip!/手机备份/sms-1.xml", "parsed"),
        ("导出.zip!/手机备份/calls-1.xml", "parsed"),
    ]
    assert timeline.count_events(ws, case_id) == 8


def test_folder_with_link_outside_refused(ws: Workspace, case_id: int, files: Path, tmp_path: Path) -> None:
    outside = w.synctech_sms_xml(tmp_path / "outside.xml", fx.messages())
    w.synctech_calls_xml(files / "calls.xml", fx.calls())
    fx.symlink(files / "link.xml", outside)
    results = imports.import_paths(ws, case_id, [files])
    by = {Path(r.path).name: r for r in results}
    assert by["link.xml"].status == "refused" and "符号链接" in (by["link.xml"].error or "")
    assert by["calls.xml"].status == "parsed"
    assert timeline.count_events(ws, case_id) == 4


def test_backup_with_link_outside_refused(ws: Workspace, case_id: int, files: Path, tmp_path: Path) -> None:
    backup = w.itunes_backup(files / "bk", sms_db=w.ios_sms_db(tmp_path / "s.db", fx.messages()))
    os.symlink(tmp_path, backup / "escape")
    [r] = imports.import_paths(ws, case_id, [backup])
    assert r.status == "refused" and "符号链接" in (r.error or "")
    assert timeline.count_events(ws, case_id) == 0


def test_sqlite_that_is_not_sms_db(ws: Workspace, case_id: int, files: Path) -> None:
    path = fx.foreign_sqlite(files / "sms.db")
    [r] = imports.import_paths(ws, case_id, [path])
    assert r.status == "unparsed" and "SQLite" in (r.error or "") and "sms.db" in (r.error or "")
    _kept(ws, path, r.sha256)


def test_dates_out_of_range(ws: Workspace, case_id: int, files: Path) -> None:
    [r] = imports.import_paths(ws, case_id, [fx.out_of_range_xml(files / "sms.xml")])
    assert (r.status, r.added, r.rejected) == ("parsed", 1, 2)
    assert sum("超出合理范围" in x for x in r.warnings) == 2 and all("/smses/sms[" in x for x in r.warnings[:2])
    [r] = imports.import_paths(ws, case_id, [fx.all_out_of_range_xml(files / "calls.xml")])
    assert r.status == "unparsed" and "1970" in (r.error or "") and r.added == 0
    assert timeline.count_events(ws, case_id) == 1


def test_unknown_and_missing_paths(ws: Workspace, case_id: int, files: Path) -> None:
    junk = files / "notes.bin"
    junk.write_bytes(bytes(range(256)) * 4)
    results = imports.import_paths(ws, case_id, [junk, files / "nope.xml"])
    assert [r.status for r in results] == ["unparsed", "refused"]
    assert "无法识别" in (results[0].error or "") and "找不到" in (results[1].error or "")


def test_parse_failure_writes_nothing(ws: Workspace, case_id: int, files: Path) -> None:
    """A crash mid-file rolls back every record of that file (one transaction per file)."""
    from weiquan.ingest.base import ImportContext, Importer, Probe, RawEvent

    class Exploding(Importer):
        name = "exploding"

        def detect(self, probe: Probe) -> float:
            return 1.0

        def parse(self, ctx: ImportContext):  # type: ignore[no-untyped-def]  # untyped pytest fixtures or test doubles
            for m in fx.messages():
                yield RawEvent(channel="sms", start=m.when, locator="x", counterpart_raw=m.number, text=m.body)
            raise RuntimeError("boom")

    path = w.synctech_sms_xml(files / "sms.xml", fx.messages())
    r = imports.import_one(ws, case_id, path, "sms.xml", candidates=[Exploding()])
    assert r.status == "unparsed" and "RuntimeError" in (r.error or "")
    assert timeline.count_events(ws, case_id) == 0
    with ws.db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Evidence)) == 1


def test_a_crashing_importer_logs_no_message_content(
    ws: Workspace, case_id: int, files: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Logs never carry message bodies: an importer's exception may quote the record it failed on, so only
    its type and stack are logged (the user still sees the full reason in the import result)."""
    from weiquan.ingest.base import ImportContext, Importer, Probe

    secret = "借款人身份证110101199003077777的正文"

    class Quoting(Importer):
        name = "quoting"

        def detect(self, probe: Probe) -> float:
            return 1.0

        def parse(self, ctx: ImportContext):  # type: ignore[no-untyped-def]  # untyped pytest fixtures or test doubles
            raise ValueError(f"cannot read {secret!r}")
            yield  # pragma: no cover

    path = w.synctech_sms_xml(files / "sms.xml", fx.messages())
    with caplog.at_level("DEBUG"):
        r = imports.import_one(ws, case_id, path, "sms.xml", candidates=[Quoting()])
    assert r.status == "unparsed" and secret in (r.error or "")
    logged = "\n".join(rec.getMessage() + (rec.exc_text or "") for rec in caplog.records)
    assert "quoting" in logged and "ValueError" in logged and "parse" in logged  # type and stack are there
    assert "110101199003077777" not in logged and "正文" not in logged
