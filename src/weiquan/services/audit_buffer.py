"""Audit entries written behind the request, so a long import's write lock never stalls a login or a page.

In server mode every page view and login appends to the audit log. On SQLite one import holds the only
write lock for as long as it writes its file; a request that had to insert its audit row would wait for
it (or fail with "database is locked"). Requests therefore hand their entries to :class:`AuditBuffer`,
whose one thread writes them in batches and retries while the database is busy; nothing is dropped and
the order is kept. Readers of the log call :meth:`flush` first. Security records that must take effect
at once (``sessions_ended``) do not go through the buffer.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import weakref
from dataclasses import dataclass

from sqlalchemy.exc import OperationalError

from weiquan.store.models import AuditLog
from weiquan.workspace import Workspace

log = logging.getLogger("weiquan.audit")


@dataclass(frozen=True)
class Entry:
    user_id: int | None
    action: str
    case_id: int | None
    target: str | None
    ip: str | None
    ts: object  # aware datetime of the request


_LIVE: weakref.WeakSet[AuditBuffer] = weakref.WeakSet()


def flush_all(ws: Workspace, timeout: float = 120.0) -> None:
    """Write every buffered entry of ``ws`` (before the log is read)."""
    for b in list(_LIVE):
        if b.ws is ws:
            b.flush(timeout)


class AuditBuffer:
    def __init__(self, ws: Workspace, *, batch: int = 500) -> None:
        self.ws = ws
        _LIVE.add(self)
        self.batch = batch
        self._q: queue.Queue[Entry | None] = queue.Queue()
        self._pending = 0
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="weiquan-audit", daemon=True)
        self._thread.start()

    def add(self, entry: Entry) -> None:
        with self._cond:
            self._pending += 1
        self._q.put(entry)

    def flush(self, timeout: float = 120.0) -> bool:
        """Wait until every entry added so far is written (True), or ``timeout`` passed (False)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def close(self) -> None:
        self.flush(timeout=30)
        self._q.put(None)
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            first = self._q.get()
            if first is None:
                return
            entries = [first]
            while len(entries) < self.batch:
                try:
                    nxt = self._q.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    self._q.put(None)
                    break
                entries.append(nxt)
            self._write(entries)
            with self._cond:
                self._pending -= len(entries)
                self._cond.notify_all()

    def _write(self, entries: list[Entry]) -> None:
        delay = 0.05
        while True:
            try:
                with self.ws.db.session() as s:
                    s.add_all(
                        [
                            AuditLog(
                                user_id=e.user_id, action=e.action, case_id=e.case_id, target=e.target, ip=e.ip, ts=e.ts
                            )
                            for e in entries
                        ]
                    )
                return
            except OperationalError as e:  # busy past the timeout: retry, never drop an audit entry
                log.warning("audit log busy, retrying: %s", type(e.orig).__name__ if e.orig else type(e).__name__)
                time.sleep(delay)
                delay = min(delay * 2, 2.0)
            except Exception:  # noqa: BLE001 - a broken store must not kill the writer thread
                log.exception("audit entries could not be written")
                return
