"""Atomic file writes and the clean-up of what an interrupted run left behind."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

TMP_PREFIX = ".tmp-"


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, fsync, rename into place: readers see all or nothing."""
    tmp = path.with_name(f"{TMP_PREFIX}{uuid.uuid4().hex}-{path.name}")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def remove_temporaries(directory: Path) -> int:
    """Delete temporary files of interrupted writes under ``directory``; returns how many."""
    n = 0
    for p in directory.rglob(f"{TMP_PREFIX}*"):
        if p.is_file():
            p.unlink(missing_ok=True)
            n += 1
    return n
