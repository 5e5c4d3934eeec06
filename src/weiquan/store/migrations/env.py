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
