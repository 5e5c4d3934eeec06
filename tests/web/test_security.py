"""Unit checks: bind rules, file-name safety, login limiter, vendored htmx, headers, hosts, cross-site requests."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fixtures.cli import wq
from weiquan.errors import InputError
from weiquan.services.imports import safe_leaf_name
from weiquan.web.config import check_bind, is_loopback
from weiquan.web.security import LoginLimiter

STATIC = Path(__file__).resolve().parents[2] / "src" / "weiquan" / "web" / "static"
HTMX_VERSION = "2.0.11"
HTMX_SHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"


def test_vendored_htmx() -> None:
    """htmx.org 2.0.11 (npm pack htmx.org@2, dist/htmx.min.js), licence 0BSD, served from the package."""
    data = (STATIC / "htmx.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == HTMX_SHA256
    assert f'version:"{HTMX_VERSION}"' in data.decode() or HTMX_VERSION in data.decode()
    assert "Zero-Clause BSD" in (STATIC / "htmx.LICENSE.txt").read_text()


def test_pages_use_no_external_assets() -> None:
    for p in (STATIC.parent / "templates").glob("*.html"):
        text = p.read_text("utf-8")
        assert "http://" not in text and "https://" not in text, p.name


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.5"])
def test_loopback_always_allowed(host: str) -> None:
    assert is_loopback(host)
    check_bind(host, server_mode=False, tls=False, behind_proxy=False)


def test_bind_rules() -> None:
    with pytest.raises(InputError, match="--server"):
        check_bind("0.0.0.0", server_mode=False, tls=False, behind_proxy=False)
    with pytest.raises(InputError, match="TLS"):
        check_bind("192.168.1.10", server_mode=True, tls=False, behind_proxy=False)
    check_bind("0.0.0.0", server_mode=True, tls=True, behind_proxy=False)
    check_bind("0.0.0.0", server_mode=True, tls=False, behind_proxy=True)


def test_serve_refuses_unsafe_bind(tmp_path: Path) -> None:
    r = wq(tmp_path, "serve", "--host", "0.0.0.0", "--server")
    assert r.exit_code == 2 and "--behind-proxy" in r.output
    r = wq(tmp_path, "serve", "--server")
    assert r.exit_code == 2 and "weiquan user add" in r.output


def test_user_commands(tmp_path: Path) -> None:
    r = wq(tmp_path, "user", "add", "admin1", "--role", "admin", "--password", "a long password")
    assert r.exit_code == 0, r.output
    r = wq(tmp_path, "user", "list", "--json")
    assert '"admin1"' in r.output and "password" not in r.output
    assert wq(tmp_path, "user", "add", "x", "--password", "short").exit_code == 2


@given(st.text(max_size=300))
def test_safe_leaf_name_is_never_a_path(name: str) -> None:
    leaf = safe_leaf_name(name)
    assert leaf and "/" not in leaf and "\\" not in leaf and "\x00" not in leaf
    assert not leaf.startswith(".") and len(leaf.encode("utf-8")) <= 200


def test_safe_leaf_name_examples() -> None:
    assert safe_leaf_name("../../etc/passwd") == "passwd"
    assert safe_leaf_name("C:\\Users\\me\\通话录音 138 0013 8000_20250301.m4a") == "通话录音 138 0013 8000_20250301.m4a"
    assert safe_leaf_name("..") == "upload"
    assert safe_leaf_name(".bashrc") == "bashrc"


def test_login_limiter(tmp_path: Path) -> None:
    lim = LoginLimiter(tmp_path / "failures.sqlite", max_failures=2, window_s=60, ip_factor=3, secret="s")
    assert lim.attempt("1.1.1.1", "a") == 0
    assert lim.attempt("1.1.1.1", "a") == 0
    assert lim.attempt("1.1.1.1", "a") > 0  # counted before any check
    assert lim.attempt("2.2.2.2", "A ") > 0  # per account, case-insensitive
    assert lim.attempt("1.1.1.1", "b") == 0  # the address allows more (a NAT's other users)
    assert lim.attempt("3.3.3.3", "c") == 0
    lim.succeeded("3.3.3.3", "c")
    for _ in range(3):
        lim.attempt("1.1.1.1", f"x{_}")
    assert lim.attempt("1.1.1.1", "d") > 0  # the address's own limit (2 x 3)


def test_headers_hosts_and_cross_site(client) -> None:  # type: ignore[no-untyped-def]  # untyped pytest fixtures or test doubles
    r = client.get("/")
    assert "default-src 'self'" in r.headers["content-security-policy"] and r.headers["x-frame-options"] == "SAMEORIGIN"
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400  # DNS-rebinding guard
    r = client.post("/api/v1/cases", json={"name": "x"}, headers={"origin": "https://evil.example", "X-CSRF-Token": ""})
    assert r.status_code == 403
    r = client.post("/api/v1/cases", json={"name": "x"}, headers={"sec-fetch-site": "cross-site"})
    assert r.status_code == 403
    assert client.post("/api/v1/cases", json={"name": "x"}).status_code == 201


def _guess(path: str, barrier: Any, ip: str) -> int:
    lim = LoginLimiter(Path(path), max_failures=3, window_s=600, ip_factor=20, secret="s")
    barrier.wait()
    return lim.attempt(ip, "alice")


def test_login_limiter_counts_across_processes(tmp_path: Path) -> None:
    """Several server processes of one data home share the count: 6 parallel guesses from 6 processes at one
    account get 3 checks in all (it was per process: each process allowed 3); the file keeps no typed name."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    path = tmp_path / "failures.sqlite"
    LoginLimiter(path, secret="s")  # created once, as the app does
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager, ProcessPoolExecutor(6, mp_context=ctx) as pool:
        barrier = manager.Barrier(6)
        waits = list(pool.map(_guess, [str(path)] * 6, [barrier] * 6, [f"10.0.0.{i}" for i in range(6)]))
    assert waits.count(0) == 3 and all(w > 0 for w in waits if w), waits
    # another account from an address that guessed still gets in
    lim = LoginLimiter(path, max_failures=3, window_s=600, ip_factor=2, secret="s")
    assert lim.attempt("10.0.0.1", "bob") == 0
    assert b"alice" not in path.read_bytes() and b"10.0.0" not in path.read_bytes()
