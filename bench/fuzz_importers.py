"""Fuzz every importer with mutated exports; count internal errors (goal: zero).

    python bench/fuzz_importers.py [--quick] [--inputs N] [--seed S] [--full-every K]

Seeds are well-formed files of every format weiquan reads, built by ``weiquan.testing.phone_exports``
(SyncTech SMS/calls XML, adb dumps, Android and iOS databases, OPPO vMessage and call log, CSV,
XLSX, manual JSON, a recording, a screenshot, a zip). Each input is one seed mutated: bytes flipped,
spans deleted/duplicated, the file cut, hostile tokens inserted (quotes, NUL, broken UTF-8, bidi
controls, entities, ``Row:`` lines), numbers replaced by ``nan``/``inf``/``1e400``/``-1``/2^64, a
huge field; SQLite databases also get hostile values written into random cells.

Each input is sniffed, detected and parsed as ``import_one`` does (every record through
``ingest.values.checked`` and the checks the writer relies on); every ``--full-every``-th input
is imported for real (vault + database, archives unpacked). An *internal error* is any exception
other than ``ParseError``/``WeiquanError`` (the clear errors a user sees), or a record the writer
could not store. Prints counts per importer and mutation, one line per internal error (type and
place, never content), and the figures as one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import math
import random
import re
import shutil
import sqlite3
import sys
import tempfile
import time
import traceback
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import finish, peak_rss_mb  # noqa: E402 - after the sys.path line that makes the sibling helpers importable

from weiquan.errors import WeiquanError  # noqa: E402 - after the sys.path line that makes the sibling helpers importable
from weiquan.testing import phone_exports as w  # noqa: E402 - after the sys.path line that makes the sibling helpers importable
from weiquan.ingest.base import ImportContext, ParseError, Probe  # noqa: E402 - after the sys.path line that makes the sibling helpers importable
from weiquan.ingest.values import checked, plausible_duration  # noqa: E402 - after the sys.path line that makes the sibling helpers importable
from weiquan.vault.sniff import sniff_bytes  # noqa: E402 - after the sys.path line that makes the sibling helpers importable

PROBE_BYTES = 64 * 1024
MAX_EVENTS_PER_INPUT = 5000
T0 = dt.datetime(2024, 3, 4, 9, 30, tzinfo=w.SHANGHAI)
HOSTILE_TOKENS = [
    b'"',
    b"'",
    b"<",
    b">",
    b"&",
    b"&#0;",
    b"&#x1F600;",
    b"&amp",
    b"]]>",
    b"\x00",
    b"\xff\xfe",
    b"\xe4\xb8",
    b"\xed\xa0\x80",
    "\u202e".encode(),
    "\ufeff".encode(),
    b"\r",
    b"\n",
    b",",
    b"\t",
    b"=",
    b"Row: 7 ",
    b"BEGIN:VMSG\r\n",
    b"END:VBODY\r\n",
    b'<sms date="1" />',
    b'<!DOCTYPE x [<!ENTITY e "e">]>',
    b"{",
    b"}",
    b"[",
    b"null",
    "𠀋😀".encode(),
    b"\\",
    b"%s%n",
    b"=\r\n",
    b"=E4=B8",
]
HOSTILE_NUMBERS = [
    b"nan",
    b"NaN",
    b"inf",
    b"-inf",
    b"Infinity",
    b"1e400",
    b"-1",
    b"0",
    b"-50",
    b"18446744073709551616",
    b"99999999999999999999999999",
    b"1e-400",
    b"",
    b"null",
    b"0x10",
    b"1.5",
    b"\xef\xbc\x91\xef\xbc\x92",
]
HOSTILE_CELLS: list[Any] = [
    float("nan"),
    float("inf"),
    -1.0,
    2**63 - 1,
    -(2**63),
    0,
    "",
    "nan",
    "1e400",
    b"\x00\xff",
    "\u202e",
    None,
    "x" * 300_000,
    1e308,
]


def _messages(n: int, rng: random.Random) -> list[w.Msg]:
    words = [
        "今天不还款就联系你的家人",
        "您好，您的账单已到期，请及时还款。",
        "再不还钱就爆你通讯录",
        "好的，我下午还",
        '律师函今日寄出，逗号,引号"和换行\n都在',
        "【示例贷】验证码请勿泄露",
    ]
    return [
        w.Msg(
            rng.choice(["15400000001", "+86 154 0000 0002", "10690000123456", "075500000000"]),
            T0 + dt.timedelta(minutes=7 * i),
            rng.choice(words),
            incoming=rng.random() < 0.8,
        )
        for i in range(n)
    ]


def _calls(n: int, rng: random.Random) -> list[w.Call]:
    return [
        w.Call(
            rng.choice(["15400000001", "075500000000", ""]),
            T0 + dt.timedelta(minutes=11 * i),
            rng.choice([0, 5, 95, 3600]),
            rng.choice([1, 2, 3, 5, 6]),
        )
        for i in range(n)
    ]


def make_seeds(folder: Path, rng: random.Random) -> dict[str, Path]:
    """One well-formed file per format (built by the writers, not by the importers)."""
    m, c = _messages(12, rng), _calls(10, rng)
    seeds: dict[str, Path] = {
        "synctech_sms": w.synctech_sms_xml(folder / "sms.xml", m),
        "synctech_calls": w.synctech_calls_xml(folder / "calls.xml", c),
        "adb_sms": w.adb_sms_dump(folder / "sms.txt", m),
        "adb_calls": w.adb_calls_dump(folder / "calls.txt", c),
        "android_sms_db": w.android_sms_db(folder / "mmssms.db", m),
        "android_calllog_db": w.android_calllog_db(folder / "calllog.db", c),
        "ios_sms_db": w.ios_sms_db(folder / "sms.db", m),
        "ios_call_history": w.ios_call_history(folder / "CallHistory.storedata", c),
        "oppo_vmsg": w.oppo_vmsg(folder / "sms.vmsg", m),
        "oppo_calllog": w.oppo_calllog(folder / "calllog.xml", c),
        "table_csv": w.csv_file(folder / "export.csv", w.table_rows(m, c)),
        "table_csv_gbk": w.csv_file(folder / "export-gbk.csv", w.table_rows(m, c), encoding="gb18030"),
        "table_xlsx": w.xlsx_file(folder / "export.xlsx", w.table_rows(m, c)),
        "call_recording": w.wav_file(folder / "通话录音 15400000001_20240304093000.wav", seconds=0.3),
        "call_recording_amr": w.amr_file(folder / "15400000001_20240304093000.amr", seconds=0.3),
        "image": w.png_file(folder / "Screenshot_20240304-093000.png"),
    }
    manual = folder / "manual.json"
    manual.write_text(
        json.dumps(
            {
                "type": "weiquan_manual_events",
                "events": [
                    {
                        "channel": "call",
                        "time": "2024-03-05 22:40",
                        "number": "15400000001",
                        "duration_s": 30,
                        "recipient": "relative",
                        "recipient_name": "母亲",
                        "text": "打给母亲",
                    },
                    {"channel": "visit", "time": "2024-03-06 10:00", "note": "上门"},
                ],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    seeds["manual_json"] = manual
    z = folder / "backup.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(seeds["synctech_sms"], "sms.xml")
        zf.write(seeds["table_csv"], "导出/短信.csv")
    seeds["zip"] = z
    return seeds


# -- mutations ---------------------------------------------------------------------------------------


def _span(rng: random.Random, n: int) -> tuple[int, int]:
    a = rng.randrange(max(n, 1))
    return a, min(n, a + rng.choice([1, 2, 8, 64, 512, 4096]))


def m_flip(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if b:
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
    return bytes(b)


def m_delete(data: bytes, rng: random.Random) -> bytes:
    a, e = _span(rng, len(data))
    return data[:a] + data[e:]


def m_duplicate(data: bytes, rng: random.Random) -> bytes:
    a, e = _span(rng, len(data))
    return data[:e] + data[a:e] + data[e:]


def m_truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(max(len(data), 1))]


def m_insert(data: bytes, rng: random.Random) -> bytes:
    out = data
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(out) + 1)
        out = out[:i] + rng.choice(HOSTILE_TOKENS) + out[i:]
    return out


_NUMBER = re.compile(rb"\d{1,20}(?:\.\d+)?")


def m_number(data: bytes, rng: random.Random) -> bytes:
    spans = [(x.start(), x.end()) for x in _NUMBER.finditer(data[: PROBE_BYTES * 4])]
    if not spans:
        return m_insert(data, rng)
    out = bytearray(data)
    for a, e in sorted(rng.sample(spans, min(len(spans), rng.randint(1, 4))), reverse=True):
        out[a:e] = rng.choice(HOSTILE_NUMBERS)
    return bytes(out)


def m_huge_field(data: bytes, rng: random.Random) -> bytes:
    i = rng.randrange(len(data) + 1)
    return data[:i] + rng.choice([b"x", "字".encode(), b'"', b"A,"]) * rng.choice([70_000, 140_000]) + data[i:]


BYTE_MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "flip": m_flip,
    "delete": m_delete,
    "duplicate": m_duplicate,
    "truncate": m_truncate,
    "insert": m_insert,
    "number": m_number,
    "huge_field": m_huge_field,
}


def m_sql_cells(src: Path, dest: Path, rng: random.Random) -> None:
    """Hostile values in random cells of a SQLite database (SQLite keeps any value in any column)."""
    shutil.copyfile(src, dest)
    con = sqlite3.connect(dest)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for _ in range(rng.randint(1, 6)):
            t = rng.choice(tables)
            cols = [r[1] for r in con.execute(f'PRAGMA table_info("{t}")')]
            col = rng.choice(cols)
            value = rng.choice(HOSTILE_CELLS)
            if isinstance(value, float) and math.isnan(value):
                value = "nan"  # SQLite stores a NaN as NULL
            try:
                con.execute(
                    f'UPDATE "{t}" SET "{col}" = ? WHERE rowid IN (SELECT rowid FROM "{t}" ORDER BY random() LIMIT 2)',
                    (value,),
                )
            except sqlite3.Error:
                pass  # a constraint refused it
        con.commit()
    finally:
        con.close()


# -- running -----------------------------------------------------------------------------------------


class Outcome:
    def __init__(self) -> None:
        self.inputs = 0
        self.parsed = 0
        self.clear_errors = 0
        self.unrecognised = 0
        self.records = 0
        self.full_imports = 0
        self.internal: list[dict[str, str]] = []
        self.by_importer: collections.Counter[str] = collections.Counter()
        self.by_mutation: collections.Counter[str] = collections.Counter()


def _place(e: BaseException) -> str:
    tb = traceback.extract_tb(e.__traceback__)
    frames = [f for f in tb if "weiquan" in f.filename] or tb
    f = frames[-1] if frames else None
    return f"{Path(f.filename).name}:{f.lineno} {f.name}" if f else "?"


def _check_record(raw: Any) -> None:
    """What the writer relies on; a violation is an internal error."""
    if raw.start.tzinfo is None or not (1999 <= raw.start.year <= 2100):
        raise AssertionError("start out of range or naive")
    raw.start.timestamp()
    if not plausible_duration(raw.duration_s):
        raise AssertionError("implausible duration reached the writer")
    if raw.text is not None and not isinstance(raw.text, str):
        raise AssertionError("text is not a string")
    json.dumps(raw.raw, default=str, allow_nan=False)
    json.dumps(raw.extra, default=str, allow_nan=False)


def parse_one(path: Path, name: str, candidates: list[Any], found: list[str] | None = None) -> tuple[str | None, int]:
    """Sniff, detect and parse like ``import_one``; returns (importer name, records). Raises what the importer raises."""
    from weiquan.services.imports import detect_format

    with open(path, "rb") as f:
        head = f.read(PROBE_BYTES)
    probe = Probe(path=path, head=head, media_type=sniff_bytes(head[:4096]), name=name, options={"mapping": {}})
    for c in candidates:
        c.detect(probe)  # a crash in detect is an internal error here (detect_format only logs and skips it)
    imp = detect_format(probe, candidates)
    if imp is None:
        return None, 0
    if found is not None:
        found[:] = [imp.name]
    ctx = ImportContext(path=path, original_name=name, sha256="0", options={"mapping": {}})
    n = 0
    try:
        for raw in imp.parse(ctx):
            _check_record(checked(raw, ctx))
            n += 1
            if n >= MAX_EVENTS_PER_INPUT:
                break
    except ParseError as e:
        if not e.partial_ok:
            raise
    return imp.name, n


def run(n_inputs: int, seed: int, full_every: int, log: Callable[[str], None] = print) -> tuple[Outcome, float]:
    from weiquan.config import load_settings
    from weiquan.services import cases, imports
    from weiquan.workspace import Workspace

    rng = random.Random(seed)
    out = Outcome()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="weiquan-fuzz-") as tmp:
        root = Path(tmp)
        (root / "seeds").mkdir()
        seeds = make_seeds(root / "seeds", rng)
        candidates = imports.importers()
        ws = Workspace(load_settings(root / "home")) if full_every else None
        case_id = cases.create_case(ws, "fuzz").id if ws else 0
        work = root / "work"
        work.mkdir()
        seed_bytes = {k: p.read_bytes() for k, p in seeds.items()}
        kinds = sorted(seeds)
        try:
            for i in range(n_inputs):
                kind = kinds[i % len(kinds)]
                src = seeds[kind]
                path = work / src.name
                if src.suffix in (".db", ".storedata") and rng.random() < 0.6:
                    mutation = "sql_cells"
                    m_sql_cells(src, path, rng)
                else:
                    mutation = rng.choice(sorted(BYTE_MUTATIONS))
                    data = BYTE_MUTATIONS[mutation](seed_bytes[kind], rng)
                    if rng.random() < 0.3:  # stack a second mutation
                        data = BYTE_MUTATIONS[rng.choice(sorted(BYTE_MUTATIONS))](data, rng)
                    path.write_bytes(data)
                out.inputs += 1
                out.by_mutation[mutation] += 1
                fmt = None
                found: list[str] = []
                try:
                    if kind == "zip":
                        fmt = "zip"
                    else:
                        fmt, n = parse_one(path, src.name, candidates, found)
                        if fmt is None:
                            out.unrecognised += 1
                        else:
                            out.parsed += 1
                            out.records += n
                            out.by_importer[fmt] += 1
                    if ws is not None and (kind == "zip" or i % full_every == 0):
                        out.full_imports += 1
                        for r in imports.import_paths(ws, case_id, [path]):
                            if r.error and "内部错误" in r.error:
                                raise RuntimeError(f"import_paths reported an internal error ({r.format})")
                except (ParseError, WeiquanError):
                    out.clear_errors += 1
                except Exception as e:  # noqa: BLE001 - this is what we count
                    item = {
                        "input": str(i),
                        "seed_kind": kind,
                        "importer": fmt or (found[0] if found else "?"),
                        "mutation": mutation,
                        "error": type(e).__name__,
                        "at": _place(e),
                    }
                    out.internal.append(item)
                    log("INTERNAL " + json.dumps(item, ensure_ascii=False))
                    keep = root.parent / f"weiquan-fuzz-crash-{seed}-{i}{src.suffix}"
                    if len(out.internal) <= 20:
                        shutil.copyfile(path, keep)
                        log(f"  kept {keep}")
                path.unlink(missing_ok=True)
                if (i + 1) % 5000 == 0:
                    log(f"{i + 1} inputs, {len(out.internal)} internal errors, {time.perf_counter() - t0:.0f} s")
        finally:
            if ws is not None:
                ws.close()
    return out, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="2,000 inputs")
    ap.add_argument("--inputs", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--full-every", type=int, default=100, help="import every K-th input for real (0: never)")
    args = ap.parse_args()
    n = 2_000 if args.quick else args.inputs
    out, seconds = run(n, args.seed, args.full_every)
    print(
        f"inputs {out.inputs}, recognised and parsed {out.parsed}, clear errors {out.clear_errors}, "
        f"unrecognised {out.unrecognised}, records {out.records}, full imports {out.full_imports}, "
        f"internal errors {len(out.internal)}, {seconds:.0f} s"
    )
    print("by importer: " + ", ".join(f"{k} {v}" for k, v in sorted(out.by_importer.items())))
    print("by mutation: " + ", ".join(f"{k} {v}" for k, v in sorted(out.by_mutation.items())))
    finish(
        {
            "inputs": out.inputs,
            "parsed": out.parsed,
            "clear_errors": out.clear_errors,
            "unrecognised": out.unrecognised,
            "records": out.records,
            "full_imports": out.full_imports,
            "internal_errors": len(out.internal),
            "internal_by_place": dict(collections.Counter(x["at"] for x in out.internal)),
            "seconds": round(seconds, 1),
            "peak_rss_mb": round(peak_rss_mb(), 1),
            "seed": args.seed,
        }
    )


if __name__ == "__main__":
    main()
