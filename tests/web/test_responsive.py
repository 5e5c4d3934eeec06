"""Issue 19 item 4: a shared server stays responsive while one user's import runs (bench/server_load.py measures it)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from tests.web.web_builders import PASSWORD, Server, sms_backup_xml
from weiquan.services import imports, users
from weiquan.web import create_app

API = "/api/v1"


def test_an_import_runs_off_the_event_loop(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    real = imports.import_upload
    started = threading.Event()

    def slow_import(*a: Any, **k: Any) -> Any:
        started.set()
        time.sleep(3)
        return real(*a, **k)

    monkeypatch.setattr(imports, "import_upload", slow_import)
    from fastapi.testclient import TestClient

    with TestClient(create_app(server.ws, config=server.config)) as c:  # one event loop for every request
        r = c.post(f"{API}/auth/login", json={"username": "alice", "password": PASSWORD})
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        cid = c.post(f"{API}/cases", json={"name": "大文件"}).json()["id"]
        t = threading.Thread(
            target=lambda: c.post(
                f"{API}/cases/{cid}/import", files={"files": ("sms.xml", sms_backup_xml(3), "text/xml")}
            )
        )
        t.start()
        assert started.wait(10)
        t0 = time.perf_counter()
        assert c.get("/login").status_code in (200, 303) and c.get(f"{API}/cases").status_code == 200
        assert time.perf_counter() - t0 < 1.5  # not queued behind the 3 s import
        t.join()


@pytest.mark.parametrize("ws", ["sqlite"], indirect=True)
def test_logins_and_pages_do_not_wait_for_the_write_lock(server: Server) -> None:
    """An import holds SQLite's only write lock; the audit entries of logins and page views are written after it."""
    app = create_app(server.ws, config=server.config)
    from fastapi.testclient import TestClient

    bob = TestClient(app)
    raw = server.ws.db.engine.raw_connection()
    try:
        raw.execute("BEGIN IMMEDIATE")  # what a long import holds
        t0 = time.perf_counter()
        r = bob.post(f"{API}/auth/login", json={"username": "bob", "password": PASSWORD})
        assert r.status_code == 200
        bob.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        assert bob.get(f"{API}/cases").status_code == 200
        assert bob.get("/").status_code == 200
        assert time.perf_counter() - t0 < 3
    finally:
        raw.rollback()
        raw.close()
    log = users.list_audit(server.ws)  # written once the lock is free, none lost
    assert any(a.action == "login" and a.target == "user:bob" for a in log)


@pytest.mark.parametrize("ws", ["sqlite"], indirect=True)
def test_a_write_that_times_out_on_the_lock_says_to_retry(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient
    from sqlalchemy.exc import OperationalError

    from weiquan.services import cases

    def busy(*a: Any, **k: Any) -> Any:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(cases, "create_case", busy)
    c = TestClient(create_app(server.ws, config=server.config), raise_server_exceptions=False)
    r = c.post(f"{API}/auth/login", json={"username": "bob", "password": PASSWORD})
    c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    r = c.post(f"{API}/cases", json={"name": "忙"})
    assert r.status_code == 503 and "稍后重试" in r.json()["error"]["zh"] and r.headers["retry-after"] == "10"


def _worker_facts() -> tuple[int, int]:
    import os

    return os.getpid(), os.nice(0)


def test_serve_server_imports_in_a_lower_priority_worker_process(server: Server) -> None:
    """`serve --server` imports uploads in worker processes (never the GIL of the request threads), niced below
    the server; the import is the same: one transaction per file, a second upload of the file adds nothing."""
    import dataclasses
    import os

    from fastapi.testclient import TestClient

    config = dataclasses.replace(server.config, import_processes=True)
    app = create_app(server.ws, config=config)
    with TestClient(app) as c:
        workers = app.state.import_workers
        assert workers is not None
        pid, nice = workers._executor().submit(_worker_facts).result(timeout=60)
        assert pid != os.getpid() and nice >= os.nice(0) + 1
        r = c.post(f"{API}/auth/login", json={"username": "alice", "password": PASSWORD})
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        cid = c.post(f"{API}/cases", json={"name": "进程导入"}).json()["id"]
        body = sms_backup_xml(40)
        first = c.post(f"{API}/cases/{cid}/import", files={"files": ("sms.xml", body, "text/xml")}).json()
        again = c.post(f"{API}/cases/{cid}/import", files={"files": ("sms.xml", body, "text/xml")}).json()
        assert [(x["status"], x["added"], x["path"]) for x in first] == [("parsed", 40, "sms.xml")]
        assert [(x["status"], x["added"]) for x in again] == [("already_imported", 0)]
        assert len(c.get(f"{API}/cases/{cid}/events?page_size=100").json()["items"]) == 40
    assert app.state.import_workers._pool is None  # closed with the app


def test_serve_server_turns_worker_processes_on(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    from typer.testing import CliRunner

    from weiquan.cli import app as cli
    from weiquan.web.config import WebConfig

    seen: list[WebConfig] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **k: seen.append(app.state.config))
    home = str(tmp_path / "home")
    assert (
        CliRunner()
        .invoke(cli, ["--home", home, "user", "add", "root", "--role", "admin", "--password", "pw 123456789"])
        .exit_code
        == 0
    )
    assert CliRunner().invoke(cli, ["--home", home, "serve", "--server", "--port", "18765"]).exit_code == 0
    assert CliRunner().invoke(cli, ["--home", home, "serve", "--port", "18766"]).exit_code == 0
    assert [c.import_processes for c in seen] == [True, False]


def _die() -> None:
    import os

    os._exit(9)


def test_a_dead_import_worker_answers_not_imported_and_the_next_upload_works(server: Server, tmp_path: Any) -> None:
    from weiquan.services import cases
    from weiquan.web.import_workers import ImportWorkers

    workers = ImportWorkers(server.ws.settings, 1)
    try:
        cid = cases.create_case(server.ws, "进程").id
        f = tmp_path / "sms.xml"
        f.write_bytes(sms_backup_xml(5))
        workers._executor().submit(_die)  # the worker is killed (as by the OOM killer)
        time.sleep(1)
        [dead] = workers.run(cid, f, None)
        assert dead.status == "unparsed" and "重新上传" in (dead.error or "")
        [ok] = workers.run(cid, f, None)
        assert (ok.status, ok.added) == ("parsed", 5)
    finally:
        workers.close()
