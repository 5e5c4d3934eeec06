"""Streaming writer for evidence packages (ZIP64).

Every member is written inside one top-level folder, streamed in 1 MiB chunks
and hashed while it is written, so memory stays flat whatever the size of the
originals. The manifest and the Merkle root (see ``report/verify.py``, which is
also the verifier shipped in the package) are written last. The ZIP is built in
``<out>.part`` and renamed into place only when complete.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from weiquan.partfiles import PartFile
from weiquan.report import verify as verifier

CHUNK = 1 << 20
# Already-compressed media gain nothing from deflate; everything else is deflated.
_STORED_PREFIXES = ("image/", "audio/", "video/")
_STORED_TYPES = {
    "application/zip",
    "application/pdf",
    "application/gzip",
    "application/x-7z-compressed",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class IntegrityError(Exception):
    """A vault blob did not hash to its recorded SHA-256 while being packaged."""

    def __init__(self, path: str, expected: str, actual: str) -> None:
        super().__init__(f"{path}: expected {expected}, got {actual}")
        self.path, self.expected, self.actual = path, expected, actual


@dataclass
class ManifestFile:
    path: str
    sha256: str
    size: int
    role: str  # original|derived|ledger|catalogue|report|verifier|readme
    meta: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256, "size": self.size, "role": self.role, **self.meta}


def _compression(media_type: str | None) -> int:
    mt = (media_type or "").split(";")[0]
    if mt.startswith(_STORED_PREFIXES) or mt in _STORED_TYPES:
        return zipfile.ZIP_STORED
    return zipfile.ZIP_DEFLATED


class PackageWriter:
    """Write members, then :meth:`finish` with the manifest header; returns the Merkle root."""

    def __init__(self, out: Path, folder: str, *, home: Path | None = None) -> None:
        self.out = out
        self.folder = folder.strip("/")
        out.parent.mkdir(parents=True, exist_ok=True)
        self._part = PartFile(out, home)  # registered under ``home``: a killed export's .part is removed later
        self.tmp = self._part.path
        self._zf = zipfile.ZipFile(self.tmp, "w", allowZip64=True)
        self.files: list[ManifestFile] = []
        self.bytes_written = 0
        self._paths: set[str] = set()
        self._done = False

    # -- members --------------------------------------------------------------
    def _info(self, path: str, media_type: str | None) -> zipfile.ZipInfo:
        if path in self._paths or path in verifier.UNLISTED:
            raise ValueError(f"duplicate package path: {path}")
        self._paths.add(path)
        info = zipfile.ZipInfo(f"{self.folder}/{path}", date_time=_zip_time())
        info.compress_type = _compression(media_type)
        info.external_attr = 0o644 << 16
        return info

    def add_stream(
        self,
        path: str,
        chunks: Iterable[bytes],
        *,
        role: str,
        media_type: str | None = None,
        expect_sha256: str | None = None,
        meta: dict[str, Any] | None = None,
    ) -> ManifestFile:
        h = hashlib.sha256()
        size = 0
        with self._zf.open(self._info(path, media_type), "w", force_zip64=True) as dst:
            for chunk in chunks:
                h.update(chunk)
                size += len(chunk)
                dst.write(chunk)
        digest = h.hexdigest()
        if expect_sha256 is not None and digest != expect_sha256:
            raise IntegrityError(path, expect_sha256, digest)
        self.bytes_written += size
        mf = ManifestFile(path, digest, size, role, dict(meta or {}))
        self.files.append(mf)
        return mf

    def add_file(self, path: str, src: Path, **kw: Any) -> ManifestFile:
        with open(src, "rb") as f:
            return self.add_stream(path, _chunks(f), **kw)

    def add_bytes(self, path: str, data: bytes, **kw: Any) -> ManifestFile:
        return self.add_stream(path, [data], **kw)

    def add_unlisted(self, path: str, data: bytes) -> None:
        """A member that is not in the manifest (only the names the verifier allows)."""
        if path not in verifier.UNLISTED:
            raise ValueError(f"not an unlisted package file: {path}")
        info = zipfile.ZipInfo(f"{self.folder}/{path}", date_time=_zip_time())
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        self._zf.writestr(info, data)

    # -- closing --------------------------------------------------------------
    def manifest(self, header: dict[str, Any]) -> dict[str, Any]:
        return {**header, "files": [f.as_dict() for f in sorted(self.files, key=lambda f: f.path)]}

    def write_manifest(self, header: dict[str, Any]) -> str:
        """Write ``manifest.json`` and ``MERKLE_ROOT.txt``; returns the root (hex)."""
        manifest = self.manifest(header)
        root = verifier.merkle_root(manifest)
        self.add_unlisted(verifier.MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
        self.add_unlisted(verifier.ROOT_FILE, _root_text(root).encode("utf-8"))
        return root

    def commit(self) -> Path:
        self._zf.close()
        self._part.commit()
        self._done = True
        return self.out

    def abort(self) -> None:
        if not self._done:
            try:
                self._zf.close()
            finally:
                self._part.abort()


def _chunks(f: BinaryIO) -> Iterable[bytes]:
    while chunk := f.read(CHUNK):
        yield chunk


def _zip_time() -> tuple[int, int, int, int, int, int]:
    now = dt.datetime.now()
    return (max(now.year, 1980), now.month, now.day, now.hour, now.minute, now.second - now.second % 2)


def _root_text(root: str) -> str:
    return (
        f"{root}\n\n"
        "上一行是本证据包清单（manifest.json）的 Merkle 根（SHA-256）。运行 `python3 verify.py` 重新计算并核对。\n"
        "The line above is the Merkle root (SHA-256) over manifest.json. Run `python3 verify.py` to recompute and check it.\n"
    )
