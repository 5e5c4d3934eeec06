"""Output files written under ``<name>.part`` and renamed into place: none is left behind by a killed run.

An output (an evidence package, a document) is written next to its final name, so that the rename
is atomic. While it is written, an entry in the data home's ``tmp/partial-outputs`` names it and is
locked (``flock``) by the writing process. :func:`clean_stale` (run when a workspace opens) removes
the ``.part`` file of every entry whose lock is free: its writer was killed.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

REGISTRY = Path("tmp") / "partial-outputs"


class PartFile:
    """``final + ".part"``, registered under ``home`` (when given) until :meth:`commit` or :meth:`abort`."""

    def __init__(self, final: Path, home: Path | None) -> None:
        self.final = final
        self.path = final.with_name(final.name + ".part")
        self._entry: Path | None = None
        self._fd: int | None = None
        if home is not None:
            folder = home / REGISTRY
            folder.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=folder, prefix="output-", suffix=".txt")
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, os.fsencode(str(self.path.resolve())))
            self._entry, self._fd = Path(name), fd

    def commit(self) -> Path:
        os.replace(self.path, self.final)
        self._release()
        return self.final

    def abort(self) -> None:
        self.path.unlink(missing_ok=True)
        self._release()

    def _release(self) -> None:
        if self._entry is not None:
            self._entry.unlink(missing_ok=True)
            self._entry = None
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def write_output(out: Path, home: Path | None, write: Callable[[Path], object]) -> Path:
    """Write ``out`` (its folder made if missing) by ``write(part_path)``: renamed into place when ``write``
    returns, removed when it raises (or the run is killed)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    part = PartFile(out, home)
    try:
        write(part.path)
    except BaseException:
        part.abort()
        raise
    return part.commit()


def clean_stale(home: Path) -> int:
    """Remove the ``.part`` outputs of killed writers; returns how many entries were cleared."""
    folder = home / REGISTRY
    if not folder.is_dir():
        return 0
    n = 0
    for entry in folder.glob("output-*.txt"):
        try:
            fd = os.open(entry, os.O_RDONLY)
        except FileNotFoundError:
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a live writer
            target = Path(os.fsdecode(os.read(fd, 64 * 1024)))
            if target.name.endswith(".part") and target.is_file():
                target.unlink(missing_ok=True)
            entry.unlink(missing_ok=True)
            n += 1
        finally:
            os.close(fd)
    return n
