#!/usr/bin/env python3
"""Screenshot accuracy on material the extractor did not draw: per layout event F1 and character accuracy.

Renders the measured sets with the independent renderers ``scripts/render_phone_screens.py`` (call
history as iOS, MIUI, EMUI, ColorOS and OriginOS draw it: collapsed rows with counts, red missed
calls, region/carrier lines, SIM badges, relative dates, dark mode, large fonts, noise, JPEG,
cropping) and ``scripts/render_phone_chats.py`` (WeChat and QQ chats with group sender names, voice
bubbles and recall notices; SMS threads in dark mode with large fonts), reads each image with the bundled rapidocr models and parses it with the production
pipeline (``page_events`` with the file's name and EXIF as the capture time).

Event F1: an event matches when channel, number (or contact name), direction, local time (minute,
or day when the row shows only a day) and the row's count agree, and for messages the text is ≥ 90 %
similar. Character accuracy: 1 − edit distance / length over each message's text, and for call rows
over what the row shows besides its time (number or name + region line).
Goals (issue #18): F1 ≥ 0.95 and character accuracy ≥ 0.98 on each layout.

Two sets: seed 18 was used while developing the parser (its misses were read); seed 2026 (the
default) is held out — same renderer, other numbers, dates, themes, sizes and noise.
OCR results are cached by image SHA-256 (``--cache``), so rerunning after a parser change is cheap.

Usage: python bench/screens.py [--quick] [--per-layout N] [--misses]   (last line: one JSON object)
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from _util import finish  # noqa: E402 - after the sys.path line that makes the sibling helpers importable


def renderer(name: str = "render_phone_screens"):
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def ocr_cached(engine_box: list[Any], path: Path, cache: Path) -> dict[str, Any]:
    from weiquan.extract.ocr import ENGINE_ID, OcrEngine
    from weiquan.vault.blobs import sha256_file

    key = cache / f"{sha256_file(path)[0]}.{ENGINE_ID.replace('/', '_')}.json"
    if key.is_file():
        return json.loads(key.read_text("utf-8"))
    if not engine_box:
        engine_box.append(OcrEngine())
    page = engine_box[0].read(path).to_json()
    cache.mkdir(parents=True, exist_ok=True)
    key.write_text(json.dumps(page, ensure_ascii=False), encoding="utf-8")
    return page


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="3 images per layout")
    ap.add_argument("--per-layout", type=int, default=12)
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "weiquan-bench-screens-ocr")
    ap.add_argument("--calls-only", action="store_true", help="only the call-history layouts")
    ap.add_argument("--misses", action="store_true", help="print every unmatched expected/predicted event")
    ap.add_argument(
        "--seed",
        type=int,
        default=2026,
        help="2026 (default): the held-out set, never looked at while tuning; 18: the development set",
    )
    args = ap.parse_args()

    from weiquan.extract.base import ExtractContext
    from weiquan.extract.ocr import OcrPage
    from weiquan.extract.scoring import Score, predicted_view, score
    from weiquan.extract.screenshot import page_events

    mod = renderer()
    out = Path(tempfile.mkdtemp(prefix="bench-screens-"))
    per = 3 if args.quick else args.per_layout
    records = [{**r, "layout": "calls_" + r["layout"]} for r in mod.build(out, per, seed=args.seed)]
    if not args.calls_only:
        records += renderer("render_phone_chats").build(out, per, seed=args.seed)
    engine: list[Any] = []
    imported = dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc)
    by_layout: dict[str, Score] = {}
    t0 = time.perf_counter()
    for rec in records:
        path = out / rec["file"]
        page = OcrPage.from_json(ocr_cached(engine, path, args.cache))
        events = page_events(
            page, ExtractContext(sha256="0" * 64, names=[rec["name"]], path=path, imported_at=imported)
        )
        s, pairs = score(rec["events"], events)
        by_layout.setdefault(rec["layout"], Score()).add(s)
        if args.misses and (s.matched < s.expected or s.matched < s.predicted):
            print(
                f"-- {rec['file']} (capture {rec['capture']}): {s.matched}/{s.expected} matched, {s.predicted} predicted"
            )
            got = [predicted_view(e) for e in events]
            for exp, hit in pairs:
                if hit is None:
                    print(
                        "   missed  ",
                        {
                            k: exp.get(k)
                            for k in ("direction", "time", "counterpart", "counterpart_name", "count", "text")
                        },
                    )
            matched = [h for _, h in pairs if h is not None]
            for g in got:
                if g not in matched:
                    print(
                        "   extra   ",
                        {
                            k: g[k]
                            for k in (
                                "direction",
                                "time",
                                "counterpart",
                                "counterpart_name",
                                "count",
                                "row_text",
                                "text",
                            )
                        },
                    )
                else:
                    matched.remove(g)
    elapsed = time.perf_counter() - t0
    figures: dict[str, Any] = {
        "bench": "screens",
        "quick": args.quick,
        "seed": args.seed,
        "images": len(records),
        "seconds": round(elapsed, 1),
    }
    print(f"{'layout':<15} {'images':>6} {'events':>6} {'F1':>7} {'P':>7} {'R':>7} {'chars':>7}")
    for layout, s in by_layout.items():
        d = s.as_dict()
        n = sum(1 for r in records if r["layout"] == layout)
        print(
            f"{layout:<15} {n:>6} {d['expected']:>6} {d['f1']:>7.4f} {d['precision']:>7.4f} {d['recall']:>7.4f} "
            f"{d['char_accuracy']:>7.4f}"
        )
        figures[layout] = {
            "images": n,
            "events": d["expected"],
            "event_f1": d["f1"],
            "char_accuracy": d["char_accuracy"],
        }
    ok = all(v["event_f1"] >= 0.95 and v["char_accuracy"] >= 0.98 for k, v in figures.items() if isinstance(v, dict))
    figures["goals_met"] = ok
    print(f"goals (F1 ≥ 0.95, chars ≥ 0.98 per layout): {'met' if ok else 'NOT met'}; {elapsed:.1f} s")
    finish(figures)


if __name__ == "__main__":
    main()
