"""Server mode: accounts, roles, per-case access, CSRF, rate limiting, audit log, cookies."""

from __future__ import annotations

from tests.web.web_builders import PASSWORD, THREAT, Server, csrf_of, post_form, sms_backup_xml
from weiquan.services import users

API = "/api/v1"


def _new_case(c, name: str = "我的案件") -> int:  # type: ignore[no-untyped-def]  # untyped pytest fixtures or test doubles
    r = c.post(f"{API}/cases", json={"name": name})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_login_required(server: Server) -> None:
    anon = server.client()
    assert anon.get(f"{API}/cases").status_code == 401
    r = anon.get("/cases/1/timeline?q=x", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/cases/1/timeline")
    assert "登录" in anon.get("/login").text


def test_wrong_password_and_rate_limit(server: Server) -> None:
    c = server.client()
    for _ in range(3):
        r = c.post(f"{API}/auth/login", json={"username": "alice", "password": "wrong password!"})
        assert r.status_code == 401
    r = c.post(f"{API}/auth/login", json={"username": "alice", "password": PASSWORD})
    assert r.status_code == 429 and "分钟" in r.json()["error"]["zh"]
    assert server.client("bob").get(f"{API}/auth/me").json()["username"] == "bob"  # other accounts unaffected
    actions = [a.action for a in users.list_audit(server.ws)]
    assert actions.count("login_failed") == 3


def test_form_login_and_logout(server: Server) -> None:
    c = server.client()
    tok = csrf_of(c.get("/login").text)
    r = c.post(
        "/login",
        data={"username": "alice", "password": PASSWORD, "next": "//evil.example/x", "csrf_token": tok},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    page = c.get("/")
    assert page.status_code == 200 and "alice" in page.text
    assert c.post("/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False).status_code == 303
    assert c.get("/", follow_redirects=False).status_code == 303
    bad = server.client()
    r = bad.post("/login", data={"username": "alice", "password": PASSWORD, "csrf_token": "forged"})
    assert r.status_code == 403


def test_secure_cookie_with_tls(ws) -> None:  # type: ignore[no-untyped-def]  # untyped pytest fixtures or test doubles
    from fastapi.testclient import TestClient

    from weiquan.web import create_app
    from weiquan.web.config import WebConfig

    users.create_user(ws, "erin", PASSWORD, role="borrower")
    c = TestClient(
        create_app(ws, config=WebConfig(server_mode=True, tls=True, run_extraction=False)),
        base_url="https://testserver",
    )
    r = c.post(f"{API}/auth/login", json={"username": "erin", "password": PASSWORD})
    assert r.status_code == 200 and "secure" in r.headers["set-cookie"].lower()
    assert "max-age=31536000" in r.headers["strict-transport-security"]


def test_borrower_cannot_see_another_case(server: Server) -> None:
    alice, bob = server.client("alice"), server.client("bob")
    cid = _new_case(alice)
    alice.post(f"{API}/cases/{cid}/import", files={"files": ("sms.xml", sms_backup_xml(6), "text/xml")})
    for path in ("", "/events", "/findings", "/plan", "/actions", "/files", "/jobs", "/dashboard", "/packages"):
        assert bob.get(f"{API}/cases/{cid}{path}").status_code == 404, path
    assert bob.get(f"{API}/cases").json() == []
    assert (
        bob.post(f"{API}/cases/{cid}/import", files={"files": ("x.xml", sms_backup_xml(2), "text/xml")}).status_code
        == 404
    )
    assert bob.patch(f"{API}/cases/{cid}", json={"name": "hacked"}).status_code == 404
    assert bob.delete(f"{API}/cases/{cid}").status_code == 404
    for page in ("", "/timeline", "/review", "/documents", "/package", "/import", "/evidence/1", "/evidence/1/raw"):
        assert bob.get(f"/cases/{cid}{page}").status_code == 404, page
    assert alice.get(f"{API}/cases/{cid}").json()["name"] == "我的案件"


def test_advocate_sees_only_shared_cases(server: Server) -> None:
    alice, bob, carol = server.client("alice"), server.client("bob"), server.client("carol")
    a1, b1 = _new_case(alice, "A"), _new_case(bob, "B")
    assert carol.get(f"{API}/cases").json() == []
    assert carol.get(f"{API}/cases/{a1}").status_code == 404
    assert bob.post(f"{API}/cases/{a1}/shares", json={"username": "carol"}).status_code == 404  # not bob's case
    assert alice.post(f"{API}/cases/{a1}/shares", json={"username": "bob"}).status_code == 400  # not an advocate
    r = alice.post(f"{API}/cases/{a1}/shares", json={"username": "carol"})
    assert r.status_code == 200 and [u["username"] for u in r.json()] == ["carol"]
    assert [c["id"] for c in carol.get(f"{API}/cases").json()] == [a1]
    assert carol.get(f"{API}/cases/{b1}").status_code == 404
    assert server.client("dave").get(f"{API}/cases").json() == []
    assert (
        carol.post(f"{API}/cases/{a1}/shares", json={"username": "dave"}).status_code == 400
    )  # advocates cannot re-share
    assert carol.delete(f"{API}/cases/{a1}").status_code == 403
    alice.delete(f"{API}/cases/{a1}/shares/carol")
    assert carol.get(f"{API}/cases/{a1}").status_code == 404


def test_share_unshare_and_delete_through_the_pages(server: Server) -> None:
    alice, carol = server.client("alice"), server.client("carol")
    a1 = _new_case(alice, "A")
    r = post_form(alice, f"/cases/{a1}/share", {"username": "carol"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/cases/{a1}#share"
    assert [c["id"] for c in carol.get(f"{API}/cases").json()] == [a1]
    assert post_form(carol, f"/cases/{a1}/delete", {}).status_code == 403  # an advocate cannot delete
    assert post_form(alice, f"/cases/{a1}/unshare", {"username": "carol"}, follow_redirects=False).status_code == 303
    assert carol.get(f"{API}/cases/{a1}").status_code == 404
    r = post_form(alice, f"/cases/{a1}/delete", {}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert alice.get(f"{API}/cases").json() == []
    audit = [(a.action, a.target) for a in users.list_audit(server.ws, case_id=a1)]
    assert {("case_share", "user:carol"), ("case_unshare", "user:carol"), ("case_delete", f"case:{a1}")} <= set(audit)


def test_admin_sees_all_and_manages_users(server: Server) -> None:
    alice, root = server.client("alice"), server.client("root")
    cid = _new_case(alice)
    assert [c["id"] for c in root.get(f"{API}/cases").json()] == [cid]
    assert alice.get(f"{API}/users").status_code == 403
    r = root.post(f"{API}/users", json={"username": "frank", "password": "another long pw", "role": "advocate"})
    assert r.status_code == 201 and r.json()["role"] == "advocate"
    assert root.post(f"{API}/users", json={"username": "x", "password": "short"}).status_code == 422
    assert "frank" in root.get("/admin/users").text
    assert alice.get("/admin/users").status_code == 403


def test_csrf_on_cookie_sessions(server: Server) -> None:
    alice = server.client("alice")
    del alice.headers["X-CSRF-Token"]
    r = alice.post(f"{API}/cases", json={"name": "x"})
    assert r.status_code == 403 and "CSRF" in r.json()["error"]["zh"]
    r = alice.post(f"{API}/cases", json={"name": "x"}, headers={"X-CSRF-Token": "wrong"})
    assert r.status_code == 403


def test_audit_log_records_access_without_bodies(server: Server) -> None:
    alice = server.client("alice")
    cid = _new_case(alice)
    alice.post(f"{API}/cases/{cid}/import", files={"files": ("sms.xml", sms_backup_xml(6), "text/xml")})
    alice.post(f"{API}/cases/{cid}/analyze")
    alice.get(f"{API}/cases/{cid}/events", params={"q": "通讯录"})
    log = users.list_audit(server.ws, case_id=cid)
    assert {"case_create", "import", "analyze", "view"} <= {a.action for a in log}
    uid = users.list_users(server.ws)[0].id
    assert all(a.user_id == uid for a in log)
    dump = " ".join(f"{a.action} {a.target}" for a in log)
    assert THREAT[:6] not in dump and "通讯录" not in dump


def test_disabled_user_loses_session(server: Server) -> None:
    alice = server.client("alice")
    assert alice.get(f"{API}/auth/me").status_code == 200
    users.set_disabled(server.ws, "alice", True)
    assert alice.get(f"{API}/auth/me").status_code == 401
