"""Imports of uploads in worker processes, so that one big file never slows other users' requests.

An import parses and writes for minutes (a 200,000-message export). In the server's own process it
competes for the GIL with every request thread: each database round trip of a page view then waits
for the interpreter lock again, and on PostgreSQL (where the writer's rows go through SQLAlchemy in
Python) a page view took 5-10 times longer. :class:`ImportWorkers` runs each staged upload's import
in a worker process (started with ``spawn``, never a ``fork`` of the threaded server) that opens the
same data home and runs at a lower CPU priority (``nice``), so logins and page views get the CPU first.
The import itself is unchanged: one transaction per file, the same idempotence.

``weiquan serve --server`` turns this on (``WebConfig.import_processes``); the upload is received and
staged by the server as before, only :func:`weiquan.services.imports.import_paths` runs in the worker.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from weiquan.config import Settings
from weiquan.services.imports import FileResult, import_paths
from weiquan.workspace import Workspace

log = logging.getLogger(__name__)
NICE = 10  # CPU priority step below the server's (Linux: a niced process gets ~1/10 of a contended core)

# the worker process's own workspace (one per process, opened by the initializer)
_worker_ws: Workspace | None = None


def _init_worker(settings: Settings, nice: int) -> None:
    global _worker_ws  # noqa: PLW0603 - per-process state of a pool worker, set once by its initializer
    if nice and hasattr(os, "nice"):
        os.nice(nice)
    _worker_ws = Workspace(settings, migrate=False)  # the server migrated the store before it started


def _import_in_worker(case_id: int, path: str, tz: str | None) -> list[FileResult]:
    assert _worker_ws is not None, "worker started without its initializer"
    return import_paths(_worker_ws, case_id, [Path(path)], tz=tz)


def _ready() -> int:
    return os.getpid()


class ImportWorkers:
    """A pool of ``workers`` import processes for one data home, started on first use."""

    def __init__(self, settings: Settings, workers: int, *, nice: int = NICE) -> None:
        self.settings = settings
        self.workers = max(1, workers)
        self.nice = nice
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_init_worker,
                    initargs=(self.settings, self.nice),
                )
            return self._pool

    def start(self) -> None:
        """Start the processes now (the first upload then does not wait for Python to start)."""
        pool = self._executor()
        for _ in range(self.workers):
            pool.submit(_ready)

    def run(self, case_id: int, path: Path, tz: str | None) -> list[FileResult]:
        """Import one staged file in a worker process (blocks the calling thread until it is done).

        A worker that dies (killed, out of memory) loses nothing: its transaction was never committed. The
        upload is answered as not imported, and the next upload gets a fresh pool."""
        pool = self._executor()
        try:
            return pool.submit(_import_in_worker, case_id, str(path), tz).result()
        except BrokenProcessPool:
            log.error("an import worker process died; starting a new pool")
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            return [
                FileResult(
                    path=path.name,
                    name=path.name,
                    status="unparsed",
                    error=(
                        "导入进程意外退出，没有写入任何记录，请重新上传 / "
                        "the import process died; no record was written; upload the file again"
                    ),
                )
            ]

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
