"""Apply Alembic migrations programmatically (``weiquan init`` and on every start)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported inside the functions: it costs ~0.3 s and most commands find the schema current.

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def current_revision(engine: Engine) -> str | None:
    """The revision recorded in ``alembic_version`` (None for an empty database); plain SQL, no Alembic import."""
    if "alembic_version" not in inspect(engine).get_table_names():
        return None
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


_REVISION = re.compile(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision\s*=\s*['\"]([^'\"]+)['\"]", re.M)


def head_revision(engine: Engine | None = None) -> str | None:
    """The newest revision of the (linear) migration history, read from the version files.

    tests/test_store.py checks that this equals Alembic's own head, so it cannot drift.
    """
    revisions, downs = set(), set()
    for f in (MIGRATIONS_DIR / "versions").glob("*.py"):
        src = f.read_text(encoding="utf-8")
        if m := _REVISION.search(src):
            revisions.add(m.group(1))
        if m := _DOWN.search(src):
            downs.add(m.group(1))
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 else None


def alembic_head(engine: Engine) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision``; a no-op when already there."""
    if revision == "head" and current_revision(engine) == head_revision(engine):
        return
    from alembic import command

    command.upgrade(alembic_config(engine), revision)
