"""Benchmark: other users' response times while one user imports a 200,000-message export (server mode).

    python bench/server_load.py [--quick] [--messages N] [--users U] [--pg-url URL | --no-pg | --no-sqlite]

For SQLite and (with ``--pg-url`` or ``WEIQUAN_TEST_PG_URL``) PostgreSQL: ``weiquan serve --server`` runs
in its own process; one user uploads a SyncTech SMS export of N messages through the API while U other
users keep logging in and opening pages (case list, dashboard, timeline) and now and then add an event
to their own case (a small write). Prints the import time and the other users' latency of logins and
page views (p50/p95/max, goal p95 < 500 ms; per request kind, and the same requests in the 15 s before
the import as this machine's baseline), that of their own writes (apart), failed requests, how many answers mentioned
"database is locked", and the load average at the end (other programs on the machine count too); the
last line is one JSON object of the figures. The server is configured as ``weiquan serve --server`` runs
it (imports in worker processes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import finish  # noqa: E402 - after the sys.path line that makes the sibling helpers importable

import httpx  # noqa: E402 - after the sys.path line that makes the sibling helpers importable

PASSWORD = "bench password 19"
IDLE_S = 15.0
SERVER = textwrap.dedent(
    """
    import sys, uvicorn
    from weiquan.config import load_settings
    from weiquan.web import create_app
    from weiquan.web.config import WebConfig
    from weiquan.workspace import Workspace
    home, port, url = sys.argv[1], int(sys.argv[2]), sys.argv[3] or None
    ws = Workspace(load_settings(home, db_url=url))
    app = create_app(ws, config=WebConfig(server_mode=True, import_processes=True, run_extraction=False,
                                             login_max_failures=1000))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    """
)


def sms_export(path: Path, n: int) -> Path:
    """A SyncTech SMS backup of ``n`` messages from 200 numbers over a year (streamed to disk)."""
    t0 = int(dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc).timestamp() * 1000)
    bodies = [
        "今天不还款就联系你的家人和单位",
        "您好，您的账单已到期，请及时还款。",
        "再不还钱就爆你通讯录，让你社死",
        "【示例贷】尊敬的用户，您的借款已逾期3天",
    ]
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"{n}\">\n")
        for i in range(n):
            f.write(
                f'<sms protocol="0" address="+86 154 0000 {i % 200:04d}" date="{t0 + i * 150_000}" type="1" '
                f'subject="null" body="{bodies[i % 4]} {i}" read="1" status="-1" locked="0" date_sent="0" '
                'readable_date="" contact_name="(Unknown)" />\n'
            )
        f.write("</smses>\n")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_database(admin_url: str) -> tuple[str, str]:
    """A fresh database on the server of ``admin_url``: (its URL, its name)."""
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"weiquan_bench_{secrets.token_hex(4)}"
    u = make_url(admin_url)
    with psycopg.connect(u.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    return u.set(database=name).render_as_string(hide_password=False), name


def _drop_pg(admin_url: str, name: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(admin_url)
    with psycopg.connect(u.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _login(c: httpx.Client, name: str) -> None:
    r = c.post("/api/v1/auth/login", json={"username": name, "password": PASSWORD})
    r.raise_for_status()
    c.headers["X-CSRF-Token"] = r.json()["csrf_token"]


def run_backend(label: str, export: Path, users: int, db_url: str | None) -> dict[str, Any]:
    from weiquan.config import load_settings
    from weiquan.services import users as accounts
    from weiquan.workspace import Workspace

    home = Path(tempfile.mkdtemp(prefix=f"weiquan-load-{label}-"))
    with Workspace(load_settings(home, db_url=db_url)) as ws:
        for i in range(users + 1):
            accounts.create_user(ws, f"user{i}", PASSWORD, role="borrower")
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(home), str(port), db_url or ""])
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(base + "/login", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        clients = []
        for i in range(users + 1):
            c = httpx.Client(base_url=base, timeout=120)
            _login(c, f"user{i}")
            cid = c.post("/api/v1/cases", json={"name": f"案件{i}"}).json()["id"]
            clients.append((c, cid))
        # each other user has a small case of their own to look at
        small = sms_export(home / "small.xml", 300)
        for c, cid in clients[1:]:
            with open(small, "rb") as f:
                c.post(f"/api/v1/cases/{cid}/import", files={"files": ("small.xml", f, "text/xml")}).raise_for_status()

        latencies: list[float] = []
        kinds: list[str] = []
        failures = 0
        locked = 0
        done = threading.Event()
        lock = threading.Lock()

        write_failures = 0

        def browse(n: int, c: httpx.Client, cid: int) -> None:
            nonlocal failures, locked, write_failures
            urls = [
                "/api/v1/cases",
                "/",
                f"/cases/{cid}",
                f"/cases/{cid}/timeline",
                f"/api/v1/cases/{cid}/events?page_size=50",
            ]
            k = 0
            while not done.is_set():
                k += 1
                t = time.perf_counter()
                try:
                    page = urls[(k - k // 5) % len(urls)]  # every page in turn (k counts logins and writes too)
                    kind = (
                        "login"
                        if k % 10 == 0
                        else "own write"
                        if k % 10 == 5
                        else page.replace(str(cid), "{id}").split("?")[0]
                    )
                    if k % 10 == 0:  # a fresh login now and then (argon2id, audit entry)
                        fresh = httpx.Client(base_url=base, timeout=120)
                        r = fresh.post("/api/v1/auth/login", json={"username": f"user{n}", "password": PASSWORD})
                        fresh.close()
                    elif k % 10 == 5:  # the user's own small write: one event added by hand to their case
                        r = c.post(
                            f"/api/v1/cases/{cid}/events",
                            json={
                                "channel": "sms",
                                "time": f"2025-06-01 10:{k % 60:02d}",
                                "number": "13800138000",
                                "text": f"手动记录 {n}-{k}",
                            },
                        )
                    else:
                        r = c.get(page)
                    ok = r.status_code < 400
                    is_locked = "database is locked" in r.text
                except httpx.HTTPError:
                    ok, is_locked = False, False
                ms = (time.perf_counter() - t) * 1000
                with lock:
                    latencies.append(ms)
                    kinds.append(kind)
                    if kind == "own write":
                        write_failures += not ok
                    else:
                        failures += not ok
                    locked += is_locked
                time.sleep(0.05)

        threads = [threading.Thread(target=browse, args=(i + 1, c, cid)) for i, (c, cid) in enumerate(clients[1:])]
        for t in threads:
            t.start()
        time.sleep(IDLE_S)  # the same requests before the import: this machine's baseline under its current load
        idle = sorted(latencies)
        idle_kinds = list(kinds)
        uploader, up_case = clients[0]
        t0 = time.perf_counter()
        with open(export, "rb") as f:
            r = uploader.post(
                f"/api/v1/cases/{up_case}/import", files={"files": ("sms.xml", f, "text/xml")}, timeout=3600
            )
        import_s = time.perf_counter() - t0
        done.set()
        for t in threads:
            t.join()
        added = sum(x.get("added", 0) for x in r.json()) if r.status_code == 200 else 0
        n_idle = len(idle)
        idle_by_kind: dict[str, list[float]] = {}
        for kind, ms in zip(idle_kinds, latencies[:n_idle]):
            idle_by_kind.setdefault(kind, []).append(ms)
        # logins and page views (the goal); the users' own writes are reported apart
        busy = sorted(ms for kind, ms in zip(kinds[n_idle:], latencies[n_idle:]) if kind != "own write")
        writes = sorted(ms for kind, ms in zip(kinds[n_idle:], latencies[n_idle:]) if kind == "own write")
        idle = sorted(ms for kind, ms in zip(idle_kinds, latencies[:n_idle]) if kind != "own write")
        by_kind: dict[str, list[float]] = {}
        for kind, ms in zip(kinds[n_idle:], latencies[n_idle:]):
            by_kind.setdefault(kind, []).append(ms)
        for c, _ in clients:
            c.close()
    finally:
        server.terminate()
        server.wait(timeout=30)

    def pct(xs: list[float], p: float) -> float:
        return round(xs[min(len(xs) - 1, int(p * len(xs)))], 1) if xs else 0.0

    return {
        "backend": label,
        "import_status": r.status_code,
        "import_seconds": round(import_s, 1),
        "added": added,
        "requests": len(busy),
        "p50_ms": pct(busy, 0.50),
        "p95_ms": pct(busy, 0.95),
        "max_ms": round(max(busy, default=0), 1),
        "idle_p95_ms": pct(idle, 0.95),
        "failed": failures,
        "database_locked": locked,
        "mean_ms": round(statistics.fmean(busy), 1) if busy else 0.0,
        "p95_by_request": {k: pct(sorted(v), 0.95) for k, v in sorted(by_kind.items())},
        "idle_p95_by_request": {k: pct(sorted(v), 0.95) for k, v in sorted(idle_by_kind.items())},
        "own_writes": len(writes),
        "own_write_p95_ms": pct(writes, 0.95),
        "own_write_max_ms": round(max(writes, default=0), 1),
        "own_write_failed": write_failures,
        "load_average": [round(x, 1) for x in os.getloadavg()],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="20,000 messages")
    ap.add_argument("--messages", type=int, default=200_000)
    ap.add_argument("--users", type=int, default=4)
    ap.add_argument("--pg-url", default=os.environ.get("WEIQUAN_TEST_PG_URL"))
    ap.add_argument("--no-pg", action="store_true", help="SQLite only")
    ap.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    args = ap.parse_args()
    n = 20_000 if args.quick else args.messages
    out: dict[str, Any] = {"messages": n, "users": args.users}
    with tempfile.TemporaryDirectory(prefix="weiquan-load-") as tmp:
        export = sms_export(Path(tmp) / "sms.xml", n)
        if not args.no_sqlite:
            res = run_backend("sqlite", export, args.users, None)
            print(res)
            out["sqlite"] = res
        if args.pg_url and not args.no_pg:
            url, name = _pg_database(args.pg_url)
            try:
                res = run_backend("postgresql", export, args.users, url)
            finally:
                _drop_pg(args.pg_url, name)
            print(res)
            out["postgresql"] = res
    for k in ("sqlite", "postgresql"):
        if k in out:
            r = out[k]
            print(
                f"{k}: import of {n} messages {r['import_seconds']} s (added {r['added']}); other users "
                f"p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms (goal < 500), max {r['max_ms']} ms over {r['requests']} "
                f"requests; failed {r['failed']}, 'database is locked' {r['database_locked']}; the users' own small "
                f"writes meanwhile: p95 {r['own_write_p95_ms']} ms, max {r['own_write_max_ms']} ms over "
                f"{r['own_writes']}, failed {r['own_write_failed']}"
            )
    finish(out)


if __name__ == "__main__":
    main()
