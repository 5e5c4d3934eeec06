"""Issue 19 item 8: the ledger head as a number kept elsewhere; what a hash proves; vault verify names the file."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

from sqlalchemy import delete, select, update

from tests.fixtures.cli import wq_out
from tests.report.report_case_builder import build_case
from weiquan.report.render import pdf_text
from weiquan.services import cases, imports
from weiquan.services.case_report import build_case_report
from weiquan.services.export import export_case
from weiquan.services.imports import FileResult
from weiquan.store.models import LedgerEntry, LedgerHead
from weiquan.testing.phone_exports import SHANGHAI, Msg, synctech_sms_xml
from weiquan.vault import ledger
from weiquan.workspace import Workspace


def test_deleting_the_last_entry_and_rewriting_the_head_is_caught_by_the_kept_number(ws: Workspace) -> None:
    b = build_case(ws)
    ws.vault.record("exported", case_id=b.case_id, meta={"file": "package.zip"})  # an entry about no blob
    kept = ws.vault.head()
    assert kept.seq > 1 and kept.text.startswith(f"WQ-{kept.seq}:")
    assert ws.vault.check_head(kept.text)[0]
    # the forgery of the probe: drop the last entry and point the head at the one before it
    with ws.db.session() as s:
        prev = s.execute(select(LedgerEntry).where(LedgerEntry.seq == kept.seq - 1)).scalar_one()
        s.execute(delete(LedgerEntry).where(LedgerEntry.seq == kept.seq))
        s.execute(update(LedgerHead).where(LedgerHead.id == 1).values(seq=prev.seq, entry_hash=prev.entry_hash))
    assert ws.vault.verify().ok  # the chain alone cannot tell
    ok, zh, _ = ws.vault.check_head(kept.text)
    assert not ok and "删除" in zh


def test_rewritten_chain_is_caught_by_the_kept_number(ws: Workspace) -> None:
    build_case(ws)
    kept = ws.vault.head()
    # rebuild the whole chain with one entry changed: every hash recomputed, the chain verifies again
    with ws.db.session() as s:
        entries = s.execute(select(LedgerEntry).order_by(LedgerEntry.seq)).scalars().all()
        entries[0].meta = ledger.canonical_json({"name": "forged.xml"})
        prev = ledger.GENESIS
        for e in entries:
            e.prev_hash = prev
            e.entry_hash = ledger.hash_of(e)
            prev = e.entry_hash
        s.execute(update(LedgerHead).where(LedgerHead.id == 1).values(entry_hash=prev))
    assert ws.vault.verify().ok
    assert not ws.vault.check_head(kept.text)[0]


def test_cli_head_and_check(home: Path, ws: Workspace) -> None:
    build_case(ws)
    code, out = wq_out(home, "vault", "head", "--json")
    digest = json.loads(out)["digest"]
    assert code == 0 and digest == ws.vault.head().text
    assert wq_out(home, "vault", "head", "--check", digest)[0] == 0
    # copied by hand: spaces instead of dashes, upper case
    assert wq_out(home, "vault", "head", "--check", digest.replace("-", " ").upper().replace("WQ ", "WQ-"))[0] == 0
    bad = digest[:-1] + ("0" if digest[-1] != "0" else "1")
    assert wq_out(home, "vault", "head", "--check", bad)[0] == 1


def test_package_readme_and_manifest_carry_the_number(ws: Workspace, tmp_path: Path) -> None:
    b = build_case(ws)
    head = ws.vault.head().text
    res = export_case(ws, b.case_id, tmp_path / "pkg.zip", with_report=False, with_catalogue=False)
    with zipfile.ZipFile(res.path) as z:
        readme = z.read(next(n for n in z.namelist() if n.endswith("README.txt"))).decode()
        manifest = json.loads(z.read(next(n for n in z.namelist() if n.endswith("manifest.json"))))
    assert manifest["ledger_head"] == head and head in readme
    assert "请另行保存" in readme and "keep this number elsewhere" in readme
    assert "没有时间戳时" in readme and "有可信时间戳时" in readme and "Without a timestamp" not in readme
    assert "能改动文件的人也能重新计算全部哈希" in readme


def test_case_report_prints_the_number(ws: Workspace, tmp_path: Path) -> None:
    b = build_case(ws)
    head = ws.vault.head().text
    text = pdf_text(build_case_report(ws, b.case_id, tmp_path / "r.pdf"))
    assert "账本数字" in text and head.split(":")[0] in text and head.split(":")[1][:8] in text


def test_vault_verify_names_the_case_and_file(home: Path, ws: Workspace) -> None:
    b = build_case(ws)
    with ws.db.read_session() as s:
        sha = (
            s.execute(
                select(LedgerEntry.evidence_sha256).where(
                    LedgerEntry.case_id == b.case_id, LedgerEntry.evidence_sha256.is_not(None)
                )
            )
            .scalars()
            .first()
        )
    p = ws.vault.path(sha)
    p.chmod(0o644)
    p.write_bytes(p.read_bytes() + b"x")
    code, out = wq_out(home, "vault", "verify")
    assert code == 1 and "被修改 ALTERED" in out and f"案件 case {b.case_id}" in out and "sms-20250101.xml" in out


# -- RFC 3161 timestamps of the head (a local test TSA, no network) ----------------------------------


def _case_with_one_sms(ws: Workspace, name: str, folder: Path) -> tuple[int, FileResult]:
    """A new case and the import of a one-message SMS export into it (the import ends with a timestamp request)."""
    cid = cases.create_case(ws, name).id
    sms = synctech_sms_xml(
        folder / "sms.xml", [Msg("15400000001", dt.datetime(2025, 3, 1, 12, 0, tzinfo=SHANGHAI), "还钱")]
    )
    [r] = imports.import_paths(ws, cid, [sms])
    return cid, r


def test_head_timestamped_after_import_and_export(home: Path, tmp_path: Path) -> None:
    from tests.report.report_tsa_server import running_tsa
    from weiquan.config import load_settings
    from weiquan.services import anchoring

    with running_tsa() as server:
        ws = Workspace(load_settings(home, tsa_url=server.url))
        try:
            cid, r = _case_with_one_sms(ws, "时间戳", tmp_path)
            assert r.status == "parsed" and not r.warnings
            first = anchoring.latest_stamp(ws)
            assert first is not None and first.time
            check = anchoring.check_stamp(ws, first)
            assert check.ok, check.zh
            export_case(ws, cid, tmp_path / "pkg.zip", with_report=False, with_catalogue=False)
            second = anchoring.latest_stamp(ws)
            assert second is not None and second.seq > first.seq and anchoring.check_stamp(ws, second).ok
            code, out = wq_out(home, "vault", "head")
            assert code == 0 and "可信时间戳证明账本前" in out
            # rewriting the chain makes the stored timestamp fail against the ledger
            with ws.db.session() as s:
                e = s.execute(select(LedgerEntry).where(LedgerEntry.seq == second.seq)).scalar_one()
                e.meta = ledger.canonical_json({"forged": True})
                e.entry_hash = ledger.hash_of(e)
            assert not anchoring.check_stamp(ws, second).ok
        finally:
            ws.close()


def test_unreachable_tsa_skips_the_timestamp_and_says_so(home: Path, tmp_path: Path) -> None:
    from weiquan.config import load_settings
    from weiquan.services import anchoring

    ws = Workspace(load_settings(home, tsa_url="http://127.0.0.1:9/tsa"))
    try:
        _cid, r = _case_with_one_sms(ws, "无网络", tmp_path)
        assert r.status == "parsed" and r.added == 1
        assert any("时间戳已跳过" in x for x in r.warnings)
        assert anchoring.latest_stamp(ws) is None
    finally:
        ws.close()
