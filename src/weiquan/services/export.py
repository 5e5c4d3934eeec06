"""Evidence package export and verification (``weiquan export`` / ``weiquan verify``).

``export_case`` writes a ZIP with every original byte for byte, derived texts with
their source, the case's ledger entries, the 证据目录, the case report PDF, a
stdlib-only ``verify.py``, ``manifest.json`` and its Merkle root, and optionally an
RFC 3161 timestamp token over the root. The export itself is recorded in the ledger.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
import datetime as dt
import json
import logging
from pathlib import Path
import tempfile
import time
from typing import Any, BinaryIO
import zipfile
import zlib

from pydantic import BaseModel
from sqlalchemy import and_, or_, select

from weiquan import __version__
from weiquan.errors import InputError, MissingComponent, NotFoundError, ProblemFound, WeiquanError
from weiquan.report import verify as verifier
from weiquan.report import tsa
from weiquan.report.evidence import EvidenceItem, safe_name
from weiquan.report.package import IntegrityError, PackageWriter
from weiquan.report.readme import package_readme
from weiquan.services.anchoring import anchor_head
from weiquan.services.case_report import build_case_report
from weiquan.services.cases import get_case_row
from weiquan.services.documents import draft_document
from weiquan.services.evidence import case_evidence
from weiquan.services.imports import staged
from weiquan.store.models import Case, LedgerEntry
from weiquan.workspace import Workspace
from weiquan.zh.steps import Note

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class Notice:
    zh: str
    en: str


@dataclass
class ExportResult:
    path: Path
    case_id: int
    merkle_root: str
    files: int
    originals: int
    derived: int
    ledger_entries: int
    bytes: int
    seconds: float
    report: bool
    catalogue: bool
    timestamp: dict[str, Any] | None = None
    notices: list[Notice] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["path"] = str(self.path)
        return d


@dataclass
class VerifyResult:
    ok: bool
    package: str
    files_checked: int
    merkle_root: str | None
    problems: list[dict[str, str]]
    timestamp: dict[str, Any] | None = None
    ledger_head: str | None = None  # the vault's ledger digest at export, to compare with the copy kept elsewhere

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def export_case(
    ws: Workspace,
    case_id: int,
    out: Path | str,
    *,
    include_derived: bool = False,
    tsa_url: str | None = None,
    with_report: bool = True,
    with_catalogue: bool = True,
    progress: Progress | None = None,
) -> ExportResult:
    """Write the evidence package for ``case_id`` to ``out`` (a ``.zip``)."""
    t0 = time.perf_counter()
    out = Path(out).expanduser()
    if out.suffix.lower() != ".zip":
        out = out.with_name(out.name + ".zip")
    if out.is_dir():
        raise InputError(f"输出路径是一个文件夹：{out}", f"output path is a directory: {out}")
    with ws.db.read_session() as s:
        case = get_case_row(s, case_id)
        header = _header(case, include_derived)
        items = case_evidence(s, case_id, include_derived=include_derived)
    header["ledger_head"] = ws.vault.head().text  # in the manifest (under the Merkle root) and the README
    notices: list[Notice] = []
    writer = PackageWriter(out, folder=_folder_name(out), home=ws.home)
    try:
        _write_evidence(ws, writer, items, progress)
        n_ledger = writer_ledger(ws, writer, case_id, {i.sha256 for i in items})
        with tempfile.TemporaryDirectory(prefix="weiquan-export-") as tmp:
            has_report = with_report and _add_report(ws, writer, case_id, items, Path(tmp), notices)
            has_catalogue = with_catalogue and _add_catalogue(ws, writer, case_id, Path(tmp), notices)
        writer.add_bytes(
            "README.txt",
            package_readme(header, items, has_report, has_catalogue).encode("utf-8"),
            role="readme",
            media_type="text/plain",
        )
        writer.add_bytes("verify.py", Path(verifier.__file__).read_bytes(), role="verifier", media_type="text/x-python")
        header["ledger_entries"] = n_ledger
        root = writer.write_manifest(header)
        stamp = _timestamp(writer, root, tsa_url, notices) if tsa_url else None
        writer.commit()
    except IntegrityError as e:
        writer.abort()
        what_zh, what_en = ("缺失", "missing") if e.actual == "missing" else ("已损坏", "damaged")
        raise ProblemFound(
            Note(f"证据库中的文件{what_zh}，停止导出：{e.path}。请核验整个证据库。", step="vault_verify"),
            f"a vault file is {what_en}, export stopped: {e.path}. Verify the whole vault.",
        ) from e
    except BaseException:
        writer.abort()
        raise
    originals = sum(1 for i in items if i.kind == "original")
    ws.vault.record(
        "exported",
        case_id=case_id,
        meta={
            "file": out.name,
            "merkle_root": root,
            "files": len(writer.files),
            "bytes": writer.bytes_written,
            "originals": originals,
            "timestamp": bool(stamp),
        },
    )

    _, skipped = anchor_head(ws, "export", case_id=case_id)  # the head after this export, when a TSA is configured
    if skipped:
        notices.append(Notice(skipped.split(" / ")[0], skipped.split(" / ")[-1]))
    return ExportResult(
        path=out,
        case_id=case_id,
        merkle_root=root,
        files=len(writer.files),
        originals=originals,
        derived=len(items) - originals,
        ledger_entries=n_ledger,
        bytes=writer.bytes_written,
        seconds=round(time.perf_counter() - t0, 3),
        report=has_report,
        catalogue=has_catalogue,
        timestamp=stamp,
        notices=notices,
    )


def _folder_name(out: Path) -> str:
    return safe_name(out.stem, "evidence-package")


def _header(case: Case, include_derived: bool) -> dict[str, Any]:
    return {
        "format": verifier.FORMAT,
        "format_version": 1,
        "generator": f"weiquan {__version__}",
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "hash": "sha256",
        "merkle": "RFC 6962: leaf=SHA-256(0x00||canonical JSON), node=SHA-256(0x01||L||R); "
        "leaves = manifest without files, then files sorted by path",
        "case": {
            "id": case.id,
            "name": case.name,
            "lender": case.lender_name,
            "lender_entity": case.lender_entity,
            "licence_type": case.licence_type,
            "timezone": case.timezone,
        },
        "include_derived": include_derived,
    }


def _iso(t: dt.datetime | None) -> str | None:
    return t.astimezone(dt.timezone.utc).isoformat(timespec="seconds") if t else None


def _write_evidence(ws: Workspace, writer: PackageWriter, items: list[EvidenceItem], progress: Progress | None) -> None:
    total = len(items)
    for n, item in enumerate(items, 1):
        meta: dict[str, Any] = {
            "evidence": item.label,
            "media_type": item.media_type,
            "acquired_at": _iso(item.acquired_at),
            "ledger_seq": item.ledger_seq,
        }
        if item.kind == "original":
            meta.update(original_names=item.names, source_device=item.source_device, source_evidence=None)
        else:
            meta.update(derivation=item.derivation, source_evidence=item.source_label, source_sha256=item.source_sha256)
        blob = ws.vault.path(item.sha256)
        if not blob.is_file():
            raise IntegrityError(item.path, item.sha256, "missing")
        writer.add_file(
            item.path, blob, role=item.kind, media_type=item.media_type, expect_sha256=item.sha256, meta=meta
        )
        if progress:
            progress("evidence", n, total)


def _ledger_rows(ws: Workspace, case_id: int, shas: set[str]) -> Iterable[LedgerEntry]:
    """Entries recorded for the case, or about one of its files and recorded for no case (streamed in seq order)."""
    batch = 500
    last = 0
    sha_list = sorted(shas)
    while True:
        with ws.db.read_session() as s:
            # entries of other cases are left out, even about the same bytes: a package never tells that
            # another case (or user) holds one of its files
            conds = [LedgerEntry.case_id == case_id]
            conds += [
                and_(LedgerEntry.case_id.is_(None), LedgerEntry.evidence_sha256.in_(sha_list[i : i + 900]))
                for i in range(0, len(sha_list), 900)
            ]
            rows = (
                s.execute(
                    select(LedgerEntry)
                    .where(LedgerEntry.seq > last, or_(*conds))
                    .order_by(LedgerEntry.seq)
                    .limit(batch)
                )
                .scalars()
                .all()
            )
            s.expunge_all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def writer_ledger(ws: Workspace, writer: PackageWriter, case_id: int, shas: set[str]) -> int:
    count = 0

    def lines() -> Iterable[bytes]:
        nonlocal count
        for e in _ledger_rows(ws, case_id, shas):
            count += 1
            yield (
                json.dumps(
                    {
                        "seq": e.seq,
                        "ts": e.ts,
                        "action": e.action,
                        "evidence_sha256": e.evidence_sha256,
                        "case_id": e.case_id,
                        "meta": e.meta,
                        "prev_hash": e.prev_hash,
                        "entry_hash": e.entry_hash,
                    },
                    ensure_ascii=False,
                )
                + "\n"
            ).encode("utf-8")

    writer.add_stream(
        verifier.LEDGER,
        lines(),
        role="ledger",
        media_type="application/jsonl",
        meta={"description": "vault ledger entries concerning this case (hash-chained)"},
    )
    return count


def _add_report(
    ws: Workspace, writer: PackageWriter, case_id: int, items: list[EvidenceItem], tmp: Path, notices: list[Notice]
) -> bool:
    try:
        pdf = build_case_report(ws, case_id, tmp / "report.pdf", evidence=items)
    except MissingComponent as e:
        notices.append(Notice(f"未生成案件报告：{e.zh}", f"case report not written: {e.en}"))
        return False
    writer.add_file("report/案件报告.pdf", pdf, role="report", media_type="application/pdf")
    return True


def _add_catalogue(ws: Workspace, writer: PackageWriter, case_id: int, tmp: Path, notices: list[Notice]) -> bool:
    try:
        paths = draft_document(ws, case_id, "catalogue", formats=("docx", "pdf"), out_dir=tmp / "catalogue")
    except WeiquanError as e:
        notices.append(Notice(f"未生成证据目录：{e.zh}", f"evidence catalogue not written: {e.en}"))
        return False
    for p in paths:
        if p.stem.endswith("提交前核对清单"):
            continue  # the cover sheet is for the user, not part of the package a recipient reads
        mt = (
            "application/pdf"
            if p.suffix == ".pdf"
            else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )
        writer.add_file(f"catalogue/证据目录{p.suffix}", p, role="catalogue", media_type=mt)
    return bool(paths)


def _timestamp(writer: PackageWriter, root: str, tsa_url: str, notices: list[Notice]) -> dict[str, Any] | None:
    try:
        token = tsa.request_timestamp(bytes.fromhex(root), tsa_url)
    except tsa.TsaUnavailable as e:
        notices.append(Notice(f"已跳过可信时间戳：{e.zh}", f"trusted timestamp skipped: {e.en}"))
        return None
    info = tsa.describe_token(token, bytes.fromhex(root))
    writer.add_unlisted(verifier.TSA_TOKEN, token)
    writer.add_unlisted(
        verifier.TSA_INFO, json.dumps({"url": tsa_url, **info}, ensure_ascii=False, indent=1).encode("utf-8")
    )
    return {"url": tsa_url, **info}


def verify_package(path: Path | str, *, tsa_ca: list[Path] | None = None) -> VerifyResult:
    """Recompute every hash and the Merkle root; check the ledger entries and the timestamp token."""
    p = Path(path).expanduser()
    if not p.exists():
        raise InputError(f"找不到证据包：{p}", f"no such package: {p}")
    raw = verifier.verify_package(str(p))
    result = VerifyResult(
        ok=raw["ok"],
        package=str(p),
        files_checked=raw["files_checked"],
        merkle_root=raw["merkle_root"],
        problems=raw["problems"],
        timestamp=raw.get("timestamp"),
        ledger_head=raw.get("ledger_head"),
    )
    if raw.get("timestamp") and raw["merkle_root"]:
        pkg = verifier.open_package(str(p))
        try:
            token = verifier.read_member(pkg, verifier.TSA_TOKEN)
        finally:
            pkg.close()
        check = tsa.verify_token(token, bytes.fromhex(raw["merkle_root"]), trust_anchors=tsa_ca)
        result.timestamp = check.as_dict()
        if not check.ok and not any(p["kind"] == "timestamp" for p in result.problems):
            result.problems.append(
                {
                    "kind": "timestamp",
                    "path": verifier.TSA_TOKEN,
                    "zh": check.problem_zh or "时间戳无效",
                    "en": check.problem_en or "timestamp invalid",
                }
            )
        result.ok = result.ok and check.ok
    return result


# -- evidence packages in the case's output folder (the web's export page): written, listed, found by listed name; an uploaded package verified


class PackageFile(BaseModel):
    name: str
    size: int
    created: dt.datetime


def package_dir(ws: Workspace, case_id: int) -> Path:
    p = ws.output_dir / f"case-{case_id}" / "packages"
    p.mkdir(parents=True, exist_ok=True)
    return p


def export_for_web(ws: Workspace, case_id: int, *, include_derived: bool = False) -> ExportResult:
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
    out = package_dir(ws, case_id) / f"evidence-case{case_id}-{stamp}.zip"
    n = 1
    while out.exists():
        n += 1
        out = out.with_name(f"evidence-case{case_id}-{stamp}-{n}.zip")
    return export_case(ws, case_id, out, include_derived=include_derived)


def list_packages(ws: Workspace, case_id: int) -> list[PackageFile]:
    out = []
    for p in package_dir(ws, case_id).glob("*.zip"):
        st = p.stat()
        out.append(
            PackageFile(name=p.name, size=st.st_size, created=dt.datetime.fromtimestamp(st.st_mtime, dt.timezone.utc))
        )
    return sorted(out, key=lambda x: x.created, reverse=True)


def package_path(ws: Workspace, case_id: int, name: str) -> Path:
    """The path of a package listed for the case (the name is matched against the listing, never joined blindly)."""
    for p in package_dir(ws, case_id).glob("*.zip"):
        if p.name == name:
            return p
    raise NotFoundError(f"证据包不存在：{name}", f"no such package: {name}")


def verify_upload(ws: Workspace, src: BinaryIO, name: str | None, *, max_bytes: int) -> VerifyResult:
    """Verify an uploaded package; the upload is removed afterwards."""
    with staged(ws, src, name or "package.zip", max_bytes=max_bytes) as path:
        try:
            result = verify_package(path)
        except (zipfile.BadZipFile, zlib.error, EOFError) as e:
            # a damaged archive is a verification failure, not a crash
            return VerifyResult(
                ok=False,
                package=path.name,
                files_checked=0,
                merkle_root=None,
                problems=[
                    {
                        "kind": "corrupt",
                        "path": path.name,
                        "zh": f"证据包已损坏，无法读取（{type(e).__name__}）：文件被改动过或不完整",
                        "en": f"the package is damaged and cannot be read ({type(e).__name__}: {e})",
                    }
                ],
            )
        result.package = path.name
        return result
