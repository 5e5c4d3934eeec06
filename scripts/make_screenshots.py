#!/usr/bin/env python3
"""Render synthetic phone screenshots with their exact expected events (test and benchmark fixtures).

Layouts: Android SMS (MIUI-like, Huawei-like with a time under each bubble), iOS Messages,
Android and iOS call history, WeChat and QQ chats, and an unrelated app page (fallback).
Light and dark themes, several resolutions, some saved as JPEG with a slight blur.

The expected events are computed from the *specification* (true datetimes), never from the
parser: each on-screen time label is formatted here from the true time and the capture time,
the way phones format them. Messages are written for these fixtures (no real person's data).

Usage: python scripts/make_screenshots.py OUT_DIR   → OUT_DIR/<name>.png|jpg + OUT_DIR/expected.json
Needs a CJK font: Debian fonts-wqy-microhei or fonts-noto-cjk.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_CANDIDATES = [
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
]
WEEK = "一二三四五六日"


def font_path() -> tuple[str, int]:
    for p, idx in FONT_CANDIDATES:
        if Path(p).is_file():
            return p, idx
    raise SystemExit("no CJK font found: apt-get install fonts-wqy-microhei")


_FONTS: dict[tuple[int, str], ImageFont.FreeTypeFont] = {}
_FACE = {"face": "wqy"}  # the face used by the shot being rendered


def font(px: int) -> ImageFont.FreeTypeFont:
    key = (px, _FACE["face"])
    if key not in _FONTS:
        p, idx = font_path()
        if _FACE["face"] == "noto" and Path(FONT_CANDIDATES[1][0]).is_file():
            p, idx = FONT_CANDIDATES[1]
        _FONTS[key] = ImageFont.truetype(p, px, index=idx)
    return _FONTS[key]


# -- time labels as phones print them ------------------------------------------------------


def label(when: dt.datetime, style: str) -> str:
    hm = f"{when.hour:02d}:{when.minute:02d}"
    if style == "time":
        return hm
    if style == "yest":
        return f"昨天 {hm}"
    if style == "yest_day":
        return "昨天"
    if style == "weekday_time":
        return f"星期{WEEK[when.weekday()]} {hm}"
    if style == "weekday":
        return f"星期{WEEK[when.weekday()]}"
    if style == "md_dash":
        return f"{when.month}-{when.day:02d}"
    if style == "md_cn":
        return f"{when.month}月{when.day}日 {hm}"
    if style == "md_cn_period":
        h = when.hour
        period = "上午" if h < 12 else "下午" if h < 18 else "晚上"
        h12 = h if h <= 12 else h - 12
        return f"{when.month}月{when.day}日 {period}{h12}:{when.minute:02d}"
    if style == "ymd_cn_wd":
        return f"{when.year}年{when.month}月{when.day}日 星期{WEEK[when.weekday()]} {hm}"
    if style == "ymd_dash":
        return f"{when:%Y-%m-%d} {hm}"
    if style == "ymd_slash":
        return f"{when:%Y/%m/%d}"
    raise ValueError(style)


DAY_STYLES = {"yest_day", "weekday", "md_dash", "ymd_slash"}


def expected_time(when: dt.datetime, style: str) -> str:
    return f"{when:%Y-%m-%d}" if style in DAY_STYLES else f"{when:%Y-%m-%d %H:%M}"


# -- themes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Theme:
    bg: str
    bar: str
    text: str
    sub: str
    in_bubble: str
    in_text: str
    out_bubble: str
    out_text: str
    missed: str = "#E5362C"


THEMES = {
    ("android", "light"): Theme("#FFFFFF", "#F7F7F7", "#111111", "#8A8A8A", "#F0F0F0", "#111111", "#3B82F6", "#FFFFFF"),
    ("android", "dark"): Theme("#000000", "#121212", "#EDEDED", "#8E8E8E", "#2A2A2A", "#EDEDED", "#2F6FDE", "#FFFFFF"),
    ("ios", "light"): Theme("#FFFFFF", "#F6F6F6", "#000000", "#8E8E93", "#E9E9EB", "#000000", "#0B84FF", "#FFFFFF"),
    ("ios", "dark"): Theme("#000000", "#1C1C1E", "#FFFFFF", "#8E8E93", "#262628", "#FFFFFF", "#0A84FF", "#FFFFFF"),
    ("wechat", "light"): Theme("#EDEDED", "#EDEDED", "#111111", "#9B9B9B", "#FFFFFF", "#111111", "#95EC69", "#111111"),
    ("wechat", "dark"): Theme("#111111", "#111111", "#D5D5D5", "#6F6F6F", "#2C2C2C", "#D5D5D5", "#3EB575", "#0F0F0F"),
    ("qq", "light"): Theme("#F2F3F5", "#F2F3F5", "#111111", "#999999", "#FFFFFF", "#111111", "#0099FF", "#FFFFFF"),
}


# -- specifications -------------------------------------------------------------------------


@dataclass
class Msg:
    side: str  # in|out
    text: str
    when: dt.datetime
    sep_style: str | None = None  # print a centred separator before this message in this style
    own_time: bool = False  # print a small time under the bubble (Huawei-like skins)


@dataclass
class CallRow:
    who: str  # number or name as displayed
    number: str | None
    name: str | None
    when: dt.datetime
    style: str
    direction: str  # missed|incoming|outgoing|rejected|unknown
    label: str | None  # secondary line (呼入 2分15秒 …) or None
    count: int = 1
    duration_s: int | None = None


@dataclass
class Shot:
    name: str  # file name (carries the capture time for most fixtures)
    layout: str  # sms_android|sms_ios|calls_android|calls_ios|wechat|qq|other
    theme: str
    size: tuple[int, int]
    capture: dt.datetime | None
    title: str = ""
    subtitle: str = ""
    counterpart: str | None = None
    counterpart_name: str | None = None
    msgs: list[Msg] = field(default_factory=list)
    calls: list[CallRow] = field(default_factory=list)
    page_lines: list[str] = field(default_factory=list)
    exif: bool = False
    jpeg: int | None = None
    blur: float = 0.0
    face: str = "wqy"  # wqy (WenQuanYi Micro Hei) or noto (Noto Sans CJK SC)


def _wrap(text: str, f: ImageFont.FreeTypeFont, width: float) -> list[str]:
    lines, cur = [], ""
    for ch in text:
        if f.getlength(cur + ch) > width and cur:
            lines.append(cur)
            cur = ch
        else:
            cur += ch
    if cur:
        lines.append(cur)
    return lines


class Canvas:
    def __init__(self, shot: Shot, family: str) -> None:
        self.shot = shot
        self.w, self.h = shot.size
        self.dp = self.w / 360
        self.t = THEMES[(family, shot.theme)]
        self.im = Image.new("RGB", shot.size, self.t.bg)
        self.d = ImageDraw.Draw(self.im)

    def px(self, v: float) -> int:
        return int(round(v * self.dp))

    def text(self, xy: tuple[float, float], s: str, size: float, fill: str, anchor: str = "la") -> None:
        self.d.text(xy, s, font=font(self.px(size)), fill=fill, anchor=anchor)

    def status_bar(self) -> None:
        cap = self.shot.capture or dt.datetime(2026, 1, 1, 9, 41)
        self.d.rectangle([0, 0, self.w, self.px(24)], fill=self.t.bar)
        self.text((self.px(14), self.px(12)), f"{cap.hour}:{cap.minute:02d}", 11, self.t.text, "lm")
        self.text((self.w - self.px(14), self.px(12)), "5G 87%", 11, self.t.text, "rm")

    def header(self, title: str, subtitle: str, centred: bool) -> int:
        top = self.px(24)
        hgt = self.px(60 if subtitle else 52)
        self.d.rectangle([0, top, self.w, top + hgt], fill=self.t.bar)
        x = self.w / 2 if centred else self.px(48)
        anchor = "mm" if centred else "lm"
        self.text((self.px(16), top + hgt / 2), "<", 18, self.t.text, "lm")
        if subtitle:
            self.text((x, top + self.px(22)), title, 18, self.t.text, anchor)
            self.text((x, top + self.px(45)), subtitle, 12, self.t.sub, anchor)
        else:
            self.text((x, top + hgt / 2), title, 18, self.t.text, anchor)
        return top + hgt

    def bottom_bar(self, placeholder: str, button: str) -> int:
        top = self.h - self.px(56)
        self.d.rectangle([0, top, self.w, self.h], fill=self.t.bar)
        self.d.rounded_rectangle(
            [self.px(12), top + self.px(10), self.w - self.px(70), top + self.px(44)],
            radius=self.px(16),
            fill=self.t.bg,
        )
        self.text((self.px(26), top + self.px(27)), placeholder, 14, self.t.sub, "lm")
        self.text((self.w - self.px(40), top + self.px(27)), button, 14, self.t.text, "mm")
        return top


def render_conversation(shot: Shot, family: str) -> Image.Image:
    c = Canvas(shot, family)
    c.status_bar()
    y = c.header(shot.title, shot.subtitle, centred=family in ("ios", "wechat", "qq")) + c.px(12)
    bottom = c.bottom_bar(
        {"android": "短信", "ios": "信息", "wechat": "", "qq": ""}[family] or " ",
        {"android": "发送", "ios": "↑", "wechat": "+", "qq": "+"}[family],
    )
    avatar = family in ("wechat", "qq")
    f = font(c.px(15))
    line_h = c.px(22)
    for m in shot.msgs:
        if m.sep_style:
            y += c.px(8)
            c.text((c.w / 2, y + c.px(8)), label(m.when, m.sep_style), 12, c.t.sub, "mm")
            y += c.px(26)
        lines = _wrap(m.text, f, c.px(230))
        bw = max(f.getlength(ln) for ln in lines) + c.px(24)
        bh = line_h * len(lines) + c.px(16)
        inset = c.px(58) if avatar else c.px(12)
        if m.side == "in":
            x0 = inset
            if avatar:
                c.d.rounded_rectangle([c.px(10), y, c.px(48), y + c.px(38)], radius=c.px(5), fill="#D28F5A")
        else:
            x0 = c.w - inset - bw
            if avatar:
                c.d.rounded_rectangle([c.w - c.px(48), y, c.w - c.px(10), y + c.px(38)], radius=c.px(5), fill="#5A8FD2")
        fill = c.t.in_bubble if m.side == "in" else c.t.out_bubble
        colour = c.t.in_text if m.side == "in" else c.t.out_text
        c.d.rounded_rectangle([x0, y, x0 + bw, y + bh], radius=c.px(14 if family == "ios" else 8), fill=fill)
        for i, ln in enumerate(lines):
            c.d.text((x0 + c.px(12), y + c.px(8) + i * line_h + c.px(2)), ln, font=f, fill=colour)
        y += bh
        if m.own_time:
            tx = x0 + c.px(4) if m.side == "in" else x0 + bw - c.px(4)
            c.text((tx, y + c.px(9)), label(m.when, "time"), 11, c.t.sub, "lm" if m.side == "in" else "rm")
            y += c.px(18)
        y += c.px(10)
        if y > bottom:
            raise ValueError(f"{shot.name}: messages overflow the screen")
    return c.im


def render_calls(shot: Shot, family: str) -> Image.Image:
    c = Canvas(shot, family)
    c.status_bar()
    y = c.header(shot.title, "", centred=family == "ios")
    tabs = ("全部", "未接") if family == "ios" else ("全部通话", "未接来电")
    c.text((c.w / 2 - c.px(50), y + c.px(18)), tabs[0], 13, c.t.text, "mm")
    c.text((c.w / 2 + c.px(50), y + c.px(18)), tabs[1], 13, c.t.sub, "mm")
    y += c.px(40)
    row_h = c.px(64)
    for r in shot.calls:
        colour = c.t.missed if r.direction == "missed" else c.t.text
        who = r.who + (f" ({r.count})" if r.count > 1 else "")
        if r.label:
            c.text((c.px(20), y + c.px(22)), who, 16, colour, "lm")
            c.text((c.px(20), y + c.px(45)), r.label, 12, c.t.sub, "lm")
        else:
            c.text((c.px(20), y + row_h / 2), who, 16, colour, "lm")
        c.text(
            (c.w - c.px(20 if family == "android" else 44), y + row_h / 2), label(r.when, r.style), 12, c.t.sub, "rm"
        )
        if family == "ios":
            c.d.ellipse(
                [c.w - c.px(32), y + row_h / 2 - c.px(8), c.w - c.px(16), y + row_h / 2 + c.px(8)],
                outline="#0B84FF",
                width=max(1, c.px(1.5)),
            )
        c.d.line([c.px(20), y + row_h, c.w, y + row_h], fill=c.t.in_bubble, width=1)
        y += row_h
    return c.im


def render_other(shot: Shot) -> Image.Image:
    c = Canvas(shot, "android")
    c.status_bar()
    y = c.header(shot.title, "", centred=True) + c.px(20)
    for ln in shot.page_lines:
        c.text((c.px(24), y), ln, 15, c.t.text, "la")
        y += c.px(34)
    return c.im


def render(shot: Shot) -> Image.Image:
    _FACE["face"] = shot.face
    if shot.layout in ("sms_android", "sms_ios", "wechat", "qq"):
        family = {"sms_android": "android", "sms_ios": "ios"}.get(shot.layout, shot.layout)
        return render_conversation(shot, family)
    if shot.layout in ("calls_android", "calls_ios"):
        return render_calls(shot, shot.layout.split("_")[1])
    return render_other(shot)


def expected(shot: Shot) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    channel = "sms" if shot.layout.startswith("sms") else "chat"
    shown: dt.datetime | None = None  # what the screen states for a bubble: its own time, else the separator's
    for m in shot.msgs:
        if m.sep_style:
            shown = m.when
        when = m.when if m.own_time else shown
        if when is None:
            raise ValueError(f"{shot.name}: the first message needs a separator or its own time")
        out.append(
            {
                "channel": channel,
                "direction": "incoming" if m.side == "in" else "outgoing",
                "time": f"{when:%Y-%m-%d %H:%M}",
                "counterpart": shot.counterpart,
                "counterpart_name": shot.counterpart_name,
                "text": m.text,
            }
        )
    for r in shot.calls:
        for _ in range(r.count):
            out.append(
                {
                    "channel": "call",
                    "direction": r.direction,
                    "time": expected_time(r.when, r.style),
                    "counterpart": r.number,
                    "counterpart_name": r.name,
                    "text": None,
                    "duration_s": r.duration_s,
                }
            )
    if shot.layout == "other":
        out.append(
            {
                "channel": "other",
                "direction": "unknown",
                "time": None,
                "counterpart": None,
                "counterpart_name": None,
                "text": "\n".join([shot.title, *shot.page_lines]),
            }
        )
    return out


# -- the fixture set ----------------------------------------------------------------------------


def T(*a: int) -> dt.datetime:
    return dt.datetime(*a)


def fixtures() -> list[Shot]:
    cap = T(2026, 10, 30, 21, 47, 33)
    s: list[Shot] = []
    s.append(
        Shot(
            "Screenshot_2026-10-30-21-47-33-123_com.android.mms.jpg",
            "sms_android",
            "light",
            (1080, 2340),
            cap,
            title="1069 0571 2345",
            subtitle="短信",
            counterpart="106905712345",
            jpeg=85,
            msgs=[
                Msg(
                    "in",
                    "【速易贷】您的借款已逾期3天，应还金额2,860.50元，请于今日18:00前还款。",
                    T(2026, 10, 27, 9, 15),
                    "md_cn",
                ),
                Msg(
                    "in", "【速易贷】逾期将上报征信并通知您的紧急联系人，请立即处理。", T(2026, 10, 28, 21, 47), "md_cn"
                ),
                Msg("out", "我已经在协商还款，请不要联系我的家人。", T(2026, 10, 28, 21, 52), "md_cn"),
                Msg("in", "【速易贷】今天不还明天就去你单位找你领导。", T(2026, 10, 29, 22, 31), "yest"),
            ],
        )
    )
    s.append(
        Shot(
            "Screenshot_20261030_214733_com.android.mms.png",
            "sms_android",
            "dark",
            (720, 1600),
            cap,
            title="138 0013 8000",
            subtitle="广东深圳 移动",
            counterpart="13800138000",
            msgs=[
                Msg(
                    "in",
                    "你好，这里是某某资产管理公司，关于你在借呗的欠款。",
                    T(2026, 10, 29, 8, 5),
                    "yest",
                    own_time=True,
                ),
                Msg("out", "请问你们是哪家机构？", T(2026, 10, 29, 8, 7), None, own_time=True),
                Msg("in", "三天内不处理就给你通讯录里的人打电话。", T(2026, 10, 30, 7, 58), "time", own_time=True),
                Msg("in", "别逼我们上门。", T(2026, 10, 30, 8, 0), None, own_time=True),
            ],
        )
    )
    s.append(
        Shot(
            "IMG_1234.PNG",
            "sms_ios",
            "light",
            (828, 1792),
            T(2025, 6, 5, 10, 12, 0),
            exif=True,
            title="+86 171 2345 6789",
            subtitle="短信",
            counterpart="17123456789",
            msgs=[
                Msg(
                    "in",
                    "您好，您在快花平台的账单已逾期45天，欠款人民币12,860.50元。",
                    T(2025, 6, 3, 21, 47),
                    "ymd_cn_wd",
                ),
                Msg("in", "再不还款我们将向法院起诉，并安排人员上门。", T(2025, 6, 4, 10, 15), "yest"),
                Msg("out", "请提供你们的工号和公司名称。", T(2025, 6, 4, 10, 20), None),
            ],
        )
    )
    s.append(
        Shot(
            "Screenshot_20261101-083015.jpg",
            "sms_ios",
            "dark",
            (1170, 2532),
            T(2026, 11, 1, 8, 30, 15),
            title="+86 165 0000 1234",
            subtitle="短信",
            counterpart="16500001234",
            jpeg=80,
            blur=0.5,
            msgs=[
                Msg(
                    "in", "最后通知：今晚12点前不还清，全家都会知道你欠钱不还。", T(2026, 10, 28, 23, 5), "weekday_time"
                ),
                Msg("in", "你的照片已经做好了，等着看吧。", T(2026, 10, 30, 6, 40), "weekday_time"),
                Msg("out", "你们这是违法催收，我会向监管部门投诉。", T(2026, 10, 31, 9, 3), "yest"),
            ],
        )
    )
    s.append(
        Shot(
            "Screenshot_20261030-214733.png",
            "calls_android",
            "light",
            (1080, 2340),
            cap,
            title="通话记录",
            calls=[
                CallRow(
                    "170 1234 5678", "17012345678", None, T(2026, 10, 30, 21, 40), "time", "missed", "未接来电", count=7
                ),
                CallRow(
                    "0755-12345678",
                    "075512345678",
                    None,
                    T(2026, 10, 30, 9, 12),
                    "time",
                    "incoming",
                    "呼入 2分15秒",
                    duration_s=135,
                ),
                CallRow(
                    "400-820-8820",
                    "4008208820",
                    None,
                    T(2026, 10, 29, 21, 47),
                    "yest",
                    "outgoing",
                    "呼出 35秒",
                    duration_s=35,
                ),
                CallRow("138 0013 8000", "13800138000", None, T(2026, 10, 28, 0, 0), "weekday", "rejected", "已拒接"),
                CallRow(
                    "王经理", None, "王经理", T(2026, 10, 25, 0, 0), "md_dash", "incoming", "呼入 1分5秒", duration_s=65
                ),
            ],
        )
    )
    s.append(
        Shot(
            "Screenshot_20261030_214733_com.android.contacts.jpg",
            "calls_android",
            "dark",
            (720, 1600),
            cap,
            title="最近通话",
            jpeg=82,
            blur=0.4,
            calls=[
                CallRow(
                    "162 8888 1234",
                    "16288881234",
                    None,
                    T(2026, 10, 30, 20, 15),
                    "time",
                    "missed",
                    "未接 响铃5秒",
                    count=3,
                ),
                CallRow("021-62345678", "02162345678", None, T(2026, 10, 30, 8, 2), "time", "rejected", "已拒接"),
                CallRow(
                    "95188", "95188", None, T(2026, 10, 29, 0, 0), "yest_day", "incoming", "呼入 4分2秒", duration_s=242
                ),
            ],
        )
    )
    s.append(
        Shot(
            "Screenshot_20261102-101500.png",
            "calls_ios",
            "light",
            (828, 1792),
            T(2026, 11, 2, 10, 15),
            title="最近通话",
            calls=[
                CallRow(
                    "+86 171 0000 5678",
                    "17100005678",
                    None,
                    T(2026, 11, 1, 0, 0),
                    "yest_day",
                    "missed",
                    "手机",
                    count=4,
                ),
                CallRow(
                    "+86 139 1234 5678", "13912345678", None, T(2026, 10, 29, 0, 0), "weekday", "unknown", "江苏常州"
                ),
                CallRow("+86 186 1234 5678", "18612345678", None, T(2026, 10, 20, 0, 0), "ymd_slash", "missed", "北京"),
            ],
        )
    )
    s.append(
        Shot(
            "Screenshot_20261030_214733_com.tencent.mm.png",
            "wechat",
            "light",
            (1080, 2340),
            cap,
            title="催收专员小李",
            counterpart_name="催收专员小李",
            msgs=[
                Msg("in", "你好，你在有钱花的借款已经逾期，今天必须还清。", T(2026, 10, 29, 22, 15), "yest"),
                Msg("out", "我现在没有能力全额还款，可以分期吗？", T(2026, 10, 29, 22, 15), None),
                Msg("in", "不行，不还就把你的欠款信息发到你们公司群里。", T(2026, 10, 30, 15, 25), "md_cn_period"),
                Msg("in", "你父母的电话我们也有。", T(2026, 10, 30, 15, 25), None),
            ],
        )
    )
    s.append(
        Shot(
            "微信图片_20261030214733.jpg",
            "wechat",
            "dark",
            (720, 1600),
            cap,
            title="法务部-张律师",
            jpeg=85,
            blur=0.3,
            counterpart_name="法务部-张律师",
            msgs=[
                Msg("in", "我是法务部的，你的案件已经立案，明天法院就会来拘留你。", T(2026, 10, 30, 10, 32), "time"),
                Msg("out", "请发来立案通知书和案号。", T(2026, 10, 30, 10, 40), "time"),
            ],
        )
    )
    s.append(
        Shot(
            "Screenshot_20261030_214733_com.tencent.mobileqq.png",
            "qq",
            "light",
            (1080, 2340),
            cap,
            title="贷款客服",
            counterpart_name="贷款客服",
            msgs=[
                Msg("in", "您好，您的账单应还金额3000元，逾期费每天收取100元。", T(2026, 10, 26, 9, 3), "weekday_time"),
                Msg("out", "逾期费这么高是否合法？", T(2026, 10, 26, 9, 10), None),
            ],
        )
    )
    s.append(
        Shot(
            "Screenshot_20261030-120000.png",
            "other",
            "light",
            (720, 1600),
            T(2026, 10, 30, 12, 0, 0),
            title="借款详情",
            page_lines=[
                "借款金额：5000.00元",
                "到账金额：3500.00元",
                "服务费：1500.00元",
                "借款期限：7天",
                "应还金额：5000.00元",
            ],
        )
    )
    s.append(
        Shot(
            "evidence-photo.png",
            "sms_android",
            "light",
            (720, 1600),
            None,
            title="1065 5012 3456",
            subtitle="短信",
            counterpart="106550123456",
            msgs=[
                Msg("in", "【极速钱包】您已逾期，我司将委托第三方上门催收。", T(2025, 3, 15, 18, 0), "ymd_dash"),
                Msg("in", "【极速钱包】请勿忽视本通知。", T(2025, 3, 16, 9, 30), "ymd_dash"),
            ],
        )
    )
    s.append(
        Shot(
            "Screenshot_20261030-214733_com.android.mms.jpg",
            "sms_android",
            "light",
            (1440, 3200),
            cap,
            face="noto",
            title="157 1234 0000",
            subtitle="江苏南京 移动",
            counterpart="15712340000",
            jpeg=88,
            msgs=[
                Msg("in", "您的贷款已严重逾期，催收部门将于明日上门核实您的住址。", T(2026, 10, 29, 14, 2), "yest"),
                Msg("in", "如需协商请回复1，回复TD退订。", T(2026, 10, 29, 14, 2), None),
                Msg("out", "请停止骚扰，我已录音保存证据。", T(2026, 10, 30, 20, 11), "time"),
            ],
        )
    )
    s.append(
        Shot(
            "Screenshot_20261031-090000.png",
            "calls_ios",
            "dark",
            (1170, 2532),
            T(2026, 10, 31, 9, 0, 0),
            title="最近通话",
            face="noto",
            calls=[
                CallRow(
                    "+86 199 8888 0000",
                    "19988880000",
                    None,
                    T(2026, 10, 31, 8, 55),
                    "time",
                    "missed",
                    "未接来电",
                    count=12,
                ),
                CallRow(
                    "+86 131 0000 2222",
                    "13100002222",
                    None,
                    T(2026, 10, 30, 22, 40),
                    "yest",
                    "outgoing",
                    "呼出 1分2秒",
                    duration_s=62,
                ),
            ],
        )
    )
    return s


def check_labels(shot: Shot) -> None:
    """Refuse a label a phone would not print for that time (e.g. a bare time for another day)."""
    cap = shot.capture
    pairs = [(m.when, m.sep_style) for m in shot.msgs if m.sep_style] + [(r.when, r.style) for r in shot.calls]
    for when, style in pairs:
        if cap is None:
            if style not in ("ymd_cn_wd", "ymd_dash", "ymd_slash"):
                raise ValueError(f"{shot.name}: without a capture time only full dates are unambiguous")
            continue
        days = (cap.date() - when.date()).days
        ok = {
            "time": days == 0,
            "yest": days == 1,
            "yest_day": days == 1,
            "weekday_time": 2 <= days <= 6,
            "weekday": 2 <= days <= 6,
        }.get(style, days >= 0)
        if not ok or when > cap:
            raise ValueError(f"{shot.name}: label style {style} is wrong for {when} captured {cap}")


def save(shot: Shot, out_dir: Path) -> Path:
    check_labels(shot)
    im = render(shot)
    if shot.blur:
        im = im.filter(ImageFilter.GaussianBlur(shot.blur))
    path = out_dir / shot.name
    kwargs: dict[str, Any] = {}
    if shot.exif and shot.capture is not None:
        exif = Image.Exif()
        exif[0x0132] = shot.capture.strftime("%Y:%m:%d %H:%M:%S")
        kwargs["exif"] = exif
    if shot.jpeg:
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=shot.jpeg, **kwargs)
        path.write_bytes(buf.getvalue())
    else:
        im.save(path, "PNG", **kwargs)
    return path


def build(out_dir: Path) -> list[dict[str, Any]]:
    """Write every fixture image and expected.json into out_dir; return the expected list."""
    out_dir.mkdir(parents=True, exist_ok=True)
    records = []
    for shot in fixtures():
        save(shot, out_dir)
        records.append(
            {
                "file": shot.name,
                "layout": shot.layout,
                "theme": shot.theme,
                "size": list(shot.size),
                "capture": shot.capture.isoformat()
                if shot.capture and not shot.exif and shot.name != "evidence-photo.png"
                else None,
                "anchor_basis": "exif" if shot.exif else ("file_name" if shot.capture else "import_time"),
                "events": expected(shot),
            }
        )
    (out_dir / "expected.json").write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    return records


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    recs = build(Path(sys.argv[1]))
    print(f"{len(recs)} screenshots, {sum(len(r['events']) for r in recs)} expected events → {sys.argv[1]}")
