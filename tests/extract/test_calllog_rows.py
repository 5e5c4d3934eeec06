"""Call-history rows as real dialers draw them, on hand-built OCR pages (no OCR engine): split count runs,
SIM badges (also misread ones), labels inside the region line, avatars, iOS number labels, 12-hour times,
and list rows that must not be taken for the title's subtitles."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from weiquan.extract import calllog
from weiquan.extract.base import ExtractContext
from weiquan.extract.ocr import OcrLine, OcrPage
from weiquan.extract.scoring import predicted_view
from weiquan.extract.screenshot import page_events
from weiquan.extract.timeparse import parse_time_text, resolve

WHITE, GREY, RED, AVATAR = (255, 255, 255), (140, 140, 144), (232, 64, 60), (214, 226, 240)


def L(
    text: str,
    x0: int,
    y0: int,
    x1: int,
    y1: int,
    ink: tuple[int, int, int] = (25, 25, 25),
    bg: tuple[int, int, int] = WHITE,
) -> OcrLine:
    return OcrLine(text=text, box=(x0, y0, x1, y1), score=0.99, ink=ink, bg=bg)


def events(
    lines: list[OcrLine], name: str = "Screenshot_20261106_214733_com.huawei.contacts.jpg"
) -> list[dict[str, object]]:
    ctx = ExtractContext(
        sha256="ab" * 32, names=[name], path=None, imported_at=dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)
    )
    evs = page_events(OcrPage(1080, 2333, lines), ctx)
    return [
        {
            **predicted_view(e),
            "sim": e.extra.get("sim"),
            "region": e.extra.get("screen_region"),
            "label": e.extra.get("number_label"),
            "layout": e.extra.get("layout"),
        }
        for e in evs
    ]


def test_huawei_like_list_right_under_the_title() -> None:
    """EMUI: rows start right below a big title; they are rows, not the title's subtitles. Avatars' initials,
    SIM badges ("2", "①") before the region, a lighter "(12)" run apart from a red number, day-only labels."""
    lines = [
        L("21:47", 44, 27, 147, 69),
        L("81%", 965, 29, 1036, 68),
        L("电话", 43, 105, 272, 236),
        L("+86 158 4410 6944", 140, 250, 700, 318, ink=RED),
        L("(12)", 720, 252, 800, 316, ink=GREY),
        L("21:14", 903, 292, 1042, 345),
        L("2福建厦门移动", 141, 337, 533, 394, ink=GREY),
        L("张", 40, 470, 90, 520, ink=WHITE, bg=AVATAR),
        L("张经理", 140, 450, 342, 527),
        L("昨天", 933, 490, 1043, 551),
        L("1", 146, 560, 192, 608, ink=GREY),
        L("0755 2552912", 140, 650, 560, 718),
        L("星期三", 887, 690, 1043, 751),
        L("①江苏南京 联通", 139, 740, 531, 797, ink=GREY),
    ]
    got = events(lines)
    assert [(v["direction"], v["counterpart"], v["counterpart_name"], v["time"], v["count"]) for v in got] == [
        *[("missed", "15844106944", None, "2026-11-06 21:14", 12)] * 12,
        ("unknown", None, "张经理", "2026-11-05", 1),
        ("unknown", "07552552912", None, "2026-11-04", 1),
    ]
    assert [(v["sim"], v["region"]) for v in got[11:]] == [("2", "福建厦门移动"), ("1", None), ("1", "江苏南京 联通")]


def test_label_and_badge_inside_the_region_line() -> None:
    """OriginOS: "②呼入 北京 移动" gives the direction, the SIM and the region apart."""
    lines = [
        L("13:30", 35, 21, 119, 56),
        L("全部通话", 346, 105, 517, 157),
        L("编辑", 748, 110, 831, 159),
        L("02077251984", 63, 224, 317, 261),
        L("12:09", 746, 249, 834, 288),
        L("②呼入北京 移动", 62, 275, 296, 315, ink=GREY),
        L("+86 132 42971068", 63, 380, 418, 417, ink=RED),
        L("星期一 19:09", 652, 405, 833, 442),
        L("未接 广东深圳 电信", 61, 432, 319, 469, ink=GREY),
    ]
    got = events(lines, "Screenshot_20261106_214733.jpg")
    assert [(v["direction"], v["counterpart"], v["time"], v["sim"], v["region"]) for v in got] == [
        ("incoming", "02077251984", "2026-11-06 12:09", "2", "北京 移动"),
        ("missed", "13242971068", "2026-11-02 19:09", None, "广东深圳 电信"),
    ]


def test_ios_recents_number_labels_misread_badges_and_12_hour_times() -> None:
    """iOS: "手机"/"未知" are number labels, not regions; a "主"/"副" badge read as 国/圓 is dropped;
    上午12:25 is 00:25; a red name is a missed call; 电信 read as 電信 is stored simplified."""
    lines = [
        L("21:47", 90, 40, 200, 90),
        L("编辑", 40, 160, 130, 210),
        L("全部", 380, 170, 460, 215),
        L("未接来电", 560, 170, 720, 215),
        L("最近通话", 40, 260, 400, 350),
        L("刘主管", 110, 400, 300, 450),
        L("上午12:25", 760, 430, 980, 480),
        L("圓手机", 110, 460, 260, 500, ink=GREY),
        L("400 959 9925 (3)", 110, 560, 520, 610, ink=(255, 59, 48)),
        L("昨天", 880, 590, 980, 640),
        L("国上海電信", 110, 620, 330, 660, ink=GREY),
    ]
    got = events(lines, "IMG_4001.PNG")
    assert got[0]["layout"] == "calls"
    # no capture time in the name and no EXIF: anchored to the import time (2026-12-01 08:00 in Shanghai)
    assert [
        (v["direction"], v["counterpart_name"] or v["counterpart"], v["time"], v["region"], v["label"], v["sim"])
        for v in got
    ] == [
        ("unknown", "刘主管", "2026-12-01 00:25", None, "手机", "?"),
        *[("missed", "4009599925", "2026-11-30", "上海电信", None, "?")] * 3,
    ]


def test_split_badge() -> None:
    assert calllog.split_badge("卡2 广东深圳") == ("2", "广东深圳")
    assert calllog.split_badge("①重庆联通") == ("1", "重庆联通")
    assert calllog.split_badge("主 北京 移动") == ("主", "北京 移动")
    assert calllog.split_badge("1") == ("1", "")
    assert calllog.split_badge("10086") == (None, "10086")
    assert calllog.split_badge("广东深圳") == (None, "广东深圳")


def test_misread_badge_keeps_real_region_names() -> None:
    assert calllog._misread_badge("北京 移动") == (None, "北京 移动")
    assert calllog._misread_badge("黑龙江哈尔滨") == (None, "黑龙江哈尔滨")
    assert calllog._misread_badge("国北京移动") == ("?", "北京移动")


def test_merge_runs_joins_a_row_and_drops_an_avatar_initial() -> None:
    merged = calllog.merge_runs(
        [
            L("(5)", 430, 100, 480, 140, ink=GREY),
            L("138 0013 8000", 96, 100, 420, 140, ink=RED),
            L("陈", 20, 95, 60, 145, ink=WHITE, bg=AVATAR),
            L("广东广州", 96, 150, 300, 185),
        ]
    )
    assert [m.text for m in merged] == ["138 0013 8000 (5)", "广东广州"]
    assert merged[0].ink == RED and merged[0].box == (96, 100, 480, 140)


def test_ocr_confusions_in_relative_days() -> None:
    tok = parse_time_text("昨矢下午11:51")
    assert tok is not None and tok.rel_days == 1 and tok.hour == 23
    res = resolve(tok, dt.datetime(2026, 12, 16, 16, 3))
    assert res is not None and res.local == dt.datetime(2026, 12, 15, 23, 51)


@given(st.integers(0, 23), st.integers(0, 59))
def test_twelve_hour_labels_round_trip(hour: int, minute: int) -> None:
    """Every 24-hour time printed the way Chinese 12-hour dialers print it parses back to itself."""
    h12 = hour % 12 or 12
    text = f"{'上午' if hour < 12 else '下午'}{h12}:{minute:02d}"
    tok = parse_time_text(text)
    assert tok is not None and (tok.hour, tok.minute) == (hour, minute)


def test_weekday_one_read_as_a_dash() -> None:
    tok = parse_time_text("星期-")
    assert tok is not None and tok.weekday == 0
