"""Evidence package: round trip, tamper detection (byte flip, deletion, addition, manifest edit), ledger, CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.fixtures.cli import wq
from tests.report.report_case_builder import BuiltCase, build_case
from weiquan.errors import ProblemFound
from weiquan.report import verify as verifier
from weiquan.services.export import export_case, verify_package
from weiquan.store.models import LedgerEntry
from weiquan.workspace import Workspace


def _unzip(zip_path: Path, dest: Path) -> Path:
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(dest)
    (folder,) = [p for p in dest.iterdir() if p.is_dir()]
    return folder


def _rewrite_zip(
    src: Path,
    dst: Path,
    *,
    replace: dict[str, bytes] | None = None,
    drop: set[str] = frozenset(),
    add: dict[str, bytes] | None = None,
) -> Path:
    """Copy a ZIP, replacing/dropping/adding members given by their path inside the package folder."""
    replace = replace or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        prefix = zin.namelist()[0].split("/", 1)[0] + "/"
        for info in zin.infolist():
            rel = info.filename[len(prefix) :]
            if rel in drop:
                continue
            zout.writestr(info, replace.get(rel, zin.read(info)))
        for rel, data in (add or {}).items():
            zout.writestr(prefix + rel, data)
    return dst


@pytest.fixture
def package(ws: Workspace, built: BuiltCase, export_dir: Path) -> Path:
    res = export_case(ws, built.case_id, export_dir / "case.zip", with_report=False)
    return res.path


def _kinds(result: dict | object) -> set[tuple[str, str]]:
    problems = result["problems"] if isinstance(result, dict) else result.problems  # type: ignore[attr-defined]  # TestClient's app and the result union are typed loosely
    return {(p["kind"], p["path"]) for p in problems}


def test_round_trip_contents(ws: Workspace, built: BuiltCase, export_dir: Path) -> None:
    res = export_case(ws, built.case_id, export_dir / "case.zip", with_report=False)
    assert res.originals == 3 and res.derived == 1
    v = verify_package(res.path)
    assert v.ok, v.problems
    assert v.merkle_root == res.merkle_root
    folder = _unzip(res.path, export_dir / "x")
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    by_path = {f["path"]: f for f in manifest["files"]}
    # Originals byte for byte, named E00n_原始文件名, in acquisition order.
    for n, (name, sha) in enumerate(built.originals.items(), 1):
        path = f"originals/E{n:03d}_{name}"
        assert by_path[path]["sha256"] == sha
        assert by_path[path]["role"] == "original"
        assert by_path[path]["original_names"] == [name]
        assert by_path[path]["acquired_at"]
        assert (folder / path).read_bytes() == ws.vault.read(sha)
    derived = [f for f in manifest["files"] if f["role"] == "derived"]
    assert len(derived) == 1 and derived[0]["source_evidence"] == "E003" and derived[0]["derivation"] == "ocr"
    assert derived[0]["source_sha256"] == built.originals["Screenshot_催收短信.png"]
    assert {"README.txt", "verify.py", "ledger.jsonl"} <= set(by_path)
    assert (folder / "verify.py").read_bytes() == Path(verifier.__file__).read_bytes()
    assert res.merkle_root in (folder / "MERKLE_ROOT.txt").read_text("utf-8")
    # Ledger entries concerning the case: case creation and every acquisition, chain links intact.
    entries = [json.loads(line) for line in (folder / "ledger.jsonl").read_text("utf-8").splitlines()]
    actions = [e["action"] for e in entries]
    assert actions.count("acquired") == 3 and "case_created" in actions and "derived" in actions
    assert all(verifier.ledger_entry_hash(e) == e["entry_hash"] for e in entries)


def test_export_is_recorded_in_ledger(ws: Workspace, built: BuiltCase, export_dir: Path) -> None:
    res = export_case(ws, built.case_id, export_dir / "case.zip", with_report=False)
    with ws.db.read_session() as s:
        last = s.query(LedgerEntry).order_by(LedgerEntry.seq.desc()).first()
        assert last is not None and last.action == "exported" and last.case_id == built.case_id
        meta = json.loads(last.meta)
    assert meta["merkle_root"] == res.merkle_root and meta["originals"] == 3
    assert ws.vault.verify().ok


def test_flip_one_byte_in_original_is_named(package: Path, tmp_path: Path) -> None:
    folder = _unzip(package, tmp_path / "x")
    target = next((folder / "originals").glob("E002_*"))
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))
    r = verifier.verify_package(str(folder))
    assert not r["ok"]
    assert _kinds(r) == {("altered", f"originals/{target.name}")}
    # Same in ZIP mode, through the service.
    bad = _rewrite_zip(package, tmp_path / "bad.zip", replace={f"originals/{target.name}": bytes(data)})
    v = verify_package(bad)
    assert not v.ok and _kinds(v) == {("altered", f"originals/{target.name}")}


def test_deleted_file_is_named(package: Path, tmp_path: Path) -> None:
    folder = _unzip(package, tmp_path / "x")
    victim = next((folder / "originals").glob("E001_*"))
    victim.unlink()
    r = verifier.verify_package(str(folder))
    assert _kinds(r) == {("missing", f"originals/{victim.name}")}
    bad = _rewrite_zip(package, tmp_path / "bad.zip", drop={"derived/E003-D1_ocr.txt"})
    assert _kinds(verify_package(bad)) == {("missing", "derived/E003-D1_ocr.txt")}


def test_added_file_is_named(package: Path, tmp_path: Path) -> None:
    folder = _unzip(package, tmp_path / "x")
    (folder / "originals" / "E004_伪造.png").write_bytes(b"fake")
    r = verifier.verify_package(str(folder))
    assert _kinds(r) == {("extra", "originals/E004_伪造.png")}
    bad = _rewrite_zip(package, tmp_path / "bad.zip", add={"notes.txt": b"x"})
    assert _kinds(verify_package(bad)) == {("extra", "notes.txt")}


def test_manifest_edit_is_merkle_mismatch(package: Path, tmp_path: Path) -> None:
    folder = _unzip(package, tmp_path / "x")
    mpath = folder / "manifest.json"
    manifest = json.loads(mpath.read_text("utf-8"))
    manifest["case"]["lender"] = "另一家"
    mpath.write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    r = verifier.verify_package(str(folder))
    assert _kinds(r) == {("merkle", "manifest.json")}


def test_file_and_manifest_both_edited_is_still_caught(package: Path, tmp_path: Path) -> None:
    """Re-hashing an altered original into the manifest does not hide it: the Merkle root changes."""
    folder = _unzip(package, tmp_path / "x")
    target = next((folder / "originals").glob("E001_*"))
    target.write_bytes(target.read_bytes() + b"<!-- edited -->")
    mpath = folder / "manifest.json"
    manifest = json.loads(mpath.read_text("utf-8"))
    import hashlib

    for f in manifest["files"]:
        if f["path"] == f"originals/{target.name}":
            f["sha256"] = hashlib.sha256(target.read_bytes()).hexdigest()
            f["size"] = target.stat().st_size
    mpath.write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    r = verifier.verify_package(str(folder))
    kinds = _kinds(r)
    assert ("merkle", "manifest.json") in kinds
    # The ledger still holds the import-time hash, so the altered original is named too.
    assert ("ledger", f"originals/{target.name}") in kinds


def test_ledger_edit_is_named(package: Path, tmp_path: Path) -> None:
    folder = _unzip(package, tmp_path / "x")
    lpath = folder / "ledger.jsonl"
    lines = lpath.read_text("utf-8").splitlines()
    e = json.loads(lines[1])
    e["ts"] = "2020-01-01T00:00:00.000000+00:00"
    lines[1] = json.dumps(e, ensure_ascii=False)
    lpath.write_text("\n".join(lines) + "\n", "utf-8")
    kinds = _kinds(verifier.verify_package(str(folder)))
    assert ("altered", "ledger.jsonl") in kinds
    assert ("ledger", "ledger.jsonl") in kinds


def _base_python() -> str:
    """An interpreter without weiquan: the venv's base Python."""
    for name in ("python3", f"python{sys.version_info.major}.{sys.version_info.minor}"):
        cand = Path(sys.base_prefix) / "bin" / name
        if cand.exists():
            return str(cand)
    pytest.skip("no base interpreter found")


