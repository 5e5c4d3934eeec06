"""Evidence vault: content addressing, dedupe, ledger chain, tamper detection, crash safety, concurrency."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from weiquan.config import load_settings
from weiquan.store.models import Acquisition, Evidence, LedgerEntry
from weiquan.workspace import Workspace


def _file(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_add_stores_original_read_only_and_records_ledger(ws: Workspace, tmp_path: Path) -> None:
    data = "【某某金融】您的借款已逾期".encode() * 100
    r = ws.vault.add(_file(tmp_path, "sms.xml", data), case_id=None)
    assert r.new_blob and r.new_acquisition
    blob = ws.vault.path(r.evidence.sha256)
    assert blob.read_bytes() == data
    assert not (blob.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    with ws.db.read_session() as s:
        entry = s.execute(select(LedgerEntry).where(LedgerEntry.seq == r.evidence.ledger_seq)).scalar_one()
        assert entry.action == "acquired" and entry.evidence_sha256 == r.evidence.sha256
        # the ledger keeps the name and size, never the content
        assert "逾期" not in entry.meta


def test_readding_same_file_adds_nothing_other_name_adds_acquisition_only(ws: Workspace, tmp_path: Path) -> None:
    p = _file(tmp_path, "calls.xml", b"<calls count='0'/>")
    first = ws.vault.add(p)
    again = ws.vault.add(p)
    assert not again.new_blob and not again.new_acquisition
    assert again.acquisition is not None and again.acquisition.id == first.acquisition.id  # type: ignore[union-attr]  # the test asserts the value exists
    other = _file(tmp_path, "calls-copy.xml", b"<calls count='0'/>")
    third = ws.vault.add(other)
    assert not third.new_blob and third.new_acquisition
    with ws.db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Evidence)) == 1
        assert s.scalar(select(func.count()).select_from(Acquisition)) == 2
        actions = [a for (a,) in s.execute(select(LedgerEntry.action).order_by(LedgerEntry.seq))]
    assert actions == ["acquired", "acquired"]  # the same entry whether the bytes were new or not
    assert len(list(ws.vault.blobs.iter_shas())) == 1
    assert ws.vault.verify().ok


def test_add_bytes_and_derived(ws: Workspace) -> None:
    src = ws.vault.add(b"\x89PNG\r\n\x1a\n fake screenshot bytes", original_name="Screenshot_20261030-214733.png")
    assert src.evidence.media_type == "image/png"
    d = ws.vault.add_derived(b'{"text": "ocr"}', source_sha256=src.evidence.sha256, derivation="ocr")
    assert d.kind == "derived" and d.derived_from_id == src.evidence.id
    with ws.db.read_session() as s:
        last = s.execute(select(LedgerEntry).order_by(LedgerEntry.seq.desc())).scalars().first()
        assert last is not None and last.action == "derived" and src.evidence.sha256 in last.meta
    assert ws.vault.verify().ok


def test_missing_file_is_input_error(ws: Workspace, tmp_path: Path) -> None:
    from weiquan.errors import InputError

    with pytest.raises(InputError):
        ws.vault.add(tmp_path / "nope.xml")


@pytest.fixture
def filled(ws: Workspace, tmp_path: Path) -> tuple[Workspace, list[str]]:
    shas = [ws.vault.add(_file(tmp_path, f"f{i}.txt", f"evidence {i}".encode() * 50)).evidence.sha256 for i in range(4)]
    return ws, shas


def test_verify_detects_flipped_byte(filled: tuple[Workspace, list[str]]) -> None:
    ws, shas = filled
    p = ws.vault.path(shas[1])
    os.chmod(p, 0o600)
    b = bytearray(p.read_bytes())
    b[10] ^= 0x01
    p.write_bytes(bytes(b))
    r = ws.vault.verify()
    assert not r.ok and r.altered == [shas[1]] and not r.missing


def test_verify_detects_deleted_blob(filled: tuple[Workspace, list[str]]) -> None:
    ws, shas = filled
    ws.vault.path(shas[2]).unlink()
    r = ws.vault.verify()
    assert not r.ok and r.missing == [shas[2]]


@pytest.mark.parametrize("column", ["meta", "action", "evidence_sha256", "ts"])
def test_verify_detects_edited_ledger_row(filled: tuple[Workspace, list[str]], column: str) -> None:
    ws, _ = filled
    with ws.db.session() as s:
        s.execute(
            update(LedgerEntry)
            .where(LedgerEntry.seq == 2)
            .values({column: "0" * 64 if column == "evidence_sha256" else "x"})
        )
    r = ws.vault.verify()
    assert not r.ok and r.broken_entry is not None and r.broken_entry.seq == 2


def test_verify_detects_rehashed_edit_by_next_link(filled: tuple[Workspace, list[str]]) -> None:
    """Editing a row and recomputing its own hash still breaks the link from the next entry."""
    from weiquan.vault.ledger import hash_of

    ws, _ = filled
    with ws.db.session() as s:
        e = s.get(LedgerEntry, 2)
        assert e is not None
        e.meta = '{"name":"forged"}'
        e.entry_hash = hash_of(e)
    r = ws.vault.verify()
    assert r.broken_entry is not None and r.broken_entry.seq == 3


def test_verify_detects_deleted_last_entry(filled: tuple[Workspace, list[str]]) -> None:
    ws, _ = filled
    with ws.db.session() as s:
        last = s.execute(select(LedgerEntry).order_by(LedgerEntry.seq.desc())).scalars().first()
        s.delete(last)
    r = ws.vault.verify()
    assert not r.ok and r.broken_entry is not None


def test_cli_vault_verify_names_problems(filled: tuple[Workspace, list[str]]) -> None:
    from typer.testing import CliRunner

    from weiquan.cli import app

    ws, shas = filled
    runner = CliRunner()
    ok = runner.invoke(app, ["--home", str(ws.home), "vault", "verify"])
    assert ok.exit_code == 0 and "OK" in ok.output
    ws.vault.path(shas[0]).unlink()
    bad = runner.invoke(app, ["--home", str(ws.home), "vault", "verify"])
    assert bad.exit_code == 1 and shas[0] in bad.output and "MISSING" in bad.output


ADD_SCRIPT = textwrap.dedent(
    """
    import sys
    from weiquan.config import load_settings
    from weiquan.workspace import Workspace
    ws = Workspace(load_settings(sys.argv[1]))
    for p in sys.argv[2:]:
        ws.vault.add(p, case_id=None)
    print("done", flush=True)
    """
)


def test_kill_during_add_leaves_store_consistent(home: Path, tmp_path: Path) -> None:
    big = tmp_path / "recording.wav"
    with open(big, "wb") as f:
        chunk = os.urandom(1 << 20)
        for _ in range(600):  # 600 MiB: long enough to be killed mid-copy
            f.write(chunk)
    Workspace(load_settings(home)).close()  # migrate first so the child starts copying at once
    proc = subprocess.Popen([sys.executable, "-c", ADD_SCRIPT, str(home), str(big)])
    tmp_dir = home / "vault" / "tmp"
    deadline = time.time() + 60
    while time.time() < deadline:
        parts = list(tmp_dir.glob("*.part"))
        if parts and parts[0].stat().st_size > (8 << 20):
            break
        time.sleep(0.01)
    else:
        proc.kill()
        pytest.fail("the add never started writing")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    ws = Workspace(load_settings(home))  # reopening cleans interrupted temp files
    try:
        assert list(ws.vault.blobs.iter_shas()) == []
        assert list(tmp_dir.glob("*.part")) == []
        with ws.db.read_session() as s:
            assert s.scalar(select(func.count()).select_from(LedgerEntry)) == 0
            assert s.scalar(select(func.count()).select_from(Evidence)) == 0
        assert ws.vault.verify().ok
        r = ws.vault.add(big)
        assert r.new_blob and ws.vault.verify().ok
    finally:
        ws.close()


def test_two_processes_adding_at_once(home: Path, tmp_path: Path) -> None:
    Workspace(load_settings(home)).close()
    groups = []
    for g in range(2):
        files = []
        for i in range(15):
            p = tmp_path / f"p{g}_{i}.bin"
            p.write_bytes(os.urandom(200_000))
            files.append(str(p))
        groups.append(files)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", ADD_SCRIPT, str(home), *files],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for files in groups
    ]
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0] and all("done" in o for o, _ in outs), [e[-3000:] for _, e in outs]
    ws = Workspace(load_settings(home))
    try:
        report = ws.vault.verify()
        assert report.ok and report.blobs_checked == 30 and report.entries_checked == 30
        with ws.db.read_session() as s:
            seqs = [q for (q,) in s.execute(select(LedgerEntry.seq).order_by(LedgerEntry.seq))]
        assert seqs == list(range(1, 31))
    finally:
        ws.close()


def test_vault_on_any_backend(any_ws: Workspace, tmp_path: Path) -> None:
    r1 = any_ws.vault.add(_file(tmp_path, "a.txt", b"one"), case_id=None)
    r2 = any_ws.vault.add(_file(tmp_path, "b.txt", b"one"))
    assert r1.new_blob and not r2.new_blob and r2.new_acquisition
    any_ws.vault.record("exported", meta={"files": 1})
    rep = any_ws.vault.verify()
    assert rep.ok and rep.entries_checked == 3


def test_opening_a_workspace_never_removes_a_live_write(ws: Workspace) -> None:
    """A second process opening the vault must not delete another process's in-progress temp file."""
    import fcntl

    live = ws.vault.blobs.tmp_dir / "incoming-live.part"
    stale = ws.vault.blobs.tmp_dir / "incoming-stale.part"
    live.write_bytes(b"partial")
    stale.write_bytes(b"partial")
    fd = os.open(live, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        assert ws.vault.blobs.clean_tmp() == 1
        assert live.exists() and not stale.exists()
    finally:
        os.close(fd)
    assert ws.vault.blobs.clean_tmp() == 1 and not live.exists()


def test_a_write_stays_locked_until_it_is_renamed(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another process cleaning the temp folder between the last byte and the rename must not take
    the file away (the lock is released only after the rename)."""
    from weiquan.vault.blobs import BlobStore

    blobs = ws.vault.blobs
    other = BlobStore(blobs.root)  # a second store on the same folder, as another process has
    real_commit = type(blobs)._commit
    removed: list[int] = []

    def commit_after_a_cleanup(self: BlobStore, tmp: Path, sha256: str, size: int) -> object:
        assert tmp.exists() and tmp.stat().st_size > 0  # written, not yet renamed
        removed.append(other.clean_tmp())  # what a second process opening the vault does
        return real_commit(self, tmp, sha256, size)

    monkeypatch.setattr(type(blobs), "_commit", commit_after_a_cleanup)
    stored = blobs.put_bytes(b"evidence bytes" * 1000)
    assert removed == [0] and stored.path.read_bytes() == b"evidence bytes" * 1000
    assert not list(blobs.tmp_dir.glob("incoming-*.part"))
