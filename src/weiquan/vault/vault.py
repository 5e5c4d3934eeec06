"""The vault service: store originals and derived artefacts, record them in the ledger, verify."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from weiquan.errors import InputError, NotFoundError
from weiquan.store.db import Database
from weiquan.store.models import Acquisition, Evidence, LedgerEntry, LedgerHead
from weiquan.vault import ledger
from weiquan.vault.blobs import BlobStore, StoredBlob, sha256_file
from weiquan.vault.anchor import HeadDigest, check_digest, head_digest
from weiquan.vault.sniff import sniff_bytes, sniff_file


@dataclass
class AddResult:
    evidence: Evidence
    acquisition: Acquisition | None
    new_blob: bool
    new_acquisition: bool


@dataclass
class VerifyReport:
    blobs_checked: int = 0
    entries_checked: int = 0
    missing: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)
    broken_entry: ledger.ChainProblem | None = None
    unrecorded: list[str] = field(default_factory=list)  # evidence rows without their ledger entry
    orphans: list[str] = field(default_factory=list)  # blobs with no evidence row (an interrupted add); harmless

    @property
    def ok(self) -> bool:
        return not (self.missing or self.altered or self.broken_entry or self.unrecorded)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "blobs_checked": self.blobs_checked,
            "entries_checked": self.entries_checked,
            "missing": self.missing,
            "altered": self.altered,
            "unrecorded": self.unrecorded,
            "orphans": self.orphans,
            "first_broken_entry": None
            if self.broken_entry is None
            else {
                "seq": self.broken_entry.seq,
                "reason": self.broken_entry.reason_en,
                "reason_zh": self.broken_entry.reason_zh,
            },
        }


class Vault:
    def __init__(self, db: Database, root: Path) -> None:
        self.db = db
        self.blobs = BlobStore(root)

    # -- adding -------------------------------------------------------------
    def add(
        self,
        source: Path | bytes,
        *,
        case_id: int | None = None,
        original_name: str | None = None,
        metadata: dict[str, Any] | None = None,
        source_device: str | None = None,
        acquired_at: dt.datetime | None = None,
    ) -> AddResult:
        """Store an original; deduplicate by content; record the acquisition in the ledger.

        The same bytes under the same name for the same case return the existing
        acquisition unchanged (idempotent); under another name a second
        acquisition is recorded, never a second blob.
        """
        source_path: str | None = None
        if isinstance(source, (bytes, bytearray, memoryview)):
            data = bytes(source)
            media_type = sniff_bytes(data[:4096])
            stored = self.blobs.put_bytes(data)
        else:
            path = Path(source)
            if not path.is_file():
                raise InputError(f"找不到文件：{path}", f"no such file: {path}")
            media_type = sniff_file(path)
            source_path = str(path)
            original_name = original_name or path.name
            stored = self.blobs.put_file(path)
        return self._record_original(
            stored,
            media_type,
            case_id=case_id,
            original_name=original_name,
            source_path=source_path,
            metadata=metadata or {},
            source_device=source_device,
            acquired_at=acquired_at,
        )

    def _record_original(
        self,
        stored: StoredBlob,
        media_type: str,
        *,
        case_id: int | None,
        original_name: str | None,
        source_path: str | None,
        metadata: dict[str, Any],
        source_device: str | None,
        acquired_at: dt.datetime | None,
    ) -> AddResult:
        with self.db.session() as s:
            self._lock(s)
            ev = s.execute(select(Evidence).where(Evidence.sha256 == stored.sha256)).scalar_one_or_none()
            new_blob = ev is None
            if ev is not None:
                existing = (
                    s.execute(
                        select(Acquisition).where(
                            Acquisition.evidence_id == ev.id,
                            Acquisition.case_id.is_(None) if case_id is None else Acquisition.case_id == case_id,
                            Acquisition.original_name.is_(None)
                            if original_name is None
                            else Acquisition.original_name == original_name,
                        )
                    )
                    .scalars()
                    .first()
                )
                if existing is not None:
                    return AddResult(ev, existing, new_blob=False, new_acquisition=False)
            # known bytes get the same entry as new ones: nothing in a case's ledger tells that another case
            # (or another user) holds the same bytes
            entry = ledger.append(
                s,
                "acquired",
                evidence_sha256=stored.sha256,
                case_id=case_id,
                meta={
                    "name": original_name,
                    "size": stored.size,
                    "media_type": media_type if ev is None else ev.media_type,
                    **_safe_meta(metadata),
                },
            )
            if ev is None:
                ev = Evidence(
                    sha256=stored.sha256,
                    size=stored.size,
                    media_type=media_type,
                    kind="original",
                    first_name=original_name,
                    ledger_seq=entry.seq,
                )
                s.add(ev)
                s.flush()
            acq = Acquisition(
                evidence_id=ev.id,
                case_id=case_id,
                original_name=original_name,
                source_path=source_path,
                source_device=source_device,
                meta=metadata,
                ledger_seq=entry.seq,
                **({"acquired_at": acquired_at} if acquired_at else {}),
            )
            s.add(acq)
            s.flush()
            return AddResult(ev, acq, new_blob=new_blob, new_acquisition=True)

    def add_derived(
        self,
        data: bytes,
        *,
        source_sha256: str,
        derivation: str,
        case_id: int | None = None,
        media_type: str = "application/json",
        metadata: dict[str, Any] | None = None,
        name: str | None = None,
    ) -> Evidence:
        """Store a derived artefact (OCR text, transcript, attachment, export) pointing at its source."""
        stored = self.blobs.put_bytes(data)
        with self.db.session() as s:
            self._lock(s)
            src = s.execute(select(Evidence).where(Evidence.sha256 == source_sha256)).scalar_one_or_none()
            if src is None:
                raise NotFoundError(
                    f"来源证据不存在：{source_sha256[:12]}", f"source evidence not found: {source_sha256[:12]}"
                )
            ev = s.execute(select(Evidence).where(Evidence.sha256 == stored.sha256)).scalar_one_or_none()
            meta = {
                "source": source_sha256,
                "derivation": derivation,
                "size": stored.size,
                **_safe_meta(metadata or {}),
            }
            if ev is not None:
                # derived for another case before: this case gets its own entry (a case's package holds only its entries)
                if (
                    case_id is not None
                    and s.execute(
                        select(LedgerEntry.seq)
                        .where(LedgerEntry.evidence_sha256 == stored.sha256, LedgerEntry.case_id == case_id)
                        .limit(1)
                    ).first()
                    is None
                ):
                    ledger.append(s, "derived", evidence_sha256=stored.sha256, case_id=case_id, meta=meta)
                return ev
            entry = ledger.append(s, "derived", evidence_sha256=stored.sha256, case_id=case_id, meta=meta)
            ev = Evidence(
                sha256=stored.sha256,
                size=stored.size,
                media_type=media_type,
                kind="derived",
                derived_from_id=src.id,
                derivation=derivation,
                first_name=name,
                ledger_seq=entry.seq,
                extra=metadata or {},
            )
            s.add(ev)
            s.flush()
            return ev

    def record(
        self,
        action: str,
        *,
        case_id: int | None = None,
        evidence_sha256: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> LedgerEntry:
        """Append a non-blob event (case created/deleted, export written) to the ledger."""
        with self.db.session() as s:
            self._lock(s)
            return ledger.append(s, action, case_id=case_id, evidence_sha256=evidence_sha256, meta=meta)

    @staticmethod
    def _lock(s: Session) -> None:
        s.execute(select(LedgerHead.id).where(LedgerHead.id == 1).with_for_update()).first()

    # -- reading ------------------------------------------------------------
    def path(self, sha256: str) -> Path:
        return self.blobs.path_for(sha256)

    def read(self, sha256: str) -> bytes:
        return self.blobs.read_bytes(sha256)

    # -- the head, as a number to keep elsewhere ----------------------------------
    def head(self) -> HeadDigest:
        with self.db.read_session() as s:
            return head_digest(s)

    def check_head(self, digest: str) -> tuple[bool, str, str]:
        """Compare a digest kept elsewhere (``WQ-…``) with the ledger: (still there, zh, en)."""
        try:
            with self.db.read_session() as s:
                return check_digest(s, digest)
        except ValueError as e:
            raise InputError(
                f"无法识别的账本数字：{digest[:100]}（格式 WQ-条数:哈希）",
                f"not a ledger digest: {digest[:100]} (format WQ-COUNT:HASH)",
            ) from e

    def where(self, shas: list[str]) -> dict[str, list[tuple[int | None, str | None]]]:
        """For blobs (by SHA-256): the (case id, file name) of every acquisition, or of the source's for a derived blob."""
        if not shas:
            return {}
        out: dict[str, list[tuple[int | None, str | None]]] = {sha: [] for sha in shas}
        with self.db.read_session() as s:
            rows = s.execute(
                select(Evidence.sha256, Evidence.id, Evidence.derived_from_id, Evidence.first_name).where(
                    Evidence.sha256.in_(shas)
                )
            ).all()
            for sha, eid, src, name in rows:
                root = src if src is not None else eid
                acqs = s.execute(
                    select(Acquisition.case_id, Acquisition.original_name)
                    .where(Acquisition.evidence_id == root)
                    .order_by(Acquisition.id)
                ).all()
                if src is not None:  # a derived blob (OCR text, transcript, attachment): named after its source
                    acqs = [
                        (cid, f"{n} 的派生文件 derived from {n}" + (f"（{name}）" if name else "")) for cid, n in acqs
                    ]
                out[sha] = list(acqs) or [(None, name)]
        return out

    # -- verification -------------------------------------------------------
    def verify(self) -> VerifyReport:
        """Re-hash every blob and walk the ledger chain."""
        report = VerifyReport()
        with self.db.read_session() as s:
            known: set[str] = set()
            recorded = {
                sha
                for (sha,) in s.execute(
                    select(LedgerEntry.evidence_sha256).where(LedgerEntry.evidence_sha256.is_not(None))
                )
            }
            for sha, size in s.execute(select(Evidence.sha256, Evidence.size).order_by(Evidence.id)):
                known.add(sha)
                report.blobs_checked += 1
                p = self.blobs.path_for(sha)
                if not p.is_file():
                    report.missing.append(sha)
                    continue
                digest, actual = sha256_file(p)
                if digest != sha or actual != size:
                    report.altered.append(sha)
                if sha not in recorded:
                    report.unrecorded.append(sha)
            entries = s.execute(select(LedgerEntry).order_by(LedgerEntry.seq)).scalars()
            counted: list[LedgerEntry] = []

            def counting():  # type: ignore[no-untyped-def]  # a local generator over the rows just read
                for e in entries:
                    counted.append(e)
                    yield e

            head = s.get(LedgerHead, 1)
            report.broken_entry = ledger.walk(counting(), head)
            report.entries_checked = len(counted)
        for sha in self.blobs.iter_shas():
            if sha not in known:
                report.orphans.append(sha)
        return report


def _safe_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """Only small scalar metadata goes into the ledger (never message bodies)."""
    return {
        k: v
        for k, v in meta.items()
        if isinstance(v, (str, int, float, bool)) and (not isinstance(v, str) or len(v) <= 500)
    }
