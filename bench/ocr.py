#!/usr/bin/env python3
"""OCR benchmark: images/s on this machine, pipeline overhead vs bare rapidocr, and accuracy.

- bare: ``RapidOCR(...)(path)`` with the same models and settings, nothing else;
- pipeline: what a job does per image — decode, OCR, text/background colours, layout parsing,
  time anchoring — on the same images in the same run (goal: pipeline / bare ≤ 1.2);
- jobs: ``run_jobs`` on a fresh workspace with N worker processes (images/s, including the
  start-up of the workers and writing the events);
- accuracy: event F1 and character accuracy against the fixtures' expected events.

Usage: python bench/ocr.py [--quick] [--workers N]     (last line: one JSON object)
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _generator():
    spec = importlib.util.spec_from_file_location("make_screenshots", REPO / "scripts" / "make_screenshots.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["make_screenshots"] = mod
    spec.loader.exec_module(mod)
    return mod


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="4 images, one pass")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()

    from weiquan.config import load_settings
    from weiquan.extract.base import ExtractContext
    from weiquan.extract.ocr import OcrEngine, load_image
    from weiquan.extract.screenshot import page_events
    from weiquan.extract.scoring import Score, score
    from weiquan.services import cases, extraction
    from weiquan.workspace import Workspace

    tmp = Path(tempfile.mkdtemp(prefix="bench-ocr-"))
    records = _generator().build(tmp / "shots")
    if args.quick:
        records = records[:4]
    paths = [tmp / "shots" / r["file"] for r in records]
    passes = 1 if args.quick else 2

    engine = OcrEngine()
    engine.raw(load_image(paths[0])[..., ::-1].copy())  # warm-up (lazy model load)
    imported = dt.datetime.now(dt.timezone.utc)
    bare = pipe = 0.0
    total = Score()
    for p in range(passes):
        for rec, path in zip(records, paths):
            t = time.perf_counter()
            engine._ocr(str(path))  # the bare library call on the file
            bare += time.perf_counter() - t
            t = time.perf_counter()
            page = engine.read(path)
            events = page_events(
                page, ExtractContext(sha256="0" * 64, names=[rec["file"]], path=path, imported_at=imported)
            )
            pipe += time.perf_counter() - t
            if p == 0:
                total.add(score(rec["events"], events)[0])
    n = len(paths) * passes
    print(f"images: {len(paths)} × {passes} passes, cores: {os.cpu_count()}")
    print(f"bare rapidocr:   {bare / n:.3f} s/image ({n / bare:.2f} images/s, 1 process)")
    print(f"weiquan pipeline:{pipe / n:.3f} s/image ({n / pipe:.2f} images/s, 1 process)")
    print(f"pipeline / bare: {pipe / bare:.3f}  (goal ≤ 1.2)")

    ws = Workspace(load_settings(tmp / "home"))
    case = cases.create_case(ws, "bench")
    for path in paths:
        ev = ws.vault.add(path, case_id=case.id).evidence
        extraction.queue_for_evidence(ws, case.id, ev.id, "ocr")
    t = time.perf_counter()
    summary = extraction.run_jobs(ws, case_id=case.id, workers=args.workers)
    jobs_s = time.perf_counter() - t
    ws.close()
    print(
        f"run_jobs, {args.workers} workers: {len(paths)} images in {jobs_s:.2f} s = {len(paths) / jobs_s:.2f} images/s "
        f"({summary.events_added} events, {summary.failed} failed)"
    )
    acc = total.as_dict()
    print(
        f"accuracy: event F1 {acc['f1']:.4f} (P {acc['precision']:.4f}, R {acc['recall']:.4f}), "
        f"character accuracy {acc['char_accuracy']:.4f} over {acc['expected']} expected events"
    )
    print(
        json.dumps(
            {
                "bench": "ocr",
                "quick": args.quick,
                "images": len(paths),
                "passes": passes,
                "bare_s_per_image": round(bare / n, 4),
                "pipeline_s_per_image": round(pipe / n, 4),
                "pipeline_over_bare": round(pipe / bare, 4),
                "workers": args.workers,
                "jobs_images_per_s": round(len(paths) / jobs_s, 3),
                "event_f1": acc["f1"],
                "char_accuracy": acc["char_accuracy"],
                "expected_events": acc["expected"],
            }
        )
    )


if __name__ == "__main__":
    main()
