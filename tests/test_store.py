"""Store: migrations on SQLite and PostgreSQL, no drift between models and migrations, UTC times."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from weiquan.store.db import make_engine
from weiquan.store.migrate import alembic_head, current_revision, head_revision, upgrade
from weiquan.store.models import Base, Case, Event
from weiquan.workspace import Workspace


def _check_no_drift(url: str) -> None:
    engine = make_engine(url)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == head_revision(engine) == alembic_head(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        upgrade(engine)  # idempotent
    finally:
        engine.dispose()


def test_sqlite_upgrade_from_empty_no_drift(tmp_path: Path) -> None:
    _check_no_drift(f"sqlite:///{tmp_path / 'x.db'}")


@pytest.mark.pg
def test_postgresql_upgrade_from_empty_no_drift(pg_url: str) -> None:
    _check_no_drift(pg_url)


def test_sqlite_pragmas(ws: Workspace) -> None:
    with ws.db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_times_round_trip_as_utc(any_ws: Workspace) -> None:
    local = dt.datetime(2026, 3, 5, 23, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    with any_ws.db.session() as s:
        c = Case(name="t")
        s.add(c)
        s.flush()
        s.add(Event(case_id=c.id, channel="call", start=local, source_tz="Asia/Shanghai"))
    with any_ws.db.read_session() as s:
        ev = s.query(Event).one()
        assert ev.start.tzinfo is not None and ev.start.utcoffset() == dt.timedelta(0)
        assert ev.start == local and ev.start.hour == 15
        assert ev.source_tz == "Asia/Shanghai"


def test_naive_datetime_refused(ws: Workspace) -> None:
    from sqlalchemy.exc import StatementError

    with pytest.raises(StatementError), ws.db.session() as s:
        c = Case(name="t")
        s.add(c)
        s.flush()
        s.add(Event(case_id=c.id, channel="sms", start=dt.datetime(2026, 1, 1, 8, 0)))
        s.flush()


def test_foreign_keys_enforced(any_ws: Workspace) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), any_ws.db.session() as s:
        s.add(Event(case_id=999, channel="sms", start=dt.datetime.now(dt.timezone.utc)))
        s.flush()


def test_case_service_on_any_backend(any_ws: Workspace) -> None:
    from weiquan.services import cases

    c = cases.create_case(any_ws, "李四 vs 示例贷", lender="示例贷")
    assert cases.get_case(any_ws, c.id).lender_name == "示例贷"
    cases.update_case(any_ws, c.id, status="closed")
    assert [x.status for x in cases.list_cases(any_ws)] == ["closed"]
    out = cases.delete_case(any_ws, c.id)
    assert out["deleted"] and cases.list_cases(any_ws) == []
    assert any_ws.vault.verify().ok
