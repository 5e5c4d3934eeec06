"""Content-addressed, write-once blob store on the filesystem.

A blob lives at ``blobs/<sha[:2]>/<sha>``. Writing streams the input in chunks
into a temporary file inside the vault (same filesystem), hashing as it goes,
fsyncs it, then renames it into place and makes it read-only. A crash at any
point leaves either no blob or a complete one; temporary files are ignored by
readers and cleaned up on the next start.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import stat
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20  # 1 MiB


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    path: Path
    created: bool  # False when identical content was already stored


def sha256_file(path: Path, chunk: int = CHUNK) -> tuple[str, int]:
    """Stream a file through SHA-256; returns (hex digest, size)."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb", buffering=0) as f:
        buf = bytearray(chunk)
        view = memoryview(buf)
        while n := f.readinto(buf):
            h.update(view[:n])
            size += n
    return h.hexdigest(), size


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.blob_dir = root / "blobs"
        self.tmp_dir = root / "tmp"
        self.blob_dir.mkdir(parents=True, exist_ok=True)
        self.tmp_dir.mkdir(parents=True, exist_ok=True)

    def path_for(self, sha256: str) -> Path:
        return self.blob_dir / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        return open(self.path_for(sha256), "rb")

    def read_bytes(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()

    def put_stream(self, chunks: Iterable[bytes]) -> StoredBlob:
        fd, tmp_name = tempfile.mkstemp(dir=self.tmp_dir, prefix="incoming-", suffix=".part")
        tmp = Path(tmp_name)
        # Held until the file is renamed (the descriptor stays open through _commit) or this process
        # dies: tells clean_tmp() in another process that the write is live.
        fcntl.flock(fd, fcntl.LOCK_EX)
        h = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb", buffering=0, closefd=False) as out:
                for chunk in chunks:
                    h.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            return self._commit(tmp, h.hexdigest(), size)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        finally:
            os.close(fd)  # releases the lock, after the rename

    def put_file(self, path: Path) -> StoredBlob:
        def chunks() -> Iterable[bytes]:
            with open(path, "rb", buffering=0) as f:
                while chunk := f.read(CHUNK):
                    yield chunk

        return self.put_stream(chunks())

    def put_bytes(self, data: bytes) -> StoredBlob:
        return self.put_stream([data])

    def _commit(self, tmp: Path, sha256: str, size: int) -> StoredBlob:
        final = self.path_for(sha256)
        if final.is_file():
            # Same content already stored. Trust it only if it still hashes right;
            # a damaged blob is replaced by the fresh, verified copy.
            if final.stat().st_size == size and sha256_file(final)[0] == sha256:
                tmp.unlink(missing_ok=True)
                return StoredBlob(sha256, size, final, created=False)
            os.chmod(final, stat.S_IRUSR | stat.S_IWUSR)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(tmp, stat.S_IRUSR | stat.S_IRGRP)
        os.replace(tmp, final)
        _fsync_dir(final.parent)
        return StoredBlob(sha256, size, final, created=True)

    def clean_tmp(self) -> int:
        """Remove leftovers of interrupted writes; returns how many.

        A temporary file whose lock is still held belongs to a write in progress in another
        process (two imports at once) and is left alone; the lock of a killed process is gone.
        """
        n = 0
        for p in self.tmp_dir.glob("incoming-*.part"):
            try:
                st = p.stat()
                if st.st_size == 0 and time.time() - st.st_mtime < 5:
                    continue  # just created: its writer may not have taken the lock yet
                fd = os.open(p, os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                p.unlink(missing_ok=True)
                n += 1
            finally:
                os.close(fd)
        return n

    def iter_shas(self) -> Iterable[str]:
        for sub in sorted(self.blob_dir.iterdir()):
            if sub.is_dir():
                for p in sorted(sub.iterdir()):
                    yield p.name


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
