"""Shared fixtures: a workspace on a temporary home (SQLite), and PostgreSQL when available."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from weiquan.config import load_settings
from weiquan.workspace import Workspace

# Never let a test touch the user's real data home or the network.
os.environ.setdefault("WEIQUAN_HOME", tempfile.mkdtemp(prefix="weiquan-test-home-"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    return h


@pytest.fixture
def ws(home: Path) -> Iterator[Workspace]:
    w = Workspace(load_settings(home))
    yield w
    w.close()


# --- PostgreSQL --------------------------------------------------------------------------


def _find_pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for base in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (base / name).exists():
            return str(base / name)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """URL of a PostgreSQL server: WEIQUAN_TEST_PG_URL, else a throwaway one, else skip with the reason."""
    url = os.environ.get("WEIQUAN_TEST_PG_URL")
    if url:
        yield url
        return
    initdb, pg_ctl = _find_pg_bin("initdb"), _find_pg_bin("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip(
            "PostgreSQL tests skipped: set WEIQUAN_TEST_PG_URL or install the PostgreSQL server binaries (initdb/pg_ctl)"
        )
    prefix: list[str] = []
    tmp = Path(tempfile.mkdtemp(prefix="weiquan-pg-"))
    if os.geteuid() == 0:
        # initdb refuses to run as root: run the throwaway server as the 'postgres' system user.
        import pwd

        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("PostgreSQL tests skipped: running as root and no 'postgres' user; set WEIQUAN_TEST_PG_URL")
        os.chown(tmp, pw.pw_uid, pw.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run(
        [*prefix, initdb, "-D", str(tmp / "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *prefix,
            pg_ctl,
            "-D",
            str(tmp / "data"),
            "-l",
            str(tmp / "log"),
            "-o",
            f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1",
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, pg_ctl, "-D", str(tmp / "data"), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh, empty database on the PostgreSQL server for one test."""
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(pg_server)
    name = f"wq_{uuid.uuid4().hex[:12]}"
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        time.sleep(0.05)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def any_ws(request: pytest.FixtureRequest, home: Path) -> Iterator[Workspace]:
    """A workspace on SQLite and, when a server is available, on PostgreSQL."""
    if request.param == "sqlite":
        w = Workspace(load_settings(home))
    else:
        url = request.getfixturevalue("pg_url")
        w = Workspace(load_settings(home, db_url=url))
    yield w
    w.close()
