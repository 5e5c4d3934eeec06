"""Engine and session set-up for SQLite (default) and PostgreSQL.

SQLite runs in WAL mode with foreign keys on. Write sessions start with
``BEGIN IMMEDIATE`` so that two processes never interleave a read-then-write
(which SQLite would answer with "database is locked" mid-transaction); they wait
on ``busy_timeout`` instead. Read-only sessions use a plain deferred ``BEGIN``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

BUSY_TIMEOUT_MS = 60_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
    cur = dbapi_connection.cursor()
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(url: str, *, immediate: bool = True) -> Engine:
    """Create an engine; for SQLite make the parent folder and set the pragmas."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        begin_sql = "BEGIN IMMEDIATE" if immediate else "BEGIN"

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql(begin_sql)

        return engine
    return create_engine(url, pool_pre_ping=True)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


class Database:
    """Engines and session factories for one database URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url, immediate=True)
        self._read_engine: Engine | None = None
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def read_engine(self) -> Engine:
        if self._read_engine is None:
            if is_sqlite(self.engine):
                self._read_engine = make_engine(self.url, immediate=False)
            else:
                self._read_engine = self.engine
        return self._read_engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A write transaction: committed on success, rolled back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A read-only session (deferred BEGIN on SQLite; never committed)."""
        with Session(self.read_engine, expire_on_commit=False) as session:
            try:
                yield session
            finally:
                session.rollback()

    def dispose(self) -> None:
        self.engine.dispose()
        if self._read_engine is not None and self._read_engine is not self.engine:
            self._read_engine.dispose()
