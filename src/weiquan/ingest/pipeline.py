"""Run batches on one worker thread, in order, with a bounded queue.

The import writer hands each full batch of rows here so that SQLite (which executes a multi-row
statement without holding the GIL) writes one batch while the importer parses the next. One worker
keeps the batches in order on one database connection; at most ``depth`` batches wait, so memory
stays bounded. A batch's error is raised in the caller at the next :meth:`submit` or at
:meth:`drain`; :meth:`abort` drops what has not started and waits for the running batch, so that
the caller can roll back safely.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

T = TypeVar("T")


class OrderedWorker(Generic[T]):
    def __init__(self, run: Callable[[T], None], *, depth: int = 2, name: str = "weiquan-writer") -> None:
        self._run = run
        self._depth = depth
        self._name = name
        self._pool: ThreadPoolExecutor | None = None
        self._in_flight: deque[Future[None]] = deque()

    @property
    def idle(self) -> bool:
        """True when no batch is queued or running (the caller may then write in its own thread)."""
        return not self._in_flight

    def submit(self, batch: T) -> None:
        """Queue ``batch`` (waits while ``depth`` batches are queued; raises an earlier batch's error)."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=self._name)
        while len(self._in_flight) >= self._depth:
            self._in_flight.popleft().result()
        self._in_flight.append(self._pool.submit(self._run, batch))

    def drain(self) -> None:
        """Wait until every queued batch is done and stop the thread (raises the first error)."""
        try:
            while self._in_flight:
                self._in_flight.popleft().result()
        except BaseException:
            self.abort()
            raise
        self._stop()

    def abort(self) -> None:
        """Drop the batches not started, wait for the running one, stop the thread; errors are the caller's."""
        for f in self._in_flight:
            f.cancel()
        for f in self._in_flight:
            if not f.cancelled():
                f.exception()  # waits
        self._in_flight.clear()
        self._stop()

    def _stop(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
