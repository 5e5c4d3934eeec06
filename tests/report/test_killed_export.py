"""Issue 19 item 9: an export killed half-way leaves no ``.part`` file once weiquan starts again."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path

from weiquan.config import load_settings
from weiquan.partfiles import PartFile, clean_stale
from weiquan.services import cases, imports
from weiquan.testing import phone_exports as w
from weiquan.workspace import Workspace

KILL_MID_EXPORT = textwrap.dedent(
    """
    import os, signal, sys
    from weiquan.config import load_settings
    from weiquan.services.export import export_case
    from weiquan.workspace import Workspace
    ws = Workspace(load_settings(sys.argv[1]))
    export_case(ws, int(sys.argv[2]), sys.argv[3], progress=lambda *a: os.kill(os.getpid(), signal.SIGKILL))
    """
)


def test_killed_export_leaves_no_part_file(home: Path, tmp_path: Path) -> None:
    with Workspace(load_settings(home)) as ws:
        cid = cases.create_case(ws, "导出").id
        sms = w.synctech_sms_xml(
            tmp_path / "sms.xml", [w.Msg("15400000001", dt.datetime(2024, 3, 4, 9, 30, tzinfo=w.SHANGHAI), "还钱")]
        )
        imports.import_paths(ws, cid, [sms])
    out = tmp_path / "out" / "package.zip"
    proc = subprocess.run([sys.executable, "-c", KILL_MID_EXPORT, str(home), str(cid), str(out)], timeout=120)
    assert proc.returncode == -9
    part = out.with_name("package.zip.part")
    assert part.exists() and not out.exists()  # killed mid-way
    Workspace(load_settings(home)).close()  # the next start
    assert not part.exists() and not out.exists()
    assert list((home / "tmp" / "partial-outputs").glob("*")) == []


def test_a_live_writers_part_file_is_left_alone(home: Path, tmp_path: Path) -> None:
    final = tmp_path / "doc.zip"
    pf = PartFile(final, home)
    pf.path.write_bytes(b"in progress")
    assert clean_stale(home) == 0 and pf.path.exists()
    pf.commit()
    assert final.read_bytes() == b"in progress" and not pf.path.exists()
    assert clean_stale(home) == 0


KILL_MID_DOCUMENT = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    import docx.document
    from weiquan.config import load_settings
    from weiquan.services import documents
    from weiquan.workspace import Workspace

    def save_then_die(self, path):  # the render is killed after it began writing the .part file
        Path(path).write_bytes(b"PK half a document")
        os.kill(os.getpid(), signal.SIGKILL)

    docx.document.Document.save = save_then_die
    ws = Workspace(load_settings(sys.argv[1]))
    documents.draft_document(ws, int(sys.argv[2]), "catalogue", out_dir=Path(sys.argv[3]), formats="docx")
    """
)


def test_killed_document_render_leaves_no_part_file(home: Path, tmp_path: Path) -> None:
    """Item 9 for documents: a draft killed while its DOCX is written leaves its ``.part`` only until the next start."""
    with Workspace(load_settings(home)) as ws:
        cid = cases.create_case(ws, "文书").id
        sms = w.synctech_sms_xml(
            tmp_path / "sms.xml",
            [w.Msg("15400000001", dt.datetime(2024, 3, 4, 9, 30, tzinfo=w.SHANGHAI), "再不还钱就去你单位闹")],
        )
        imports.import_paths(ws, cid, [sms])
    out = tmp_path / "docs"
    proc = subprocess.run(
        [sys.executable, "-c", KILL_MID_DOCUMENT, str(home), str(cid), str(out)],
        timeout=300,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == -9, proc.stderr[-2000:]
    parts = list(out.glob("*.part"))
    assert len(parts) == 1 and not list(out.glob("*.docx"))  # killed mid-way
    Workspace(load_settings(home)).close()  # the next start
    assert list(out.iterdir()) == []
    assert list((home / "tmp" / "partial-outputs").glob("*")) == []
