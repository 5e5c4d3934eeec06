"""Alembic environment: uses the engine handed over by weiquan.store.migrate."""

from __future__ import annotations

from alembic import context

from weiquan.store.models import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # pragma: no cover - only when someone runs the alembic CLI by hand
    from weiquan.config import load_settings
    from weiquan.store.db import make_engine

    engine = make_engine(load_settings().database_url)

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # SQLite batch migrations recreate a table (copy, DROP, rename): with foreign keys ON the DROP cascades and
        # deletes every child row (events → event_sources, finding_events). The pragma only takes effect outside
        # a transaction, so it is set before the migration's transaction and restored after it.
        if connection.in_transaction():
            connection.commit()
        # on the DBAPI connection: SQLAlchemy would open a transaction first, where the pragma is a no-op
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    if connection.in_transaction():
        connection.commit()
    if sqlite:
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
