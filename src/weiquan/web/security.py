"""Session secret, CSRF tokens, cross-site request checks and login rate limiting."""

from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
from collections import deque
from pathlib import Path

from starlette.requests import Request

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SECRET_FILE = "web_secret.key"


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
    return bool(request.cookies.get("weiquan_session") or request.headers.get("origin")
                or request.headers.get("sec-fetch-site"))


class LoginLimiter:
    """Failed logins in a sliding window, per account and per client address, counted atomically.

    :meth:`attempt` counts an attempt as failed *before* the password is checked (under one lock), so
    40 parallel guesses are 40 counted attempts, not 40 checks that all passed the limit first;
    :meth:`succeeded` takes the count back. An account allows ``max_failures`` failures per window; an
    address allows ``ip_factor`` times as many, so that the users behind one NAT are not locked out
    together by one of them (or by someone guessing one account). At most ``parallel`` password checks
    (argon2id, 64 MiB each) run at once.
    """

    def __init__(self, max_failures: int = 5, window_s: float = 900.0, *, ip_factor: int = 20, parallel: int = 2) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self.ip_max = max_failures * ip_factor
        self._fails: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self.slots = threading.BoundedSemaphore(parallel)

    def _prune(self, key: str, now: float) -> deque[float]:
        q = self._fails.setdefault(key, deque())
        while q and now - q[0] > self.window_s:
            q.popleft()
        if not q:
            self._fails.pop(key, None)
            q = self._fails.setdefault(key, deque())
        return q

    @staticmethod
    def _keys(ip: str, username: str) -> tuple[str, str]:
        return f"ip:{ip}", f"user:{username.strip().lower()[:100]}"

    def attempt(self, ip: str, username: str) -> int:
        """0 and the attempt is counted as failed until :meth:`succeeded`; else seconds to wait (not counted)."""
        now = time.monotonic()
        ip_key, user_key = self._keys(ip, username)
        with self._lock:
            waits = []
            for key, limit in ((ip_key, self.ip_max), (user_key, self.max_failures)):
                q = self._prune(key, now)
                if len(q) >= limit:
                    waits.append(int(self.window_s - (now - q[len(q) - limit])) + 1)
            if waits:
                return max(waits)
            self._fails[ip_key].append(now)
            self._fails[user_key].append(now)
            return 0

    def succeeded(self, ip: str, username: str) -> None:
        """The attempt was right: the account's failures are cleared, the address's attempt taken back."""
        ip_key, user_key = self._keys(ip, username)
        with self._lock:
            self._fails.pop(user_key, None)
            q = self._fails.get(ip_key)
            if q:
                q.pop()
