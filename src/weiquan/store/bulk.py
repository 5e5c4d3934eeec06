"""Loading the aggregates of a bulk run into an analytics database (PostgreSQL, or any SQLAlchemy URL).

Three tables, created when missing: ``bulk_runs`` (one row per run), ``bulk_aggregates`` (lender × label ×
month) and ``bulk_lender_months`` (lender × month totals). Loading a run replaces that run's rows in one
transaction, so loading twice gives the same tables and a failed load leaves the previous state.
These tables live in the analyst's database, not in the workspace database, and have no migrations:
their shape is the documented Parquet schema.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
)
from sqlalchemy.exc import SQLAlchemyError

from weiquan.errors import InputError, ProblemFound
from weiquan.store.db import make_engine

metadata = MetaData()
runs = Table(
    "bulk_runs",
    metadata,
    Column("run_id", String(32), primary_key=True),
    Column("out_dir", Text, nullable=False),
    Column("texts", BigInteger, nullable=False),
    Column("unlawful", BigInteger, nullable=False),
    Column("rejects", BigInteger, nullable=False),
    Column("detector_version", String(200), nullable=False),
    Column("finished_at", String(40)),
    Column("loaded_at", DateTime(timezone=True), nullable=False),
)
aggregates = Table(
    "bulk_aggregates",
    metadata,
    Column("run_id", String(32), nullable=False, index=True),
    Column("lender", Text),
    Column("label", String(40), nullable=False),
    Column("month", String(7)),
    Column("count", BigInteger, nullable=False),
    Column("complaints", BigInteger, nullable=False),
    Column("rate_per_1000", Float, nullable=False),
    Column("lender_id", String(100)),
    Column("licence_type", String(40)),
)
lender_months = Table(
    "bulk_lender_months",
    metadata,
    Column("run_id", String(32), nullable=False, index=True),
    Column("lender", Text),
    Column("month", String(7)),
    Column("complaints", BigInteger, nullable=False),
    Column("unlawful", BigInteger, nullable=False),
    Column("unlawful_per_1000", Float, nullable=False),
    Column("amount_total", Float, nullable=False),
    Column("amount_count", Integer, nullable=False),
    Column("lender_id", String(100)),
    Column("licence_type", String(40)),
)
CHUNK = 5000


def load_aggregates(
    url: str, run: dict[str, Any], agg: Sequence[dict[str, Any]], months: Sequence[dict[str, Any]]
) -> int:
    """Replace run ``run["plan_id"]``'s rows; returns the number of aggregate rows loaded."""
    try:
        engine = make_engine(url)
    except (SQLAlchemyError, ValueError, ImportError) as e:
        raise InputError(f"数据库地址无效：{type(e).__name__}", f"invalid database URL: {e}") from None
    run_id = str(run["plan_id"])
    try:
        with engine.begin() as conn:
            metadata.create_all(conn, checkfirst=True)
            for t in (aggregates, lender_months):
                conn.execute(delete(t).where(t.c.run_id == run_id))
            conn.execute(delete(runs).where(runs.c.run_id == run_id))
            conn.execute(
                insert(runs),
                [
                    {
                        "run_id": run_id,
                        "out_dir": run["out"],
                        "texts": run["texts"],
                        "unlawful": run["unlawful"],
                        "rejects": run["rejects"],
                        "detector_version": run["detector_version"],
                        "finished_at": run.get("finished_at"),
                        "loaded_at": dt.datetime.now(dt.timezone.utc),
                    }
                ],
            )
            for t, rows in ((aggregates, agg), (lender_months, months)):
                for i in range(0, len(rows), CHUNK):
                    conn.execute(insert(t), [{**r, "run_id": run_id} for r in rows[i : i + CHUNK]])
    except SQLAlchemyError as e:
        raise ProblemFound(
            f"写入数据库失败（{type(e).__name__}），数据库未改动。", f"loading into the database failed: {e}"
        ) from None
    finally:
        engine.dispose()
    return len(agg)


def read_aggregates(url: str, run_id: str) -> list[dict[str, Any]]:
    """The aggregate rows of one run as loaded (for checks and tests)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(aggregates).where(aggregates.c.run_id == run_id)).mappings().all()
            return [dict(r) for r in rows]
    finally:
        engine.dispose()
