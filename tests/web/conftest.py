"""Fixtures for the web tests: local-mode and server-mode apps over a temporary workspace."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.web_builders import PASSWORD, Server, csrf_of
from weiquan.config import load_settings
from weiquan.services import users
from weiquan.web import create_app
from weiquan.web.config import WebConfig
from weiquan.workspace import Workspace


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def ws(request: pytest.FixtureRequest, home: Path) -> Iterator[Workspace]:
    """The web tests' workspace, on SQLite and on PostgreSQL (a throwaway server, or ``WEIQUAN_TEST_PG_URL``):
    every API and page test runs on both, as the dashboard and timeline queries differ by dialect."""
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    w = Workspace(load_settings(home, db_url=url))
    yield w
    w.close()


@pytest.fixture
def client(ws: Workspace) -> Iterator[TestClient]:
    """Local mode (single user, no login); background extraction off so tests are deterministic."""
    app = create_app(ws, config=WebConfig(run_extraction=False))
    with TestClient(app) as c:
        c.headers["X-CSRF-Token"] = csrf_of(c.get("/").text)
        yield c


@pytest.fixture
def server(ws: Workspace) -> Server:
    """Server mode with two borrowers, an advocate and an admin."""
    for name, role in (
        ("alice", "borrower"),
        ("bob", "borrower"),
        ("carol", "advocate"),
        ("dave", "advocate"),
        ("root", "admin"),
    ):
        users.create_user(ws, name, PASSWORD, role=role)
    return Server(ws, WebConfig(server_mode=True, run_extraction=False, login_max_failures=3))
