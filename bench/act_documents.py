"""Benchmark: escalation plan and document drafting for a synthetic case.

    .venv/bin/python bench/act_documents.py [--quick]

Builds a case of N contacts (calls and messages to the borrower and to third parties, with
findings over them) in a temporary data home, then times ``build_plan``, the HTML of each
document, and writing all documents as DOCX + PDF. Prints the figures and, as the last line,
one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from weiquan.config import load_settings
from weiquan.store.models import Case, Event, EventSource, Finding, FindingEvent
from weiquan.workspace import Workspace

SH = ZoneInfo("Asia/Shanghai")
TEXTS = [
    "您的借款已逾期，请尽快还款。",
    "再不还钱就把你的欠款发给你通讯录所有人。",
    "你这个老赖，赶紧还钱！",
    "你好，你的朋友在我司借款逾期，请转告他。",
]


def build(ws: Workspace, n: int, seed: int = 7, files: int = 4) -> int:
    """A case of ``n`` contacts from ``files`` exports; rows are inserted in bulk (ids assigned here)."""
    rnd = random.Random(seed)
    with ws.db.session() as s:
        case = Case(
            name="基准案件",
            lender_name="速借",
            lender_entity="示例消费金融有限公司",
            licence_type="consumer_finance",
            borrower_name="李四",
            borrower_phones=["+8613800138000"],
        )
        s.add(case)
        s.flush()
        cid = case.id
    evids = [
        ws.vault.add(
            json.dumps({"n": n, "seed": seed, "file": k}).encode(), case_id=cid, original_name=f"导出{k + 1}.json"
        ).evidence.id
        for k in range(files)
    ]
    t0 = dt.datetime(2026, 3, 1, 8, tzinfo=SH)
    ids: dict[str, list[tuple[int, str | None]]] = {
        "threat_exposure": [],
        "insult": [],
        "third_party_contact": [],
        "harassment_volume": [],
        "night_contact": [],
    }
    events: list[dict] = []
    sources: list[dict] = []
    with ws.db.session() as s:
        base = (s.execute(select(func.max(Event.id))).scalar() or 0) + 1
    for i in range(n):
        eid = base + i
        t = t0 + dt.timedelta(minutes=rnd.randint(0, 60 * 24 * 40))
        sms = rnd.random() < 0.4
        text = rnd.choice(TEXTS) if sms else None
        rec = "relative" if rnd.random() < 0.1 else "borrower"
        events.append(
            {
                "id": eid,
                "case_id": cid,
                "channel": "sms" if sms else "call",
                "direction": "in",
                "start": t.astimezone(dt.timezone.utc),
                "text": text,
                "recipient": rec,
                "counterpart": f"+86170{rnd.randint(0, 40):08d}",
                "duration_s": None if sms else 20.0,
                "source_tz": "Asia/Shanghai",
                "origin": "export",
                "extra": {},
                "created_at": t0,
            }
        )
        sources.append({"event_id": eid, "evidence_id": evids[i * files // n], "locator": f"row[{i}]", "raw": {}})
        if text and "通讯录" in text:
            ids["threat_exposure"].append((eid, text))
        elif text and "老赖" in text:
            ids["insult"].append((eid, text))
        if rec != "borrower":
            ids["third_party_contact"].append((eid, None))
        if not sms:
            ids["harassment_volume"].append((eid, None))
        if t.hour >= 22 or t.hour < 8:
            ids["night_contact"].append((eid, None))
    with ws.db.session() as s:
        for k in range(0, n, 5000):
            s.execute(insert(Event), events[k : k + 5000])
        for k in range(0, n, 5000):
            s.execute(insert(EventSource), sources[k : k + 5000])
        for cat, evs in ids.items():
            if not evs:
                continue
            f = Finding(
                case_id=cid,
                category=cat,
                severity="high",
                detector_id="bench",
                detector_version="1",
                key=cat,
                review_state="confirmed",
            )
            s.add(f)
            s.flush()
            rows = [
                {"finding_id": f.id, "event_id": eid, "spans": [[0, len(text)]] if text else []} for eid, text in evs
            ]
            for k in range(0, len(rows), 5000):
                s.execute(insert(FindingEvent), rows[k : k + 5000])
    return cid


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="small case (200 contacts), PDF+DOCX of 3 documents")
    ap.add_argument("--contacts", type=int, default=None, help="contacts in the case (default 3000; 200 with --quick)")
    ap.add_argument("--docs", default=None, help="comma-separated document ids to draft (default: all; 3 with --quick)")
    args = ap.parse_args()
    n = args.contacts or (200 if args.quick else 3000)
    from weiquan.services.documents import document_html, document_specs, draft_document
    from weiquan.services.plan import build_plan

    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(load_settings(Path(tmp) / "home"))
        t = time.perf_counter()
        cid = build(ws, n)
        t_build = time.perf_counter() - t
        today = dt.date(2026, 4, 15)
        t = time.perf_counter()
        plan = build_plan(ws, cid, today=today)
        t_plan = time.perf_counter() - t
        docs = list(document_specs())
        if args.docs:
            docs = [d for d in docs if d in args.docs.split(",")]
        html_s: dict[str, float] = {}
        for d in docs:
            t = time.perf_counter()
            document_html(ws, cid, d, today=today)
            html_s[d] = round(time.perf_counter() - t, 3)
        chosen = args.docs.split(",") if args.docs else (["lender", "12321", "catalogue"] if args.quick else docs)
        write_s: dict[str, float] = {}
        sizes: dict[str, int] = {}
        for d in chosen:
            t = time.perf_counter()
            paths = draft_document(ws, cid, d, out_dir=Path(tmp) / "out", today=today)
            write_s[d] = round(time.perf_counter() - t, 3)
            sizes[d] = sum(p.stat().st_size for p in paths)
        ws.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"contacts: {n}; build case: {t_build:.2f}s; plan: {t_plan:.3f}s ({len(plan.steps)} steps); peak RSS {rss:.0f} MB"
    )
    for d in docs:
        extra = f"; write docx+pdf {write_s[d]:.2f}s, {sizes[d] // 1024} KB" if d in write_s else ""
        print(f"  {d:<11} html {html_s[d]:.3f}s{extra}")
    print(
        json.dumps(
            {
                "bench": "act_documents",
                "quick": args.quick,
                "contacts": n,
                "plan_s": round(t_plan, 3),
                "steps": len(plan.steps),
                "peak_rss_mb": round(rss),
                "html_s": html_s,
                "write_s": write_s,
                "bytes": sizes,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
