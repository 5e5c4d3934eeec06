"""Issue 19 item 5: per-archive member count and total limits, and the overall ratio of a zip bomb."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from weiquan.ingest import sources
from weiquan.services import imports
from weiquan.workspace import Workspace


def test_member_count_limit(ws: Workspace, case_id: int, files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "MAX_ARCHIVE_MEMBERS", 50)
    z = files / "many.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for i in range(51):
            zf.writestr(f"f{i}.txt", b"x")
    [r] = imports.import_paths(ws, case_id, [z])
    assert r.status == "refused" and "文件过多" in (r.error or "")


def test_many_medium_members_that_compress_to_nothing(ws: Workspace, case_id: int, files: Path) -> None:
    """Each member stays under the per-member ratio size, the archive as a whole is a bomb."""
    z = files / "bomb.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(8):
            zf.writestr(f"m{i}.bin", b"\0" * (10 << 20))
    [r] = imports.import_paths(ws, case_id, [z])
    assert r.status == "refused" and "压缩比" in (r.error or "")
    assert sum(1 for _ in ws.vault.blobs.iter_shas()) == 1  # only the archive itself


def test_member_name_flagged_utf8_but_not_utf8(ws: Workspace, case_id: int, files: Path) -> None:
    """A damaged zip whose member name is flagged UTF-8 but is not (zipfile raises UnicodeDecodeError on open):
    a clear "cannot read" for that file, not an internal error (found by bench/fuzz_importers.py, seed 29)."""
    z = files / "badname.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("短信.csv", "号码,内容\n10086,你好\n")
    raw = z.read_bytes()
    good = "短信".encode()
    assert raw.count(good) == 2  # local header and central directory
    z.write_bytes(raw.replace(good, b"\xff" * len(good)))
    [r] = imports.import_paths(ws, case_id, [z])
    assert r.status == "unparsed" and "读取失败" in (r.error or "")
