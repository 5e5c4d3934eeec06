"""Session secret, CSRF tokens, cross-site request checks and login rate limiting."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from starlette.requests import Request

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SECRET_FILE = "web_secret.key"
LOGIN_FAILURES_FILE = Path("tmp") / "login-failures.sqlite"  # under the data home (LoginLimiter)


def load_or_create_secret(home: Path) -> str:
    """The session-signing key, created once per data home with owner-only permissions."""
    path = home / SECRET_FILE
    try:
        return path.read_text("ascii").strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race
        return path.read_text("ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key)
    return key


def csrf_token(request: Request) -> str:
    """The CSRF token of this session (created on first use)."""
    tok = request.session.get("csrf")
    if not tok:
        tok = secrets.token_urlsafe(32)
        request.session["csrf"] = tok
    return str(tok)


def rotate_session(request: Request) -> None:
    """New session contents (on login/logout): drops everything, issues a new CSRF token."""
    request.session.clear()
    request.session["csrf"] = secrets.token_urlsafe(32)


def token_matches(request: Request, supplied: str | None) -> bool:
    expected = request.session.get("csrf")
    return bool(expected and supplied and hmac.compare_digest(str(expected), str(supplied)))


def is_cross_site(request: Request) -> bool:
    """True when a browser tells us the request comes from another site.

    ``Sec-Fetch-Site`` decides when present (all current browsers send it); otherwise the
    ``Origin`` header must name this host. ``Origin: null`` without Sec-Fetch-Site is refused.
    """
    site = request.headers.get("sec-fetch-site")
    if site:
        return site not in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None:
        return False
    if origin == "null":
        return True
    return origin.split("://", 1)[-1].rstrip("/") != request.headers.get("host", "")


def is_browser_request(request: Request) -> bool:
    """A request that carries browser-only signals (a session cookie, Origin, Sec-Fetch-*)."""
    return bool(
        request.cookies.get("weiquan_session") or request.headers.get("origin") or request.headers.get("sec-fetch-site")
    )


class LoginLimiter:
    """Failed logins in a sliding window, per account and per client address, counted atomically across
    every server process of the data home.

    :meth:`attempt` counts an attempt as failed *before* the password is checked (in one write transaction),
    so 40 parallel guesses are 40 counted attempts, not 40 checks that all passed the limit first, whichever
    process each one reached; :meth:`succeeded` takes the count back. An account allows ``max_failures``
    failures per window; an address allows ``ip_factor`` times as many, so that the users behind one NAT are
    not locked out together by one of them (or by someone guessing one account). At most ``parallel``
    password checks (argon2id, 64 MiB each) run at once in a process.

    The counts live in a small SQLite file of their own in the data home (``path``), not in the main store:
    its transactions take microseconds, so a login never waits for the write lock a long import holds on
    SQLite, and every process serving the home (or several ``serve`` processes behind one proxy) shares
    them. Keys are keyed hashes (``secret``): what was typed as a username and the addresses are not stored.
    """

    def __init__(
        self,
        path: Path,
        max_failures: int = 5,
        window_s: float = 900.0,
        *,
        secret: str,
        ip_factor: int = 20,
        parallel: int = 2,
    ) -> None:
        self.path = path
        self.max_failures = max_failures
        self.window_s = window_s
        self.ip_max = max_failures * ip_factor
        self._secret = secret.encode("utf-8")
        self.slots = threading.BoundedSemaphore(parallel)
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as con:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("CREATE TABLE IF NOT EXISTS login_failures (key TEXT NOT NULL, at REAL NOT NULL)")
            con.execute("CREATE INDEX IF NOT EXISTS login_failures_key_at ON login_failures (key, at)")

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)  # transactions are explicit below
        con.execute("PRAGMA busy_timeout=30000")
        return con

    def _keys(self, ip: str, username: str) -> tuple[str, str]:
        def h(v: str) -> str:
            return hmac.new(self._secret, v.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()

        return h(f"ip:{ip}"), h(f"user:{username.strip().lower()[:100]}")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with closing(self._connect()) as con:
            con.execute("BEGIN IMMEDIATE")  # one writer at a time, across processes
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    def attempt(self, ip: str, username: str) -> int:
        """0 and the attempt is counted as failed until :meth:`succeeded`; else seconds to wait (not counted)."""
        now = time.time()  # wall clock: shared by every process
        ip_key, user_key = self._keys(ip, username)
        with self._transaction() as con:
            con.execute("DELETE FROM login_failures WHERE at <= ?", (now - self.window_s,))
            waits = []
            for key, limit in ((ip_key, self.ip_max), (user_key, self.max_failures)):
                # the limit-th most recent failure: while it is in the window, the key is at its limit
                row = con.execute(
                    "SELECT at FROM login_failures WHERE key = ? ORDER BY at DESC LIMIT 1 OFFSET ?", (key, limit - 1)
                ).fetchone()
                if row is not None:
                    waits.append(max(1, int(self.window_s - (now - row[0])) + 1))
            if waits:
                return max(waits)
            con.executemany("INSERT INTO login_failures (key, at) VALUES (?, ?)", [(ip_key, now), (user_key, now)])
            return 0

    def succeeded(self, ip: str, username: str) -> None:
        """The attempt was right: the account's failures are cleared, the address's attempt taken back."""
        ip_key, user_key = self._keys(ip, username)
        with self._transaction() as con:
            con.execute("DELETE FROM login_failures WHERE key = ?", (user_key,))
            con.execute(
                "DELETE FROM login_failures WHERE rowid = (SELECT rowid FROM login_failures WHERE key = ? "
                "ORDER BY at DESC LIMIT 1)",
                (ip_key,),
            )
