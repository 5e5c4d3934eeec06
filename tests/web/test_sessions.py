"""Issue 19 item 6: sessions that end, atomic login throttling, trusted proxies, no typed secrets in the audit log."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from tests.web.web_builders import PASSWORD, Server
from weiquan.services import users
from weiquan.web import create_app
from weiquan.web.config import WebConfig

API = "/api/v1"


def _login(c: TestClient, name: str, password: str = PASSWORD) -> int:
    r = c.post(f"{API}/auth/login", json={"username": name, "password": password})
    if r.status_code == 200:
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return r.status_code


def test_logout_ends_every_session_and_a_replayed_cookie(server: Server) -> None:
    laptop, phone = server.client("alice"), server.client("alice")
    stolen = dict(laptop.cookies)
    assert laptop.get(f"{API}/cases").status_code == 200 and phone.get(f"{API}/cases").status_code == 200
    assert laptop.post(f"{API}/auth/logout").status_code == 200
    assert phone.get(f"{API}/cases").status_code == 401  # the other device too
    replay = server.client()
    replay.cookies.update(stolen)
    assert replay.get(f"{API}/cases").status_code == 401
    assert server.client("bob").get(f"{API}/cases").status_code == 200  # other accounts unaffected
    assert _login(phone, "alice") == 200 and phone.get(f"{API}/cases").status_code == 200


def test_password_change_ends_sessions(server: Server) -> None:
    c = server.client("alice")
    users.set_password(server.ws, "alice", "another good passphrase")
    assert c.get(f"{API}/cases").status_code == 401
    assert _login(server.client(), "alice", "another good passphrase") == 200


def test_disable_ends_sessions_and_enable_does_not_revive_them(server: Server) -> None:
    c = server.client("alice")
    users.set_disabled(server.ws, "alice", True)
    assert c.get(f"{API}/cases").status_code == 401
    users.set_disabled(server.ws, "alice", False)
    assert c.get(f"{API}/cases").status_code == 401
    assert _login(server.client(), "alice") == 200


def test_parallel_wrong_passwords_are_counted_before_they_are_checked(server: Server, monkeypatch: Any) -> None:
    checks = 0
    lock = threading.Lock()
    real = users.authenticate

    def counting(*a: Any, **k: Any) -> Any:
        nonlocal checks
        with lock:
            checks += 1
        return real(*a, **k)

    monkeypatch.setattr(users, "authenticate", counting)
    app = create_app(server.ws, config=server.config)  # one app: one limiter
    clients = [TestClient(app) for _ in range(40)]
    codes: list[int] = []
    start = threading.Barrier(len(clients))

    def guess(c: TestClient) -> None:
        start.wait()
        codes.append(_login(c, "alice", "wrong password guess"))

    threads = [threading.Thread(target=guess, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    limit = server.config.login_max_failures
    assert checks == limit and codes.count(401) == limit and codes.count(429) == 40 - limit, (checks, sorted(codes))


def test_one_account_guessed_does_not_lock_out_its_neighbours(server: Server) -> None:
    """Every test client shares one address, as users behind one NAT do."""
    app = create_app(server.ws, config=server.config)
    attacker = TestClient(app)
    for _ in range(server.config.login_max_failures + 2):
        assert _login(attacker, "bob", "wrong password guess") in (401, 429)
    assert _login(TestClient(app), "bob") == 429  # the guessed account waits
    assert _login(TestClient(app), "alice") == 200  # its neighbours do not


def test_audit_log_never_keeps_a_typed_unknown_username(server: Server) -> None:
    c = server.client()
    _login(c, "my-secret-password-typed-here", "x" * 12)
    _login(c, "alice", "wrong password guess")
    log = users.list_audit(server.ws)
    text = " ".join(f"{a.target} {a.action}" for a in log)
    assert "my-secret-password" not in text
    failed = [a for a in log if a.action == "login_failed"]
    assert {a.target for a in failed} == {"user:(未知账号)", "user:alice"}


@pytest.mark.parametrize(("peer", "believed"), [("127.0.0.1", True), ("10.9.9.9", False)])
def test_forwarded_for_only_from_configured_proxies(peer: str, believed: bool) -> None:
    opts = WebConfig(server_mode=True, behind_proxy=True).proxy_options()
    assert opts == {"proxy_headers": True, "forwarded_allow_ips": "127.0.0.1,::1"}
    assert WebConfig().proxy_options()["proxy_headers"] is False
    seen: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["client"])

    mw = ProxyHeadersMiddleware(app, trusted_hosts=opts["forwarded_allow_ips"])  # what `weiquan serve` passes
    scope = {
        "type": "http",
        "client": (peer, 5000),
        "scheme": "http",
        "headers": [(b"x-forwarded-for", b"203.0.113.7")],
    }
    import asyncio

    asyncio.run(mw(scope, None, None))
    assert seen[0][0] == ("203.0.113.7" if believed else peer)
