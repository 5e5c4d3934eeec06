"""Web uploads: stage a received file safely, check its type by content, then import it.

* The client's file name is never used as a path: it is reduced to a plain leaf name
  (no folders, no control characters, no leading dots) and written inside a fresh
  random staging folder, so it can only be kept as the evidence's original name.
* The type is sniffed from the content: a file is accepted when a registered importer
  recognises it, or when it is a screenshot/recording/archive the import service expands
  or queues for extraction. Anything else is refused before it reaches the vault.
* Importing is the import service's per-file transaction: a file that fails to parse
  keeps its original in the vault, marked unparsed, and adds no events.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import shutil
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from pydantic import BaseModel
from sqlalchemy import func, select

from weiquan.errors import InputError
from weiquan.services import imports
from weiquan.services.imports import FileResult
from weiquan.store.models import Acquisition, Event, EventSource, Evidence
from weiquan.vault.sniff import sniff_bytes
from weiquan.workspace import Workspace

CHUNK = 1024 * 1024
ALWAYS_ACCEPTED = ("image/", "audio/", "application/zip")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def safe_leaf_name(name: str | None, fallback: str = "upload") -> str:
    """A plain file name derived from a client-supplied one (never a path)."""
    raw = unicodedata.normalize("NFC", name or "")
    raw = raw.replace("\\", "/").rsplit("/", 1)[-1]  # drop any folder part, Windows or POSIX
    raw = _UNSAFE.sub("_", raw).strip().lstrip(".").strip()
    if not raw or raw in (".", ".."):
        raw = fallback
    if len(raw.encode("utf-8")) > 200:
        stem, dot, ext = raw.rpartition(".")
        ext = ext if dot and len(ext) <= 10 else ""
        base = (stem if dot else raw)
        while len((base + ("." + ext if ext else "")).encode("utf-8")) > 200:
            base = base[:-1]
        raw = base + ("." + ext if ext else "")
    return raw


def staging_root(ws: Workspace) -> Path:
    p = ws.home / "uploads-tmp"
    p.mkdir(parents=True, exist_ok=True)
    return p


@contextmanager
def staged(ws: Workspace, src: BinaryIO, name: str | None, *, max_bytes: int) -> Iterator[Path]:
    """Copy an uploaded stream into a fresh staging folder (size-limited); removed afterwards in all cases."""
    folder = staging_root(ws) / secrets.token_hex(12)
    folder.mkdir(mode=0o700)
    try:
        dest = folder / safe_leaf_name(name)
        size = 0
        with open(dest, "xb") as out:
            while chunk := src.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise InputError(
                        f"文件太大（超过 {max_bytes // (1024 * 1024)} MB），未导入",
                        f"file too large (over {max_bytes // (1024 * 1024)} MB); not imported",
                    )
                out.write(chunk)
        yield dest
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def check_type(path: Path) -> str:
    """The sniffed media type if weiquan can use the file; InputError otherwise."""
    if path.stat().st_size == 0:
        raise InputError("文件是空的（0 字节），未导入", "the file is empty (0 bytes); not imported")
    media = imports.recognised(path, path.name, always=ALWAYS_ACCEPTED)
    if media is not None:
        return media
    with open(path, "rb") as f:
        media = sniff_bytes(f.read(4096))
    raise InputError(
        f"无法识别这个文件的格式（按内容判断为 {media}），未导入。请上传手机导出的短信/通话记录、截图或录音。",
        f"unrecognised file type (content looks like {media}); not imported",
    )


def import_upload(ws: Workspace, case_id: int, src: BinaryIO, name: str | None, *, max_bytes: int,
                  tz: str | None = None) -> list[FileResult]:
    """Stage, check and import one uploaded file. Refusals come back as a ``refused`` result, nothing stored."""
    leaf = safe_leaf_name(name)
    try:
        with staged(ws, src, name, max_bytes=max_bytes) as path:
            check_type(path)
            results = imports.import_paths(ws, case_id, [path], tz=tz)
        # the staging path means nothing to the user and is gone now
        return [r.model_copy(update={"path": r.name}) for r in results]
    except InputError as e:
        return [FileResult(path="", name=leaf, status="refused", error=f"{e.zh} / {e.en}")]


class CaseFile(BaseModel):
    acquisition_id: int
    evidence_id: int
    name: str | None
    media_type: str | None
    size: int
    sha256: str
    status: str
    format: str | None
    error: str | None
    acquired_at: dt.datetime
    records: int | None = None


def case_files(ws: Workspace, case_id: int, *, limit: int = 500) -> list[CaseFile]:
    """The files given to a case, newest first, with their parse state."""
    with ws.db.read_session() as s:
        q = (select(Acquisition, Evidence).join(Evidence, Evidence.id == Acquisition.evidence_id)
             .where(Acquisition.case_id == case_id).order_by(Acquisition.id.desc()).limit(limit))
        rows = s.execute(q).all()
        # screenshots and recordings get their records from extraction, after the import counted 0
        extracted = {ev.id for _acq, ev in rows if (ev.media_type or "").startswith(("image/", "audio/"))}
        counts = dict(s.execute(
            select(EventSource.evidence_id, func.count(func.distinct(EventSource.event_id)))
            .join(Event, Event.id == EventSource.event_id)
            .where(Event.case_id == case_id, EventSource.evidence_id.in_(extracted))
            .group_by(EventSource.evidence_id)).all()) if extracted else {}
        out = []
        for acq, ev in rows:
            meta = (acq.meta or {}).get("import") or {}
            records = meta.get("records") if isinstance(meta, dict) else None
            if ev.id in extracted and acq.parse_status != "queued":
                records = counts.get(ev.id, 0)
            out.append(CaseFile(
                acquisition_id=acq.id, evidence_id=ev.id, name=acq.original_name, media_type=ev.media_type, size=ev.size,
                sha256=ev.sha256, status=acq.parse_status, format=acq.parse_format, error=acq.parse_error,
                acquired_at=acq.acquired_at, records=records,
            ))
        return out