def test_verify_py_runs_under_bare_python(package: Path, tmp_path: Path) -> None:
    py = _base_python()
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    probe = subprocess.run([py, "-I", "-c", "import weiquan"], capture_output=True, env=env)
    assert probe.returncode != 0, "the base interpreter must not see weiquan"
    folder = _unzip(package, tmp_path / "x")
    ok = subprocess.run([py, "-I", "verify.py"], cwd=folder, capture_output=True, text=True, env=env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.startswith("OK")
    # On the ZIP itself, with JSON output.
    js = subprocess.run(
        [py, "-I", str(folder / "verify.py"), "--json", str(package)], capture_output=True, text=True, env=env
    )
    assert js.returncode == 0 and json.loads(js.stdout)["ok"] is True
    target = next((folder / "originals").glob("E003_*"))
    with open(target, "r+b") as f:
        f.seek(100)
        b = f.read(1)
        f.seek(100)
        f.write(bytes([b[0] ^ 0xFF]))
    (folder / "originals" / "E001_sms-20250101.xml").unlink()
    bad = subprocess.run([py, "-I", "verify.py"], cwd=folder, capture_output=True, text=True, env=env)
    assert bad.returncode == 1
    assert target.name in bad.stdout and "E001_sms-20250101.xml" in bad.stdout
    assert "被修改" in bad.stdout and "缺失" in bad.stdout


def test_verify_py_prints_the_ledger_digest_to_compare_with_the_kept_copy(
    ws: Workspace, package: Path, tmp_path: Path
) -> None:
    """The package's own verifier shows the vault's ledger digest at export (the number the README says to keep
    elsewhere) and, given the kept number, compares them itself: a package whose digest is not the kept one fails."""
    py = _base_python()
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    folder = _unzip(package, tmp_path / "x")
    import re

    kept = re.search(r"WQ-\d+:[0-9a-f-]{71}", (folder / "README.txt").read_text("utf-8")).group(0)  # type: ignore[union-attr]  # the README has the digest (asserted by the search itself)
    ok = subprocess.run([py, "-I", "verify.py"], cwd=folder, capture_output=True, text=True, env=env)
    assert ok.returncode == 0 and kept in ok.stdout and "另行保存" in ok.stdout, ok.stdout
    js = json.loads(
        subprocess.run([py, "-I", "verify.py", "--json"], cwd=folder, capture_output=True, text=True, env=env).stdout
    )
    assert js["ledger_head"] == kept
    # compared as printed, in any grouping or case
    same = subprocess.run(
        [py, "-I", "verify.py", "--head", kept.lower().replace("-", " ")],
        cwd=folder,
        capture_output=True,
        text=True,
        env=env,
    )
    assert same.returncode == 0 and "一致" in same.stdout, same.stdout
    seq, _, digest = kept.partition(":")
    other = f"{seq}:{'0' * 8}{digest[8:]}"
    bad = subprocess.run([py, "-I", "verify.py", "--head", other], cwd=folder, capture_output=True, text=True, env=env)
    assert bad.returncode == 1 and "账本数字与另行保存的数字不同" in bad.stdout, bad.stdout
    res = wq(ws.home, "verify", str(package))
    assert res.exit_code == 0 and kept in res.output


def test_verify_py_imports_only_stdlib() -> None:
    import ast

    tree = ast.parse(Path(verifier.__file__).read_text("utf-8"))
    mods = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    mods |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert mods and mods <= set(sys.stdlib_module_names) | {"__future__"}, mods


def test_damaged_vault_blob_stops_export(ws: Workspace, built: BuiltCase, export_dir: Path) -> None:
    sha = built.originals["calls.csv"]
    p = ws.vault.path(sha)
    os.chmod(p, 0o644)
    p.write_bytes(p.read_bytes().replace(b"number", b"NUMBER"))
    out = export_dir / "case.zip"
    with pytest.raises(ProblemFound) as e:
        export_case(ws, built.case_id, out, with_report=False)
    assert "calls.csv" in e.value.en
    assert not out.exists() and not list(export_dir.iterdir())


def test_include_derived_adds_non_text_derivations(ws: Workspace, built: BuiltCase, export_dir: Path) -> None:
    ws.vault.add_derived(
        b"\x89PNG\r\n\x1a\nthumb",
        source_sha256=built.originals["Screenshot_催收短信.png"],
        derivation="thumbnail",
        case_id=built.case_id,
        media_type="image/png",
    )
    plain = export_case(ws, built.case_id, export_dir / "a.zip", with_report=False)
    full = export_case(ws, built.case_id, export_dir / "b.zip", include_derived=True, with_report=False)
    assert plain.derived == 1 and full.derived == 2
    assert verify_package(full.path).ok


def test_other_cases_are_not_exported(ws: Workspace, built: BuiltCase, export_dir: Path) -> None:
    other = build_case(ws, n_events=5, seed=99, findings=False)
    res = export_case(ws, built.case_id, export_dir / "case.zip", with_report=False)
    with zipfile.ZipFile(res.path) as zf:
        names = zf.namelist()
        ledger = zf.read(next(n for n in names if n.endswith("ledger.jsonl"))).decode()
    other_png = other.originals["Screenshot_催收短信.png"]
    assert other_png not in ledger
    assert all(
        json.loads(line)["case_id"] in (built.case_id, None)
        or json.loads(line)["evidence_sha256"] in set(built.originals.values()) | set(built.derived)
        for line in ledger.splitlines()
    )


def test_unknown_case_is_input_error(ws: Workspace, export_dir: Path) -> None:
    from weiquan.errors import NotFoundError

    with pytest.raises(NotFoundError):
        export_case(ws, 999, export_dir / "x.zip")
    assert not list(export_dir.iterdir())


def test_cli_export_and_verify(ws: Workspace, built: BuiltCase, export_dir: Path) -> None:
    home = ws.home
    out = export_dir / "cli.zip"
    r = wq(home, "export", "--case", str(built.case_id), "--out", str(out), "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["report"] is True and len(data["merkle_root"]) == 64
    r = wq(home, "verify", str(out))
    assert r.exit_code == 0 and "OK" in r.stdout
    bad = _rewrite_zip(out, export_dir / "bad.zip", drop={"README.txt"})
    r = wq(home, "verify", str(bad), "--json")
    assert r.exit_code == 1
    assert json.loads(r.stdout)["problems"][0]["path"] == "README.txt"
    r = wq(home, "verify", str(export_dir / "nope.zip"))
    assert r.exit_code == 2


def test_not_a_package(tmp_path: Path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"nope")
    r = verifier.verify_package(str(junk))
    assert not r["ok"] and r["problems"][0]["kind"] == "unreadable"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _kinds(verifier.verify_package(str(empty))) == {("missing", "manifest.json")}
    shutil.rmtree(empty)


def test_missing_vault_blob_stops_export(ws: Workspace, built: BuiltCase, export_dir: Path) -> None:
    p = ws.vault.path(built.originals["sms-20250101.xml"])
    p.unlink()
    with pytest.raises(ProblemFound) as e:
        export_case(ws, built.case_id, export_dir / "case.zip", with_report=False)
    assert "sms-20250101.xml" in e.value.en and "missing" in e.value.en
    assert not list(export_dir.iterdir())


def test_cli_verify_folder_and_report(ws: Workspace, built: BuiltCase, package: Path, tmp_path: Path) -> None:
    folder = _unzip(package, tmp_path / "x")
    r = wq(ws.home, "verify", str(folder))
    assert r.exit_code == 0 and "OK" in r.stdout
    (folder / "README.txt").write_text("changed", "utf-8")
    r = wq(ws.home, "verify", str(folder))
    assert r.exit_code == 1 and "README.txt" in r.stdout
    out = tmp_path / "r.pdf"
    r = wq(ws.home, "report", "--case", str(built.case_id), "--out", str(out), "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["path"] == str(out) and out.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("which", ["original", "manifest"])
def test_byte_flipped_inside_the_zip_is_named_not_a_crash(package: Path, tmp_path: Path, which: str) -> None:
    """Damage the ZIP itself (not a rewritten member): the CRC failure becomes a named problem."""
    with zipfile.ZipFile(package) as zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        info = next(
            i
            for i in infos
            if (
                i.filename.split("/")[-1].startswith("E001_")
                if which == "original"
                else i.filename.endswith("/manifest.json")
            )
        )
    raw = bytearray(package.read_bytes())
    # local file header: 30 bytes + name + extra, then the member data
    name_len = int.from_bytes(raw[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_len = int.from_bytes(raw[info.header_offset + 28 : info.header_offset + 30], "little")
    data_at = info.header_offset + 30 + name_len + extra_len
    raw[data_at + min(5, info.compress_size - 1)] ^= 0xFF
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(raw))
    result = verify_package(damaged)
    assert not result.ok
    named = {p["path"] for p in result.problems}
    target = info.filename.split("/", 1)[1]
    assert target in named or any(target in n for n in named)
