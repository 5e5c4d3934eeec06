"""Benchmark: export a case with 100,000 events and 2 GB of originals; memory must stay flat.

    python bench/export.py [--quick] [--size-mb N] [--events N] [--keep]

Builds a workspace in a temporary folder: originals of mixed sizes and kinds (recordings
and screenshots stored as-is, XML exports deflated), 100,000 events citing them and a
few findings. Then the export runs in a child process that samples its resident memory
at every packaged file, so the figures show whether memory grows with the data:
MB/s of the whole export (report and charts included), the same for the ZIP writing
alone, with the report, and complete (report and 证据目录); peak RSS of the exporting process and RSS at 25/50/75/100 % of the originals.
Last line: one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import finish  # noqa: E402 - after the sys.path line that makes the sibling helpers importable

_MAGIC = {"audio": b"ID3\x04\x00\x00\x00\x00\x00\x00", "image": b"\x89PNG\r\n\x1a\n"}


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / (1 << 20)


def make_originals(root: Path, total_mb: int, seed: int = 11) -> list[tuple[Path, str]]:
    """(path, kind) files: 60 % recordings 8–128 MB, 25 % screenshots 0.2–4 MB, 15 % XML exports 1–32 MB."""
    rng = random.Random(seed)
    budget = total_mb << 20
    plan: list[tuple[str, int]] = []
    for kind, share, lo, hi in (
        ("audio", 0.60, 8 << 20, 128 << 20),
        ("image", 0.25, 200 << 10, 4 << 20),
        ("xml", 0.15, 1 << 20, 32 << 20),
    ):
        part = int(budget * share)
        while part > lo // 2:
            n = min(rng.randint(lo, hi), part)
            plan.append((kind, n))
            part -= n
    rng.shuffle(plan)
    noise = os.urandom(1 << 20)
    xml_row = "".join(
        f'<sms address="+86170{i:07d}" date="{1700000000000 + i}" body="您好，您的借款已逾期{i}天"/>\n'
        for i in range(4000)
    ).encode()
    files = []
    for i, (kind, size) in enumerate(plan):
        ext = {"audio": "mp3", "image": "png", "xml": "xml"}[kind]
        p = root / f"{kind}_{i:05d}.{ext}"
        with open(p, "wb") as f:
            head = _MAGIC.get(kind, b"<?xml version='1.0'?><smses>\n") + i.to_bytes(8, "little")
            f.write(head)
            left = size - len(head)
            src = xml_row if kind == "xml" else noise
            while left > 0:
                n = min(left, len(src))
                f.write(src[:n])
                left -= n
        files.append((p, kind))
    return files


def build(home: Path, total_mb: int, n_events: int) -> tuple[int, float]:
    from sqlalchemy import insert, select

    from weiquan.config import load_settings
    from weiquan.services.cases import create_case
    from weiquan.store.models import Event, EventSource, Finding, FindingEvent
    from weiquan.workspace import Workspace

    src = home.parent / "gen"
    src.mkdir()
    files = make_originals(src, total_mb)
    with Workspace(load_settings(home)) as ws:
        case = create_case(ws, "基准测试案件", lender="某某贷")
        ev_ids = []
        for p, _kind in files:
            ev_ids.append(ws.vault.add(p, case_id=case.id).evidence.id)
            p.unlink()  # keep disk use to one copy plus the package
        rng = random.Random(5)
        start = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
        numbers = [f"+8617{i:09d}" for i in range(400)]
        texts = ["再不还钱就爆你通讯录", "您的借款已逾期，请尽快处理", "明天上门到你单位", None]
        batch = 10_000
        with ws.db.session() as s:
            for b0 in range(0, n_events, batch):
                rows = []
                for i in range(b0, min(b0 + batch, n_events)):
                    ch = "sms" if i % 3 == 0 else "call"
                    rows.append(
                        {
                            "case_id": case.id,
                            "channel": ch,
                            "direction": "in",
                            "start": start + dt.timedelta(seconds=rng.randrange(180 * 86400)),
                            "source_tz": "Asia/Shanghai",
                            "counterpart": rng.choice(numbers),
                            "recipient": "borrower" if i % 11 else "relative",
                            "signature": "【某某贷】" if ch == "sms" and i % 2 else None,
                            "text": texts[i % 4] if ch == "sms" else None,
                            "origin": "export",
                            "extra": {},
                        }
                    )
                s.execute(insert(Event), rows)
            first_ids = (
                s.execute(select(Event.id).where(Event.case_id == case.id).order_by(Event.id).limit(3000))
                .scalars()
                .all()
            )
            s.execute(
                insert(EventSource),
                [
                    {"event_id": eid, "evidence_id": ev_ids[k % len(ev_ids)], "locator": f"row {k}", "raw": {}}
                    for k, eid in enumerate(first_ids)
                ],
            )
            for j, cat in enumerate(("threat_exposure", "threat_visit", "harassment_volume")):
                f = Finding(
                    case_id=case.id,
                    category=cat,
                    severity="high",
                    detector_id="bench",
                    detector_version="1",
                    summary=f"基准测试发现 {j}",
                    key=f"b{j}",
                )
                s.add(f)
                s.flush()
                s.execute(
                    insert(FindingEvent),
                    [{"finding_id": f.id, "event_id": eid, "spans": [[0, 4]]} for eid in first_ids[j::3][:500]],
                )
        return case.id, sum(p.stat().st_size for p in ws.settings.vault_dir.rglob("*") if p.is_file()) / (1 << 20)


def child(home: str, case_id: int, out: str, with_report: bool, with_catalogue: bool) -> None:
    """Export in this (fresh) process, with or without the case report and the 证据目录."""
    from weiquan.config import load_settings
    from weiquan.services.export import export_case
    from weiquan.workspace import Workspace

    samples: list[tuple[int, int, float]] = []

    def progress(stage: str, done: int, total: int) -> None:
        samples.append((done, total, rss_mb()))

    base = rss_mb()
    with Workspace(load_settings(Path(home))) as ws:
        t0 = time.perf_counter()
        res = export_case(
            ws, case_id, Path(out), with_report=with_report, with_catalogue=with_catalogue, progress=progress
        )
        secs = time.perf_counter() - t0
    import resource

    print(
        json.dumps(
            {
                "seconds": secs,
                "bytes": res.bytes,
                "files": res.files,
                "zip_bytes": os.path.getsize(out),
                "base_rss_mb": base,
                "samples": samples,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def run_child(home: Path, case_id: int, out: Path, with_report: bool, with_catalogue: bool) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        str(home),
        str(case_id),
        str(out),
        str(int(with_report)),
        str(int(with_catalogue)),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    out.unlink(missing_ok=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def at_fraction(samples: list, frac: float) -> float:
    total = samples[-1][1]
    for done, _t, rss in samples:
        if done >= frac * total:
            return round(rss, 1)
    return round(samples[-1][2], 1)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5] == "1", sys.argv[6] == "1")
        return
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="200 MB and 20,000 events instead of 2 GB and 100,000")
    ap.add_argument("--size-mb", type=int, default=None)
    ap.add_argument("--events", type=int, default=None)
    ap.add_argument("--keep", action="store_true", help="keep the temporary workspace")
    args = ap.parse_args()
    total_mb = args.size_mb or (200 if args.quick else 2048)
    n_events = args.events or (20_000 if args.quick else 100_000)
    tmp = Path(tempfile.mkdtemp(prefix="weiquan-bench-export-"))
    try:
        t0 = time.perf_counter()
        case_id, vault_mb = build(tmp / "home", total_mb, n_events)
        setup = time.perf_counter() - t0
        print(f"setup: {vault_mb:.0f} MB in the vault, {n_events} events, {setup:.1f} s")
        zip_only = run_child(tmp / "home", case_id, tmp / "noreport.zip", with_report=False, with_catalogue=False)
        with_report = run_child(tmp / "home", case_id, tmp / "report.zip", with_report=True, with_catalogue=False)
        full = run_child(tmp / "home", case_id, tmp / "case.zip", with_report=True, with_catalogue=True)
        mb = full["bytes"] / (1 << 20)

        def rate(r: dict) -> float:
            return round(r["bytes"] / (1 << 20) / r["seconds"], 1)

        figures = {
            "originals_mb": round(vault_mb, 1),
            "events": n_events,
            "files": full["files"],
            "zip_only_s": round(zip_only["seconds"], 2),
            "zip_only_mb_s": rate(zip_only),
            "zip_only_peak_rss_mb": round(zip_only["peak_rss_mb"], 1),
            "rss_mb_at_25_50_75_100pct": [at_fraction(zip_only["samples"], f) for f in (0.25, 0.5, 0.75, 1.0)],
            "with_report_s": round(with_report["seconds"], 2),
            "with_report_mb_s": rate(with_report),
            "with_report_peak_rss_mb": round(with_report["peak_rss_mb"], 1),
            "export_s": round(full["seconds"], 2),
            "export_mb_s": rate(full),
            "peak_rss_mb": round(full["peak_rss_mb"], 1),
            "quick": args.quick,
        }
        print(
            f"ZIP writing alone (no report, no catalogue): {mb:.0f} MB in {zip_only['seconds']:.1f} s = "
            f"{figures['zip_only_mb_s']} MB/s, peak RSS {figures['zip_only_peak_rss_mb']} MB; "
            f"RSS at 25/50/75/100 % of the originals: {figures['rss_mb_at_25_50_75_100pct']} MB"
        )
        print(
            f"with the case report and charts: {with_report['seconds']:.1f} s = {figures['with_report_mb_s']} MB/s, "
            f"peak RSS {figures['with_report_peak_rss_mb']} MB"
        )
        print(
            f"complete export (report, charts and 证据目录): {full['seconds']:.1f} s = {figures['export_mb_s']} MB/s, "
            f"peak RSS {figures['peak_rss_mb']} MB"
        )
        finish(figures)
    finally:
        if args.keep:
            print(f"kept: {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
