"""Upgrading an existing SQLite store keeps every row: a batch migration that recreates ``events`` must not
cascade-delete its children (event_sources, finding_events) through ``ON DELETE CASCADE``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from weiquan.store.db import make_engine
from weiquan.store.migrate import upgrade


def _insert(c: Any, table: str, values: dict[str, Any]) -> None:
    """Insert a row, giving every other NOT NULL column without a default a plain value of its type."""
    row = dict(values)
    for _cid, name, typ, notnull, default, _pk in c.execute(text(f"PRAGMA table_info({table})")).all():
        if name in row or not notnull or default is not None:
            continue
        t = (typ or "").upper()
        row[name] = (
            0
            if any(k in t for k in ("INT", "BOOL", "FLOAT", "REAL", "NUM"))
            else "2026-01-01 00:00:00"
            if "DATE" in t or "TIME" in t
            else "[]"
            if name in ("provisions", "spans", "borrower_phones")
            else "{}"
            if name in ("extra", "meta")
            else "x"
        )
    cols = ", ".join(row)
    c.execute(text(f"INSERT INTO {table} ({cols}) VALUES ({', '.join(':' + k for k in row)})"), row)


def test_upgrade_from_0003_keeps_event_children(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    upgrade(engine, "0003")
    with engine.begin() as c:
        _insert(c, "cases", {"id": 1})
        _insert(c, "evidence", {"id": 1, "sha256": "0" * 64})
        _insert(c, "events", {"id": 1, "case_id": 1})
        _insert(c, "event_sources", {"event_id": 1, "evidence_id": 1})
        _insert(c, "findings", {"id": 1, "case_id": 1})
        _insert(c, "finding_events", {"finding_id": 1, "event_id": 1})
    upgrade(engine)
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM events")).scalar() == 1
        assert c.execute(text("SELECT count(*) FROM event_sources")).scalar() == 1
        assert c.execute(text("SELECT count(*) FROM finding_events")).scalar() == 1
