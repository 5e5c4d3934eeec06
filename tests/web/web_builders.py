"""Generated test inputs for the web tests (no downloaded fixtures)."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import httpx
import pytest
from fastapi.testclient import TestClient

from weiquan.web import create_app
from weiquan.web.config import WebConfig
from weiquan.workspace import Workspace

THREAT = "再不还钱就爆你通讯录，通知你家人和单位，让你坐牢"
LAWFUL = "您好，您的账单已到期，请及时还款，如有疑问请联系客服。"

PASSWORD = "correct horse battery"

# the browser tests: Debian's headless Chromium, and where their screenshots go
CHROMIUM = os.environ.get("WEIQUAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTEFACTS_ROOT = Path(os.environ.get("WEIQUAN_ARTEFACTS", Path(__file__).resolve().parents[2] / "test-artefacts"))


def require_chromium() -> None:
    """Skip a browser test on a machine without Chromium."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not installed at {CHROMIUM} (apt-get install chromium)")


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert m, "page has no CSRF token"
    return m.group(1)


def post_form(client: TestClient, path: str, data: dict[str, str], **kw: Any) -> httpx.Response:
    """A page's form as the browser posts it: the fields and the session's CSRF token."""
    return client.post(path, data={**data, "csrf_token": client.headers["X-CSRF-Token"]}, **kw)


@dataclass
class Server:
    ws: Workspace
    config: WebConfig

    def client(self, username: str | None = None) -> TestClient:
        c = TestClient(create_app(self.ws, config=self.config))
        if username:
            r = c.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
            assert r.status_code == 200, r.text
            c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        return c


def sms_backup_xml(n: int = 30, *, start: dt.datetime | None = None, text: str = THREAT, numbers: int = 10) -> bytes:
    """A SyncTech "SMS Backup & Restore" file with ``n`` incoming messages, one an hour (UTC epoch ms)."""
    t0 = start or dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.timezone.utc)
    rows = []
    for i in range(n):
        ms = int((t0 + dt.timedelta(hours=i)).timestamp() * 1000)
        body = quoteattr(f"【示例贷】{text} {i}" if i % 3 else LAWFUL)
        rows.append(
            f'<sms protocol="0" address="+86 138 0013 {8000 + i % numbers}" date="{ms}" type="1" subject="null" '
            f'body={body} read="1" status="-1" locked="0" date_sent="0" readable_date="" contact_name="(Unknown)" />'
        )
    return (
        f"<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"{n}\">" + "".join(rows) + "</smses>"
    ).encode("utf-8")


def calls_backup_xml(n: int = 10, *, start: dt.datetime | None = None) -> bytes:
    """A SyncTech calls file: ``n`` incoming calls at night (23:xx Beijing time)."""
    t0 = start or dt.datetime(2025, 3, 1, 15, 10, tzinfo=dt.timezone.utc)
    rows = []
    for i in range(n):
        ms = int((t0 + dt.timedelta(minutes=7 * i)).timestamp() * 1000)
        rows.append(
            f'<call number="+8613900139{i % 100:03d}" duration="{20 + i}" date="{ms}" type="1" presentation="1" '
            f'readable_date="" contact_name="(Unknown)" />'
        )
    return (
        f"<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<calls count=\"{n}\">" + "".join(rows) + "</calls>"
    ).encode("utf-8")


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port in a thread (for the browser tests); yields its URL."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
