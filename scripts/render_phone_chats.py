#!/usr/bin/env python3
"""Conversation screens for the independent renderer: WeChat, QQ and Android SMS threads.

Written from the descriptions in ``docs/extraction.md`` ("Real phone layouts: conversations"), sharing
no code with ``scripts/make_screenshots.py``. WeChat and QQ one-to-one and group chats (sender names
above received bubbles in groups), centred time separators in each app's format, voice-message bubbles
with their duration (``5"``) and centred "撤回了一条消息" notices; SMS threads in dark mode and with large
fonts. Expected events come from the specification:

- a text bubble: ``chat`` (WeChat/QQ) or ``sms``, its side's direction, the time of the separator above,
  the counterpart (title; in a group, the sender's name for received messages), the text;
- a voice bubble: the same with text ``[语音 5秒]``;
- a recall notice: direction ``incoming`` ("对方撤回…" / "“王专员”撤回…") or ``outgoing`` ("你撤回…"),
  text ``[撤回了一条消息]``.

Usage: python scripts/render_phone_chats.py OUT_DIR [--per-layout N] [--seed N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from render_phone_screens import Pen, Spec, _font, write_set  # noqa: E402 - after the sys.path line that makes the sibling helpers importable

CHAT_LAYOUTS = ("wechat", "qq", "sms_dark")
_WD = "一二三四五六日"
_IN_TEXTS = [
    "你好，这里是速借宝法务部，你的借款已经逾期15天",
    "今天下午五点前必须还清，否则联系你的紧急联系人",
    "我们已经准备上门了解你的情况",
    "你通讯录里的人我们都会挨个打电话",
    "逾期记录会上报征信，后果自负",
    "请问你什么时候能处理？",
    "最低还款2360元，今天到账",
    "再不接电话就发给你单位领导",
    "这是最后一次通知",
    "你的案件已经转到催收部门",
    "收到请回复",
    "家里人知道你欠钱吗",
]
_OUT_TEXTS = [
    "我会按合同还本金，请不要骚扰我的家人",
    "我这个月工资15号发，到时候还",
    "请提供你们的工号和公司名称",
    "好的",
    "你们这样打电话给我同事是违法的",
    "我已经录音了",
    "能不能分期？",
    "明天上午给你回复",
]
_CONTACTS = ["速借宝-王专员", "法务部张律师", "客服小李", "贷款顾问"]
_GROUPS = [("还款协商群(3)", ["王专员", "张律师"]), ("家人群(5)", ["王专员", "二姨"])]


@dataclass
class Item:
    kind: str  # text|voice|recall
    side: str  # in|out
    when: dt.datetime
    text: str = ""
    sender: str | None = None  # group chats: who sent a received message
    voice_s: int = 0
    separator: bool = False  # a centred time label is printed above this item


def _sep_label(app: str, when: dt.datetime, cap: dt.datetime, twelve: bool) -> str:
    hm = f"{when.hour:02d}:{when.minute:02d}"
    if twelve:
        h = when.hour % 12 or 12
        period = "凌晨" if when.hour < 6 else "上午" if when.hour < 12 else "下午" if when.hour < 18 else "晚上"
        hm = f"{period}{h}:{when.minute:02d}"
    days = (cap.date() - when.date()).days
    if days == 0:
        return hm
    if days == 1:
        return f"昨天 {hm}"
    if days < 7 and app != "sms_dark":
        return f"星期{_WD[when.weekday()]} {hm}"
    if when.year != cap.year:
        return f"{when.year}年{when.month}月{when.day}日 {hm}"
    return f"{when.month}月{when.day}日 {hm}"


def chat_spec(app: str, i: int, seed: int) -> tuple[Spec, dict[str, Any]]:
    rng = random.Random(f"{seed}-{app}-{i}")
    cap = dt.datetime(
        2026, rng.choice([10, 11, 12]), rng.randint(8, 28), rng.randint(8, 23), rng.randint(0, 59), rng.randint(0, 59)
    )
    group = app != "sms_dark" and rng.random() < 0.35
    if app == "sms_dark":
        digits = "1" + rng.choice("3579") + "".join(rng.choice("0123456789") for _ in range(9))
        title = rng.choice(
            [digits, f"{digits[:3]} {digits[3:7]} {digits[7:]}", f"+86 {digits[:3]} {digits[3:7]} {digits[7:]}"]
        )
        senders: list[str] = []
        counterpart: str | None = digits
    elif group:
        title, senders = rng.choice(_GROUPS)
        counterpart = None
    else:
        title, senders, counterpart = rng.choice(_CONTACTS), [], None
    n = rng.randint(4, 6)
    t = cap - dt.timedelta(minutes=rng.randint(30, 60 * 24 * 9))
    items: list[Item] = []
    for k in range(n):
        side = rng.choice(["in", "in", "out"])
        r = rng.random()
        kind = "voice" if app != "sms_dark" and r < 0.15 else "recall" if app != "sms_dark" and r < 0.22 else "text"
        it = Item(
            kind=kind,
            side=side,
            when=t.replace(second=0),
            sender=rng.choice(senders) if senders and side == "in" else None,
            separator=k == 0 or rng.random() < 0.45,
        )
        if kind == "text":
            it.text = rng.choice(_IN_TEXTS if side == "in" else _OUT_TEXTS)
        elif kind == "voice":
            it.voice_s = rng.randint(2, 59)
        items.append(it)
        if rng.random() < 0.45 and k + 1 < n:
            t += dt.timedelta(minutes=rng.choice([10, 50, 200, 900]))
            if t > cap - dt.timedelta(minutes=2):
                t = cap - dt.timedelta(minutes=2)
    ext = {"wechat": "com.tencent.mm", "qq": "com.tencent.mobileqq", "sms_dark": "com.android.mms"}[app]
    file = (
        f"Screenshot_{cap:%Y-%m-%d-%H-%M-%S}-{rng.randint(100, 999)}_{ext}.jpg"
        if rng.random() < 0.5
        else f"Screenshot_{cap:%Y%m%d_%H%M%S}_{ext}.jpg"
    )
    spec = Spec(
        layout=app,
        file=file,
        capture=cap,
        width=rng.choice([1080, 1080, 720, 1220]),
        dark=app == "sms_dark" or rng.random() < 0.25,
        scale=rng.choice([1.0, 1.0, 1.15, 1.3]) if app != "sms_dark" else rng.choice([1.0, 1.3, 1.45]),
        face=rng.choice(["noto", "zenhei"]),
        rows=[],
        exif=False,
        jpeg=rng.choice([92, 80, 70]),
        noise=rng.choice([0, 2.0, 3.0]),
        crop_top=rng.random() < 0.15,
        down=rng.choice([1.0, 1.0, 0.8]),
        label_style=int(rng.random() < 0.4),
    )
    return spec, {"title": title, "group": group, "items": items, "counterpart": counterpart}


_THEME = {  # bg, in bubble, in text, out bubble, out text
    ("wechat", False): ((237, 237, 237), (255, 255, 255), (25, 25, 25), (149, 236, 105), (25, 25, 25)),
    ("wechat", True): ((17, 17, 17), (44, 44, 44), (213, 213, 213), (62, 181, 117), (15, 15, 15)),
    ("qq", False): ((242, 243, 245), (255, 255, 255), (25, 25, 25), (0, 153, 255), (255, 255, 255)),
    ("qq", True): ((16, 16, 18), (38, 38, 41), (220, 220, 220), (0, 122, 214), (255, 255, 255)),
    ("sms_dark", True): ((0, 0, 0), (38, 38, 40), (236, 236, 236), (40, 110, 225), (255, 255, 255)),
}


def _wrap(text: str, font: Any, width: float) -> list[str]:
    lines, cur = [], ""
    for ch in text:
        if cur and font.getlength(cur + ch) > width:
            lines.append(cur)
            cur = ch
        else:
            cur += ch
    return lines + ([cur] if cur else [])


def render_chat(s: Spec, conv: dict[str, Any]) -> tuple[Image.Image, list[dict[str, Any]]]:
    p = Pen(s)
    bg, in_bg, in_fg, out_bg, out_fg = _THEME[(s.layout, s.dark)]
    p.im.paste(bg, (0, 0, p.im.width, p.im.height))
    y = p.status_bar(f"{s.capture.hour:02d}:{s.capture.minute:02d}")
    p.text((p.x(18), y + p.x(30)), "<", 20, p.fg, "ls", scaled=False)
    p.text((p.x(195), y + p.x(30)), conv["title"], 17, p.fg, "ms", bold=True, scaled=False)
    if s.layout == "sms_dark":
        p.text((p.x(195), y + p.x(48)), "短信/彩信", 11, p.sub, "ms", scaled=False)
    p.text((p.x(372), y + p.x(30)), "···", 18, p.fg, "rs", scaled=False)
    y += p.x(62)
    p.d.line([0, y, s.width, y], fill=p.line, width=1)
    bottom = p.h - p.x(64)
    p.d.rectangle([0, bottom, s.width, p.h], fill=(247, 247, 247) if not s.dark else (25, 25, 25))
    p.text(
        (p.x(60), bottom + p.x(36)),
        "按住 说话" if s.layout == "wechat" else "发送" if s.layout == "qq" else "短信",
        14,
        p.sub,
        "ls",
        scaled=False,
    )
    y += p.x(14)
    size = 15.5 * p.dp * s.scale
    font = _font(s.face, size)
    avatar = p.x(40)
    pad = p.x(11)
    maxw = s.width - 2 * (avatar + p.x(26)) - p.x(40)
    expected: list[dict[str, Any]] = []
    shown: dt.datetime | None = None
    channel = "sms" if s.layout == "sms_dark" else "chat"
    for it in conv["items"]:
        if it.separator:
            label = _sep_label(s.layout, it.when, s.capture, bool(s.label_style))
            if y + p.x(30) > bottom:
                break
            p.text((s.width / 2, y + p.x(16)), label, 12, p.sub, "ms")
            y += p.x(30) * (1 + (s.scale - 1) * 0.5)
            shown = it.when
        if it.kind == "recall":
            who = "你" if it.side == "out" else f"“{it.sender}”" if it.sender else "对方"
            if y + p.x(28) > bottom:
                break
            p.text((s.width / 2, y + p.x(16)), f"{who}撤回了一条消息", 12, p.sub, "ms")
            y += p.x(30) * (1 + (s.scale - 1) * 0.5)
            text = "[撤回了一条消息]"
        else:
            if it.kind == "voice":
                body = [f'{it.voice_s}"']
                bw = min(maxw, p.x(70) + p.x(2.2) * it.voice_s)
            else:
                body = _wrap(it.text, font, maxw)
                bw = max(font.getlength(ln) for ln in body) + 2 * pad
            line_h = size * 1.45
            bh = line_h * len(body) + 2 * pad - (line_h - size)
            name_h = p.x(18) * s.scale if it.sender and s.layout in ("wechat", "qq") else 0
            if y + name_h + bh + p.x(14) > bottom:
                break
            is_in = it.side == "in"
            ax = p.x(12) if is_in else s.width - p.x(12) - avatar
            colour = (120, 160, 200) if is_in else (200, 160, 120)
            if s.layout == "qq":
                p.d.ellipse([ax, y, ax + avatar, y + avatar], fill=colour)
            elif s.layout == "wechat":
                p.d.rounded_rectangle([ax, y, ax + avatar, y + avatar], radius=p.x(5), fill=colour)
            if name_h:
                p.text((ax + avatar + p.x(12), y + p.x(12) * s.scale), it.sender, 11.5, p.sub, "ls", scaled=True)
            by = y + name_h
            bx0 = (ax + avatar + p.x(10)) if is_in else (ax - p.x(10) - bw)
            if s.layout == "sms_dark":
                bx0 = p.x(14) if is_in else s.width - p.x(14) - bw
            fill, fg = (in_bg, in_fg) if is_in else (out_bg, out_fg)
            p.d.rounded_rectangle(
                [bx0, by, bx0 + bw, by + bh], radius=p.x(6 if s.layout == "wechat" else 14), fill=fill
            )
            if it.kind == "voice":
                tx = bx0 + pad + p.x(22) if is_in else bx0 + bw - pad - p.x(22)
                p.d.text((tx, by + bh / 2), body[0], font=font, fill=fg, anchor="lm" if is_in else "rm")
                cx = bx0 + pad + p.x(6) if is_in else bx0 + bw - pad - p.x(6)  # the sound-wave glyph
                for k in range(3):
                    r = p.x(3 + 4 * k)
                    box = [cx - r, by + bh / 2 - r, cx + r, by + bh / 2 + r]
                    p.d.arc(box, -45 if is_in else 135, 45 if is_in else 225, fill=fg, width=max(1, round(p.x(1.5))))
                if is_in:
                    p.d.ellipse([bx0 + bw + p.x(6), by + p.x(4), bx0 + bw + p.x(12), by + p.x(10)], fill=(250, 81, 81))
                text = f"[语音 {it.voice_s}秒]"
            else:
                for k, ln in enumerate(body):
                    p.d.text((bx0 + pad, by + pad + k * line_h), ln, font=font, fill=fg, anchor="la")
                text = it.text
            y = max(y + avatar, by + bh) + p.x(14)
        if shown is None:
            raise ValueError("the first item needs a separator")
        name = conv["title"] if channel == "chat" else None
        if conv["group"] and it.side == "in":
            name = it.sender
        expected.append(
            {
                "channel": channel,
                "direction": "incoming" if it.side == "in" else "outgoing",
                "time": f"{shown:%Y-%m-%d %H:%M}",
                "counterpart": conv["counterpart"],
                "counterpart_name": name,
                "text": text,
            }
        )
    return p.im, expected


def build(
    out: Path, per_layout: int = 12, layouts: tuple[str, ...] = CHAT_LAYOUTS, seed: int = 18
) -> list[dict[str, Any]]:
    def make(app: str, i: int) -> tuple[Spec, Image.Image, list[dict[str, Any]]]:
        s, conv = chat_spec(app, i, seed)
        return (s, *render_chat(s, conv))

    return write_set(out, layouts, per_layout, make, "expected-chats.json")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--per-layout", type=int, default=12)
    ap.add_argument("--seed", type=int, default=18)
    args = ap.parse_args()
    recs = build(args.out, args.per_layout, seed=args.seed)
    print(f"{len(recs)} screenshots, {sum(len(r['events']) for r in recs)} expected events → {args.out}")


if __name__ == "__main__":
    main()
