"""Benchmark: import a large SyncTech sms.xml (issue 3).

Generates sms.xml files with realistic Chinese collection bodies (100,000 and 400,000 messages;
``--quick``: 10,000 and 40,000), imports each into a fresh SQLite workspace in a child process,
and prints messages/s, peak RSS and the ratio to a bare ``lxml.etree.iterparse`` pass over the
same file in the same process. Goals: >= 20,000 msg/s, <= 3x bare parse, flat peak RSS.
It also times SQLite alone storing the imported rows again into a fresh copy of the schema
(``INSERT … SELECT``, with and without its indexes): a floor under the import that no parser, in
Python or compiled, can remove; and the same rows handed to SQLite through Python's ``sqlite3``
driver, already built, with nothing parsed: the least any importer written in Python pays.
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

TEMPLATES = [
    "【示例速贷】尊敬的客户，您的借款{amt}元已逾期{d}天，请尽快还款，以免影响您的信用记录。",
    "【示例花】您本期账单{amt}元今日到期，请按时还款，如已还款请忽略。",
    "你欠的{amt}元再不还，我们就把你的事发给你通讯录里所有人，让你亲戚朋友都知道。",
    "老赖，借钱不还不要脸，今天下午{h}点前不处理，明天就去你单位找你领导。",
    "【法务中心】您已被立案，律师函将于{d}日内寄出，请立即联系处理。",
    "您好，我是示例速贷的客服，您的账单逾期{d}天，方便今天处理一下吗？",
    "验证码{code}，您正在登录示例银行App，5分钟内有效，请勿泄露。",
    "晚上好，明天一起吃饭吗？我{h}点下班。",
]


def generate(path: Path, n: int, seed: int = 7) -> None:
    from weiquan.testing.phone_exports import SHANGHAI, Msg, synctech_sms_xml

    rnd = random.Random(seed)
    numbers = [f"154{rnd.randrange(10**8):08d}" for _ in range(400)] + [f"1069000012{i:04d}" for i in range(50)]
    start = dt.datetime(2023, 1, 1, tzinfo=SHANGHAI)

    def msgs():  # type: ignore[no-untyped-def]  # a local generator
        t = start
        for _ in range(n):
            t += dt.timedelta(seconds=rnd.randrange(1, 600))
            body = rnd.choice(TEMPLATES).format(
                amt=rnd.randrange(500, 20000),
                d=rnd.randrange(1, 90),
                h=rnd.randrange(9, 20),
                code=rnd.randrange(100000, 999999),
            )
            yield Msg(rnd.choice(numbers), t, body, incoming=rnd.random() < 0.9)

    synctech_sms_xml(path, msgs(), count=n)


def bare_parse(path: Path) -> tuple[float, int]:
    from lxml import etree

    t0 = time.perf_counter()
    n = 0
    for _ev, el in etree.iterparse(str(path), events=("end",), tag="sms", resolve_entities=False, no_network=True):
        n += 1
        el.clear(keep_tail=False)
        parent = el.getparent()
        while el.getprevious() is not None:
            del parent[0]
    return time.perf_counter() - t0, n


def sqlite_floor(db: Path, *, indexes: bool = True, cache_kib: int = 8 * 1024, bound: bool = False) -> float:
    """Seconds SQLite needs to store the imported rows again in a fresh copy of the schema, plus the
    commit, on one thread with nothing else running and the writer's 8 MB page cache.

    - ``bound=False``: ``INSERT … SELECT`` from the imported database (attached, only read), so no
      Python touches a row and no value is bound. No parser, in Python or compiled, can go under this.
    - ``bound=True``: the rows are first read into Python lists (untimed), then handed to SQLite
      through Python's ``sqlite3`` driver the cheapest way it offers: multi-row ``INSERT … VALUES``
      at the bound-variable limit, with the columns that are the same in every row bound once per
      statement. This is the least any importer written in Python pays just to write the rows,
      before it has parsed or normalised anything."""
    import sqlite3

    src = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    schema = [
        sql
        for (sql,) in src.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
            "AND tbl_name IN ('cases', 'evidence', 'events', 'event_sources') ORDER BY type DESC"
        )
    ]
    src.close()
    with tempfile.TemporaryDirectory() as tmp:
        dst = sqlite3.connect(Path(tmp) / "floor.db", isolation_level=None)
        dst.execute("PRAGMA journal_mode=WAL")
        dst.execute("PRAGMA synchronous=NORMAL")
        for sql in schema:
            if indexes or not sql.startswith("CREATE INDEX"):
                dst.execute(sql)
        dst.execute("ATTACH DATABASE ? AS src", (str(db),))  # only read from
        dst.execute("INSERT INTO cases SELECT * FROM src.cases")  # parents, untimed
        dst.execute("INSERT INTO evidence SELECT * FROM src.evidence")
        statements = []
        if bound:  # untimed: the rows and the statements' parameter lists, ready to bind
            limit = dst.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
            for table in ("events", "event_sources"):
                cur = dst.execute(f"SELECT * FROM src.{table} ORDER BY id")
                cols = [d[0] for d in cur.description]
                statements += _bound_statements(table, cols, cur.fetchall(), limit)
        dst.execute("PRAGMA foreign_keys=ON")
        dst.execute(f"PRAGMA cache_size=-{cache_kib}")
        t0 = time.perf_counter()
        dst.execute("BEGIN IMMEDIATE")
        if bound:
            for sql, params in statements:
                dst.execute(sql, params)
        else:
            dst.execute("INSERT INTO events SELECT * FROM src.events ORDER BY id")
            dst.execute("INSERT INTO event_sources SELECT * FROM src.event_sources ORDER BY id")
        dst.execute("COMMIT")
        spent = time.perf_counter() - t0
        dst.close()
    return spent


def _bound_statements(
    table: str, cols: list[str], rows: list[tuple[object, ...]], limit: int
) -> list[tuple[str, list[object]]]:
    """Multi-row INSERTs of ``rows``: columns equal in every row are written into the statement as
    literals, the others are bound (``?``), as many rows per statement as the bound-variable limit
    allows. (Numbered ``?NNN`` parameters would bind constants once, but SQLite compiles them in
    time quadratic in their count.)"""
    same = {i: _literal(rows[0][i]) for i in range(len(cols)) if rows and all(r[i] == rows[0][i] for r in rows)}
    varying = [i for i in range(len(cols)) if i not in same]
    row_sql = "(" + ",".join(same.get(i, "?") for i in range(len(cols))) + ")"
    per = max(1, limit // max(1, len(varying)))
    head = f"INSERT INTO {table} ({', '.join(cols)}) VALUES "
    return [
        (head + ",".join([row_sql] * len(rows[lo : lo + per])), [r[i] for r in rows[lo : lo + per] for i in varying])
        for lo in range(0, len(rows), per)
    ]


def _literal(v: object) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, (int, float)):
        return repr(v)
    return "'" + str(v).replace("'", "''") + "'"


def child(path: Path) -> None:
    """Runs in a fresh process: bare parse, then the real import; prints one JSON line."""
    from weiquan.config import load_settings
    from weiquan.services import cases, imports
    from weiquan.workspace import Workspace

    from weiquan.ingest.numbers import normalize_number
    from weiquan.plugins import plugin_manager

    plugin_manager()
    rss_plugins_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # one-off: phonenumbers' carrier/region tables are loaded on first use (timed separately)
    c0 = time.process_time()
    normalize_number("13800138000")
    tables_cpu = time.process_time() - c0
    c0 = time.process_time()
    bare_s, n = bare_parse(path)
    bare_cpu = time.process_time() - c0
    with tempfile.TemporaryDirectory() as home:
        ws = Workspace(load_settings(home))
        case_id = cases.create_case(ws, "bench").id
        t0, c0 = time.perf_counter(), time.process_time()
        [r] = imports.import_paths(ws, case_id, [path])
        import_s, import_cpu_s = time.perf_counter() - t0, time.process_time() - c0
        ws.close()
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before the floor runs
        db = Path(home) / "weiquan.db"
        floor_s, floor_noidx_s = sqlite_floor(db), sqlite_floor(db, indexes=False)
        bound_s = sqlite_floor(db, bound=True)
    print(
        json.dumps(
            {
                "messages": n,
                "added": r.added,
                "status": r.status,
                "bare_parse_s": round(bare_s, 3),
                "sqlite_floor_s": round(floor_s, 3),
                "sqlite_floor_no_indexes_s": round(floor_noidx_s, 3),
                "driver_floor_s": round(bound_s, 3),
                "import_s": round(import_s, 3),
                "import_cpu_s": round(import_cpu_s, 3),
                "bare_parse_cpu_s": round(bare_cpu, 3),
                "number_tables_cpu_s": round(tables_cpu, 3),
                "rss_after_plugins_mb": round(rss_plugins_mb, 1),
                "peak_rss_mb": round(rss_mb, 1),
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="10k and 40k messages instead of 100k and 400k")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child)
        return
    sizes = (10_000, 40_000) if args.quick else (100_000, 400_000)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = Path(tmp) / f"sms-{n}.xml"
            generate(path, n)
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(path)], check=True, capture_output=True, text=True
            )
            res = json.loads(out.stdout.strip().splitlines()[-1])
            res["file_mb"] = round(path.stat().st_size / 2**20, 1)
            res["msg_per_s"] = round(res["messages"] / res["import_s"])
            res["ratio_to_bare_parse"] = round(res["import_s"] / res["bare_parse_s"], 2)
            res["msg_per_cpu_s"] = round(res["messages"] / res["import_cpu_s"])
            res["cpu_ratio_to_bare_parse"] = round(res["import_cpu_s"] / max(res["bare_parse_cpu_s"], 1e-3), 2)
            res["sqlite_floor_ratio"] = round(res["sqlite_floor_s"] / res["bare_parse_s"], 2)
            res["sqlite_floor_no_indexes_ratio"] = round(res["sqlite_floor_no_indexes_s"] / res["bare_parse_s"], 2)
            res["driver_floor_ratio"] = round(res["driver_floor_s"] / res["bare_parse_s"], 2)
            runs.append(res)
            print(
                f"{n:>7} messages ({res['file_mb']} MB): import {res['import_s']} s = {res['msg_per_s']} msg/s; "
                f"bare iterparse {res['bare_parse_s']} s; ratio {res['ratio_to_bare_parse']}x; "
                f"CPU {res['import_cpu_s']} s = {res['msg_per_cpu_s']} msg/CPU-s (ratio {res['cpu_ratio_to_bare_parse']}x); "
                f"peak RSS {res['peak_rss_mb']} MB (after loading plug-ins {res['rss_after_plugins_mb']} MB; "
                f"number tables loaded once in {res['number_tables_cpu_s']} CPU-s)"
            )
            print(
                f"         SQLite alone storing the same rows again: {res['sqlite_floor_s']} s = "
                f"{res['sqlite_floor_ratio']}x the bare parse with the schema's indexes, "
                f"{res['sqlite_floor_no_indexes_s']} s = {res['sqlite_floor_no_indexes_ratio']}x with none"
            )
            print(
                f"         the same rows written through Python's sqlite3 (no parsing): {res['driver_floor_s']} s = "
                f"{res['driver_floor_ratio']}x the bare parse"
            )
            path.unlink()
    summary = {
        "bench": "import_sms",
        "quick": args.quick,
        "runs": runs,
        "min_msg_per_s": min(r["msg_per_s"] for r in runs),
        "max_ratio_to_bare_parse": max(r["ratio_to_bare_parse"] for r in runs),
        "min_msg_per_cpu_s": min(r["msg_per_cpu_s"] for r in runs),
        "rss_growth_mb": round(runs[-1]["peak_rss_mb"] - runs[0]["peak_rss_mb"], 1),
        "min_sqlite_floor_ratio": min(r["sqlite_floor_ratio"] for r in runs),
        "min_driver_floor_ratio": min(r["driver_floor_ratio"] for r in runs),
        "goals": {"msg_per_s": 20000, "ratio_to_bare_parse": 3.0},
    }
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
