#!/usr/bin/env python3
"""A second, independent screenshot renderer: call-history screens as five real phone UIs draw them.

This file shares no code with ``scripts/make_screenshots.py`` (the renderer the extractor was
developed on) and was written from the layout descriptions in ``docs/extraction.md`` ("Real phone
layouts"): iOS 最近通话, MIUI, EMUI/HarmonyOS, ColorOS and OriginOS dialers. It uses other fonts
(Noto Sans CJK SC regular/bold, WenQuanYi Zen Hei), other sizes, the phones' own date labels
(昨天, 前天, 星期一, 11/04, 11月4日, 2026/11/4, 上午/下午), collapsed rows with a count in parentheses
(sometimes drawn as a separate grey run), red missed calls, region/carrier lines with SIM badges,
avatars, arrow icons, status bars with notches or punch holes, dark mode, large fonts, cropping,
sensor-free noise, downscaling and JPEG compression.

Expected events come from the specification (true datetimes, true call kinds), never from the
extractor: a row of N calls is N expected events carrying the latest call's time. The direction
expected is what the screen shows in words or colour (red → ``missed``, a 呼入/呼出 label → that);
where only an arrow icon tells it, ``unknown`` (OCR reads text, not icons — a documented limit).

Usage: python scripts/render_phone_screens.py OUT_DIR [--per-layout N]
       → OUT_DIR/<layout>/<file> + OUT_DIR/expected.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

LAYOUTS = ("ios", "miui", "emui", "coloros", "originos")
_FACES = {
    "noto": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    "noto_bold": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
    "zenhei": ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
}
_WD = "一二三四五六日"
_REGIONS = [
    "广东深圳",
    "广东广州",
    "北京",
    "上海",
    "浙江杭州",
    "江苏南京",
    "四川成都",
    "湖北武汉",
    "河南郑州",
    "福建厦门",
    "湖南长沙",
    "山东济南",
    "重庆",
    "陕西西安",
]
_CARRIERS = ["移动", "联通", "电信"]
_NAMES = ["张经理", "李律师", "王专员", "妈妈", "刘主管", "陈法务", "客服中心", "赵老师"]


def _font(face: str, px: float) -> ImageFont.FreeTypeFont:
    path, idx = _FACES[face]
    if not Path(path).is_file():
        path, idx = _FACES["zenhei"]
    return ImageFont.truetype(path, max(8, round(px)), index=idx)


@dataclass
class Row:
    number: str | None  # digits
    shown: str  # what the primary line shows (formatted number or a contact name)
    name: str | None
    when: dt.datetime  # latest call of the row
    kind: str  # in|out|missed
    count: int
    region: str | None  # "广东深圳 移动"
    sim: str | None  # badge text: 1, 2, 主, 副


@dataclass
class Spec:
    layout: str
    file: str
    capture: dt.datetime
    width: int
    dark: bool
    scale: float  # font scale: 1.0 normal, 1.3 large fonts
    face: str
    rows: list[Row]
    exif: bool
    jpeg: int | None
    noise: float
    crop_top: bool
    down: float  # downscale factor before saving (1.0 none)
    label_style: int  # variant of the date labels


# -- date labels as each phone prints them -------------------------------------------------------------


def _hm(t: dt.datetime, twelve: bool) -> str:
    if not twelve:
        return f"{t.hour:02d}:{t.minute:02d}"
    h = t.hour % 12 or 12
    return f"{'上午' if t.hour < 12 else '下午'}{h}:{t.minute:02d}"


def time_label(layout: str, when: dt.datetime, cap: dt.datetime, variant: int) -> tuple[str, bool]:
    """(label, has clock time)."""
    days = (cap.date() - when.date()).days
    twelve = layout == "coloros" or (layout == "ios" and variant == 1)
    if days == 0:
        return _hm(when, twelve), True
    if layout == "ios":
        if days == 1:
            return "昨天", False
        if days < 7:
            return f"星期{_WD[when.weekday()]}", False
        return f"{when.year}/{when.month}/{when.day}", False
    if layout == "miui":
        if days == 1:
            return f"昨天 {_hm(when, False)}", True
        if days == 2:
            return f"前天 {_hm(when, False)}", True
        return (
            (f"{when.month:02d}/{when.day:02d}", False)
            if variant == 0
            else (f"{when.month:02d}/{when.day:02d} {_hm(when, False)}", True)
        )
    if layout == "emui":
        if days == 1:
            return "昨天", False
        if days < 7:
            return f"星期{_WD[when.weekday()]}", False
        return (f"{when.month}/{when.day}" if when.year == cap.year else f"{when.year}/{when.month}/{when.day}"), False
    if layout == "coloros":
        if days == 1:
            return f"昨天 {_hm(when, True)}", True
        if days == 2:
            return "前天", False
        return f"{when.month}月{when.day}日", False
    # originos
    if days == 1:
        return f"昨天 {_hm(when, False)}", True
    if days < 7:
        return f"星期{_WD[when.weekday()]} {_hm(when, False)}", True
    return f"{when.month}月{when.day}日 {_hm(when, False)}", True


# -- the specification of a set ----------------------------------------------------------------------


def _number(rng: random.Random) -> tuple[str, str]:
    """(digits, displayed form) in the mix collectors call from."""
    k = rng.random()
    if k < 0.55:
        d = rng.choice(["13", "15", "17", "18", "19"]) + "".join(rng.choice("0123456789") for _ in range(9))
        shown = rng.choice([d, f"{d[:3]} {d[3:7]} {d[7:]}", f"+86 {d[:3]} {d[3:7]} {d[7:]}"])
        return d, shown
    if k < 0.75:
        area = rng.choice(["021", "010", "0755", "020", "0571"])
        local = "".join(rng.choice("123456789") for _ in range(8 if len(area) == 3 else 7 + (area != "0755")))
        return area + local, rng.choice([f"{area}-{local}", f"{area} {local}", area + local])
    if k < 0.88:
        d = "400" + "".join(rng.choice("0123456789") for _ in range(7))
        return d, rng.choice([d, f"{d[:3]}-{d[3:6]}-{d[6:]}", f"{d[:3]} {d[3:6]} {d[6:]}"])
    d = "95" + "".join(rng.choice("0123456789") for _ in range(3))
    return d, d


def spec_for(layout: str, i: int, seed: int = 18) -> Spec:
    rng = random.Random(f"{seed}-{layout}-{i}")
    cap = dt.datetime(
        2026, rng.choice([10, 11, 12]), rng.randint(8, 28), rng.randint(7, 23), rng.randint(0, 59), rng.randint(0, 59)
    )
    width = {
        "ios": rng.choice([1170, 1179, 828]),
        "miui": rng.choice([1080, 1220]),
        "emui": rng.choice([1080, 1228]),
        "coloros": rng.choice([1080, 720]),
        "originos": rng.choice([1080, 1260]),
    }[layout]
    scale = rng.choice([1.0, 1.0, 1.15, 1.3])
    n_rows = rng.randint(5, 8) if scale < 1.2 else rng.randint(4, 6)
    t = cap - dt.timedelta(minutes=rng.randint(2, 90))
    rows: list[Row] = []
    for _ in range(n_rows):
        digits, shown = _number(rng)
        name = None
        if rng.random() < 0.15:
            name = rng.choice(_NAMES)
            shown = name
        kind = rng.choices(["missed", "in", "out"], [0.5, 0.25, 0.25])[0]
        count = rng.choice([1, 1, 1, 2, 3, 5, 12]) if kind == "missed" else rng.choice([1, 1, 2])
        region = None if name else f"{rng.choice(_REGIONS)} {rng.choice(_CARRIERS)}" if rng.random() < 0.85 else None
        sim = rng.choice([None, "1", "2"]) if layout != "ios" else rng.choice([None, None, "主", "副"])
        rows.append(Row(digits if not name else None, shown, name, t.replace(second=0), kind, count, region, sim))
        t -= dt.timedelta(minutes=rng.choice([3, 20, 75, 300, 900, 1500, 3000, 6000]))
    stamp = cap
    file = {
        "ios": f"IMG_{4000 + i}.PNG",
        "miui": f"Screenshot_{stamp:%Y-%m-%d-%H-%M-%S}-{rng.randint(100, 999)}_com.android.contacts.jpg",
        "emui": f"Screenshot_{stamp:%Y%m%d_%H%M%S}_com.huawei.contacts.jpg",
        "coloros": f"Screenshot_{stamp:%Y-%m-%d-%H-%M-%S}-{rng.randint(10, 99)}_com.android.contacts.png",
        "originos": f"Screenshot_{stamp:%Y%m%d_%H%M%S}.jpg",
    }[layout]
    return Spec(
        layout=layout,
        file=file,
        capture=cap,
        width=width,
        dark=rng.random() < 0.3,
        scale=scale,
        face=rng.choice(["noto", "zenhei", "noto"]),
        rows=rows,
        exif=layout == "ios",
        jpeg=rng.choice([None, 92, 80, 70]) if layout != "ios" else None,
        noise=rng.choice([0, 0, 2.0, 4.0]),
        crop_top=rng.random() < 0.2,
        down=rng.choice([1.0, 1.0, 0.8, 0.67]),
        label_style=rng.randint(0, 1),
    )


# -- drawing ------------------------------------------------------------------------------------------


class Pen:
    def __init__(self, s: Spec) -> None:
        self.s = s
        self.dp = s.width / 390  # one density-independent pixel
        self.h = round(s.width * 2.16)
        dark = s.dark
        self.bg = (0, 0, 0) if dark and s.layout == "ios" else (18, 18, 18) if dark else (255, 255, 255)
        if not dark and s.layout in ("emui", "originos"):
            self.bg = (246, 246, 246)
        self.fg = (235, 235, 235) if dark else (25, 25, 25)
        self.sub = (140, 140, 145) if dark else (128, 128, 133)
        self.red = (
            (255, 69, 58)
            if dark
            else {
                "ios": (255, 59, 48),
                "miui": (230, 57, 53),
                "emui": (232, 64, 60),
                "coloros": (242, 73, 63),
                "originos": (250, 82, 82),
            }.get(s.layout, (230, 57, 53))
        )
        self.line = (45, 45, 48) if dark else (228, 228, 230)
        self.accent = {
            "ios": (10, 132, 255),
            "miui": (51, 136, 255),
            "emui": (0, 125, 255),
            "coloros": (45, 180, 90),
            "originos": (65, 105, 225),
        }.get(s.layout, (87, 107, 149))
        self.im = Image.new("RGB", (s.width, self.h), self.bg)
        self.d = ImageDraw.Draw(self.im)

    def x(self, v: float) -> float:
        return v * self.dp

    def text(
        self,
        xy: tuple[float, float],
        t: str,
        size: float,
        fill: tuple[int, int, int],
        anchor: str = "ls",
        bold: bool = False,
        scaled: bool = True,
    ) -> float:
        face = "noto_bold" if bold else self.s.face
        f = _font(face, size * self.dp * (self.s.scale if scaled else 1.0))
        self.d.text(xy, t, font=f, fill=fill, anchor=anchor)
        return f.getlength(t)

    def status_bar(self, clock: str) -> float:
        s = self.s
        h = self.x(47 if s.layout == "ios" else 32)
        if s.layout == "ios":
            self.text((self.x(52), self.x(31)), clock, 16, self.fg, "ms", bold=True, scaled=False)
            self.d.rounded_rectangle(
                [self.x(127), self.x(10), self.x(263), self.x(40)], radius=self.x(15), fill=(0, 0, 0)
            )
            bx = self.x(336)
            self.d.rounded_rectangle(
                [bx, self.x(19), bx + self.x(25), self.x(31)],
                radius=self.x(3),
                outline=self.fg,
                width=max(1, round(self.x(1))),
            )
            self.d.rectangle([bx + self.x(2), self.x(21), bx + self.x(18), self.x(29)], fill=self.fg)
            for k in range(4):
                self.d.rectangle(
                    [self.x(296 + 5 * k), self.x(30 - 3 * k), self.x(299 + 5 * k), self.x(31)], fill=self.fg
                )
        else:
            self.text((self.x(18), self.x(22)), clock, 12.5, self.fg, "ls", scaled=False)
            self.d.ellipse([self.x(188), self.x(8), self.x(202), self.x(22)], fill=(0, 0, 0))  # punch hole
            self.text(
                (self.x(372), self.x(22)), f"{random.Random(s.file).randint(12, 99)}%", 11, self.fg, "rs", scaled=False
            )
            for k in range(4):
                self.d.rectangle(
                    [self.x(318 + 4 * k), self.x(19 - 2.5 * k), self.x(320.5 + 4 * k), self.x(20)], fill=self.fg
                )
        return h

    def arrow(self, x: float, y: float, kind: str, colour: tuple[int, int, int]) -> None:
        """The small call-type arrow Android dialers draw (↗ outgoing, ↙ incoming/missed)."""
        a = self.x(4.5)
        w = max(1, round(self.x(1.4)))
        if kind == "out":
            self.d.line([x - a, y + a, x + a, y - a], fill=colour, width=w)
            self.d.line([x, y - a, x + a, y - a, x + a, y], fill=colour, width=w)
        else:
            self.d.line([x + a, y - a, x - a, y + a], fill=colour, width=w)
            self.d.line([x - a, y, x - a, y + a, x, y + a], fill=colour, width=w)

    def badge(self, x: float, y_mid: float, t: str) -> float:
        """A SIM badge: a small rounded rectangle with 1/2/主/副; returns its width."""
        size = self.x(11) * self.s.scale
        self.d.rounded_rectangle(
            [x, y_mid - size / 2 - self.x(1), x + size, y_mid + size / 2 + self.x(1)],
            radius=self.x(2),
            outline=self.sub,
            width=max(1, round(self.x(0.9))),
        )
        f = _font("noto", self.x(8.5) * self.s.scale)
        self.d.text((x + size / 2, y_mid), t, font=f, fill=self.sub, anchor="mm")
        return size + self.x(4)


def _header(p: Pen, y: float) -> float:
    s = p.s
    if s.layout == "ios":
        p.text((p.x(16), y + p.x(26)), "编辑", 16, p.accent, "ls")
        seg_l, seg_r = p.x(120), p.x(270)
        p.d.rounded_rectangle([seg_l, y + p.x(8), seg_r, y + p.x(36)], radius=p.x(8), fill=p.line)
        p.d.rounded_rectangle(
            [seg_l + p.x(2), y + p.x(10), (seg_l + seg_r) / 2, y + p.x(34)],
            radius=p.x(7),
            fill=(99, 99, 102) if s.dark else (255, 255, 255),
        )
        p.text(((seg_l * 3 + seg_r) / 4, y + p.x(27)), "全部", 13, p.fg, "ms", scaled=False)
        p.text(((seg_l + seg_r * 3) / 4, y + p.x(27)), "未接来电", 13, p.fg, "ms", scaled=False)
        p.text((p.x(16), y + p.x(86)), "最近通话", 32, p.fg, "ls", bold=True)
        return y + p.x(104) * (1 + (s.scale - 1) * 0.5)
    if s.layout == "miui":
        p.d.rounded_rectangle([p.x(16), y + p.x(8), p.x(374), y + p.x(44)], radius=p.x(18), fill=p.line)
        p.text((p.x(44), y + p.x(32)), "搜索联系人", 14, p.sub, "ls", scaled=False)
        return y + p.x(60)
    if s.layout == "emui":
        p.text((p.x(20), y + p.x(44)), "电话", 28, p.fg, "ls", bold=True)
        p.d.rounded_rectangle([p.x(16), y + p.x(60), p.x(374), y + p.x(96)], radius=p.x(18), fill=p.line)
        p.text((p.x(46), y + p.x(84)), "搜索", 14, p.sub, "ls", scaled=False)
        return y + p.x(108)
    if s.layout == "coloros":
        p.text((p.x(22), y + p.x(46)), "电话", 30, p.fg, "ls", bold=True)
        p.text((p.x(372), y + p.x(44)), "编辑", 15, p.accent, "rs", scaled=False)
        return y + p.x(64)
    p.text((p.x(195), y + p.x(34)), "全部通话", 18, p.fg, "ms", bold=True)
    p.text((p.x(372), y + p.x(34)), "编辑", 15, p.accent, "rs", scaled=False)
    return y + p.x(54)


def _bottom(p: Pen) -> float:
    s = p.s
    tabs = {
        "ios": ["个人收藏", "最近通话", "通讯录", "拨号键盘", "语音留言"],
        "miui": ["拨号", "联系人", "营业厅"],
        "emui": ["电话", "联系人", "收藏", "畅连"],
        "coloros": ["拨号", "通话记录", "联系人"],
        "originos": ["拨号", "联系人", "收藏"],
    }[s.layout]
    top = p.h - p.x(80)
    p.d.rectangle([0, top, s.width, p.h], fill=p.bg)
    p.d.line([0, top, s.width, top], fill=p.line, width=1)
    for k, t in enumerate(tabs):
        cx = s.width * (k + 0.5) / len(tabs)
        p.d.ellipse(
            [cx - p.x(10), top + p.x(10), cx + p.x(10), top + p.x(30)], outline=p.sub, width=max(1, round(p.x(1.5)))
        )
        p.text(
            (cx, top + p.x(48)), t, 10, p.accent if k == (1 if s.layout == "ios" else 0) else p.sub, "ms", scaled=False
        )
    return top


def render(s: Spec) -> tuple[Image.Image, list[dict[str, Any]]]:
    """The screenshot and its expected events (rows fully on screen only)."""
    p = Pen(s)
    y = p.status_bar(f"{s.capture.hour:02d}:{s.capture.minute:02d}")
    y = _header(p, y)
    bottom = _bottom(p)
    row_h = p.x(64 if s.layout in ("ios", "coloros") else 70) * (1 + (s.scale - 1) * 0.8)
    left = p.x(44) if s.layout in ("emui", "coloros") else p.x(36) if s.layout == "ios" else p.x(20)
    expected: list[dict[str, Any]] = []
    for r in s.rows:
        if y + row_h > bottom:
            break
        mid = y + row_h / 2
        colour = p.red if r.kind == "missed" else p.fg
        two = r.region is not None or r.sim is not None or s.layout == "originos"
        y1 = mid - p.x(5) * s.scale if two else mid + p.x(6) * s.scale
        if s.layout in ("emui", "coloros"):  # avatar
            cx, cy, rad = p.x(22), mid, p.x(15)
            p.d.ellipse([cx - rad, cy - rad, cx + rad, cy + rad], fill=(70, 70, 74) if s.dark else (214, 226, 240))
            if r.name and s.layout == "coloros":
                p.text((cx, cy), r.name[0], 13, (255, 255, 255), "mm", scaled=False)
            else:
                p.d.ellipse([cx - p.x(5), cy - p.x(9), cx + p.x(5), cy + p.x(1)], fill=(255, 255, 255))
                p.d.chord([cx - p.x(9), cy + p.x(2), cx + p.x(9), cy + p.x(18)], 180, 360, fill=(255, 255, 255))
        if s.layout == "ios" and r.kind == "out":  # the handset glyph left of outgoing rows
            p.d.rounded_rectangle([p.x(14), y1 - p.x(14), p.x(24), y1 - p.x(4)], radius=p.x(2), fill=p.sub)
        x = left + p.x(10)
        wname = p.text((x, y1), r.shown, 17, colour, "ls", bold=s.layout == "ios" and r.kind == "missed")
        if r.count > 1:
            sep_count = s.layout in ("miui", "originos")  # drawn as a separate lighter run
            p.text(
                (x + wname + p.x(7 if sep_count else 3), y1),
                f"({r.count})" if s.layout != "coloros" else f"（{r.count}）",
                14 if sep_count else 17,
                p.sub if sep_count else colour,
                "ls",
            )
        label, has_time = time_label(s.layout, r.when, s.capture, s.label_style)
        direction = "missed" if r.kind == "missed" else "unknown"
        if two:
            y2 = mid + p.x(17) * s.scale
            x2 = x
            if s.layout in ("miui", "emui", "coloros") and r.kind != "missed":
                p.arrow(x2 + p.x(5), y2 - p.x(5), r.kind, p.sub)
                x2 += p.x(16)
            if r.sim:
                x2 += p.badge(x2, y2 - p.x(5) * s.scale, r.sim)
            second = r.region or ""
            if s.layout == "originos":
                word = {"in": "呼入", "out": "呼出", "missed": "未接"}[r.kind]
                second = f"{word}  {second}".strip()
                direction = {"in": "incoming", "out": "outgoing", "missed": "missed"}[r.kind]
            elif s.layout == "ios" and not second:
                second = "手机" if r.name else "未知"
            if second:
                p.text((x2, y2), second, 12.5, p.sub, "ls")
        right = p.x(374)
        if s.layout in ("ios", "miui"):  # the ⓘ detail button
            p.d.ellipse(
                [p.x(352), mid - p.x(11), p.x(374), mid + p.x(11)], outline=p.accent, width=max(1, round(p.x(1.4)))
            )
            p.d.line([p.x(363), mid - p.x(2), p.x(363), mid + p.x(6)], fill=p.accent, width=max(1, round(p.x(1.6))))
            p.d.ellipse([p.x(362), mid - p.x(7), p.x(364.5), mid - p.x(4.5)], fill=p.accent)
            right = p.x(344)
        p.text((right, mid + p.x(5)), label, 13, p.sub, "rs")
        p.d.line([x, y + row_h, s.width, y + row_h], fill=p.line, width=1)
        when = f"{r.when:%Y-%m-%d %H:%M}" if has_time else f"{r.when:%Y-%m-%d}"
        for _ in range(r.count):
            expected.append(
                {
                    "channel": "call",
                    "direction": direction,
                    "time": when,
                    "counterpart": r.number,
                    "counterpart_name": r.name,
                    "text": None,
                    "count": r.count,
                    "row_text": r.shown + (r.region or ""),
                }
            )
        y += row_h
    return p.im, expected


def finish(im: Image.Image, s: Spec) -> bytes:
    """Crop, downscale, add noise and compress the way shared screenshots arrive."""
    if s.crop_top:  # the user cropped the status bar away
        im = im.crop((0, round(im.height * 0.025), im.width, im.height))
    if s.down != 1.0:
        im = im.resize((round(im.width * s.down), round(im.height * s.down)), Image.Resampling.BILINEAR)
    if s.noise:
        arr = np.asarray(im).astype(np.int16)
        arr = arr + np.random.default_rng(zlib.crc32(s.file.encode())).normal(0, s.noise, arr.shape).round().astype(
            np.int16
        )
        im = Image.fromarray(arr.clip(0, 255).astype(np.uint8))
    buf = io.BytesIO()
    exif = None
    if s.exif:
        ex = Image.Exif()
        ex[0x0132] = f"{s.capture:%Y:%m:%d %H:%M:%S}"
        exif = ex.tobytes()
    if s.file.lower().endswith(".jpg"):
        im.save(buf, "JPEG", quality=s.jpeg or 90, **({"exif": exif} if exif else {}))
    else:
        im.save(buf, "PNG", **({"exif": exif} if exif else {}))
    return buf.getvalue()


def build(out: Path, per_layout: int = 12, layouts: tuple[str, ...] = LAYOUTS, seed: int = 18) -> list[dict[str, Any]]:
    """Render every layout's measured set into ``out`` and write expected.json; return the records."""

    def make(layout: str, i: int) -> tuple[Spec, Image.Image, list[dict[str, Any]]]:
        s = spec_for(layout, i, seed)
        return (s, *render(s))

    return write_set(out, layouts, per_layout, make, "expected.json")


def write_set(
    out: Path,
    layouts: tuple[str, ...],
    per_layout: int,
    make: Callable[[str, int], tuple[Spec, Image.Image, list[dict[str, Any]]]],
    index: str,
) -> list[dict[str, Any]]:
    """Render ``per_layout`` screens of each layout into ``out/<layout>/`` and write the records to ``index``."""
    records = []
    for layout in layouts:
        (out / layout).mkdir(parents=True, exist_ok=True)
        for i in range(per_layout):
            s, im, events = make(layout, i)
            (out / layout / s.file).write_bytes(finish(im, s))
            records.append(
                {
                    "layout": layout,
                    "file": f"{layout}/{s.file}",
                    "name": s.file,
                    "capture": s.capture.isoformat(sep=" "),
                    "events": events,
                }
            )
    (out / index).write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    return records


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--per-layout", type=int, default=12)
    ap.add_argument("--seed", type=int, default=18, help="18: the development set; 2026: the held-out set")
    args = ap.parse_args()
    recs = build(args.out, args.per_layout, seed=args.seed)
    print(f"{len(recs)} screenshots, {sum(len(r['events']) for r in recs)} expected events → {args.out}")


if __name__ == "__main__":
    main()
