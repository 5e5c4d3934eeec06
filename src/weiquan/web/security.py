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
    """Sliding-window count of failed logins per client address and per username."""

    def __init__(self, max_failures: int = 5, window_s: float = 900.0) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._fails: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _prune(self, key: str, now: float) -> deque[float]:
        q = self._fails.setdefault(key, deque())
        while q and now - q[0] > self.window_s:
            q.popleft()
        return q

    def retry_after(self, ip: str, username: str) -> int:
        """Seconds until another attempt is allowed (0: allowed now)."""
        now = time.monotonic()
        with self._lock:
            waits = []
            for key in (f"ip:{ip}", f"user:{username.strip().lower()}"):
                q = self._prune(key, now)
                if len(q) >= self.max_failures:
                    waits.append(int(self.window_s - (now - q[0])) + 1)
            return max(waits, default=0)

    def failed(self, ip: str, username: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in (f"ip:{ip}", f"user:{username.strip().lower()}"):
                self._prune(key, now).append(now)

    def succeeded(self, ip: str, username: str) -> None:
        with self._lock:
            self._fails.pop(f"user:{username.strip().lower()}", None)
