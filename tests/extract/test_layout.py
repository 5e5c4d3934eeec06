"""Layout parsing on hand-built OCR pages (no OCR engine): bubbles, sides, rows, counts, fallback."""

from __future__ import annotations

import datetime as dt

from weiquan.extract.base import ExtractContext
from weiquan.extract.ocr import OcrLine, OcrPage
from weiquan.extract.scoring import predicted_view
from weiquan.extract.screenshot import page_events

W, H = 720, 1600
GREY, BLUE, WHITE, GREEN = (240, 240, 240), (59, 130, 246), (255, 255, 255), (149, 236, 105)


def L(
    text: str,
    x0: int,
    y0: int,
    x1: int,
    y1: int,
    bg: tuple[int, int, int] = WHITE,
    ink: tuple[int, int, int] = (20, 20, 20),
    score: float = 0.99,
) -> OcrLine:
    return OcrLine(text=text, box=(x0, y0, x1, y1), score=score, ink=ink, bg=bg)


def ctx(name: str = "Screenshot_20261030-214733.png") -> ExtractContext:
    return ExtractContext(
        sha256="ab" * 32, names=[name], path=None, imported_at=dt.datetime(2026, 11, 28, 4, 0, tzinfo=dt.timezone.utc)
    )


def status_and_bars(title: str, subtitle: str | None = None) -> list[OcrLine]:
    lines = [
        L("21:47", 21, 7, 86, 39),
        L("5G 87%", 611, 8, 698, 38),
        L("<", 30, 90, 55, 115, score=0.6),
        L(title, 94, 73, 336, 109),
    ]
    if subtitle:
        lines.append(L(subtitle, 91, 122, 180, 154))
    return lines + [L("短信", 43, 1520, 115, 1564), L("发送", 604, 1521, 673, 1562)]


def views(lines: list[OcrLine], name: str = "Screenshot_20261030-214733.png") -> list[dict[str, object]]:
    return [predicted_view(e) for e in page_events(OcrPage(W, H, lines), ctx(name))]


def test_sms_thread_bubbles_sides_and_multiline() -> None:
    lines = status_and_bars("138 0013 8000", "广东深圳 移动") + [
        L("昨天 08:05", 297, 207, 422, 240),
        L("你好，这里是某某资产管理公司，", 44, 277, 483, 316, bg=GREY),
        L("关于你的欠款。", 43, 322, 331, 361, bg=GREY),
        L("请问你们是哪家机构？", 370, 455, 669, 491, bg=BLUE, ink=(255, 255, 255)),
        L("我的", 372, 497, 440, 533, bg=BLUE, ink=(255, 255, 255)),  # 2nd line of the sent bubble, short
        L("07:58", 325, 583, 395, 616),
        L("别逼我们上门。", 43, 654, 242, 692, bg=GREY),
    ]
    got = views(lines)
    assert [(v["direction"], v["time"], v["text"]) for v in got] == [
        ("incoming", "2026-10-29 08:05", "你好，这里是某某资产管理公司，关于你的欠款。"),
        ("outgoing", "2026-10-29 08:05", "请问你们是哪家机构？我的"),
        ("incoming", "2026-10-30 07:58", "别逼我们上门。"),
    ]
    assert {v["channel"] for v in got} == {"sms"} and {v["counterpart"] for v in got} == {"13800138000"}


def test_boxes_spans_and_provenance() -> None:
    lines = status_and_bars("10690571234") + [
        L("10月28日 21:47", 264, 211, 457, 237),
        L("【速易贷】逾期将上报征信并通知", 57, 279, 500, 315, bg=GREY),
        L("您的紧急联系人。", 44, 324, 300, 359, bg=GREY),
    ]
    (ev,) = page_events(OcrPage(W, H, lines), ctx())
    assert ev.origin == "screenshot" and ev.extra["image_sha256"] == "ab" * 32
    assert ev.extra["boxes"] == [[57, 279, 500, 315], [44, 324, 300, 359]]
    assert ev.locator == "sms/bubble[0]@44,279,500,359"
    for span in ev.extra["spans"]:
        line = next(ln for ln in lines if list(ln.box) == span["box"])
        assert ev.text[span["start"] : span["end"]] == line.text  # type: ignore[index]  # the test asserts the value exists
    assert ev.extra["time_boxes"] == [[264, 211, 457, 237]]
    assert ev.extra["inferred"] == ["year"] and ev.extra["anchor_basis"] == "file_name"
    assert ev.time_basis == "inferred_from_screenshot" and ev.start.tzinfo is not None
    assert ev.start == dt.datetime(2026, 10, 28, 13, 47, tzinfo=dt.timezone.utc)  # 21:47 Shanghai


def test_call_list_counts_labels_and_red_missed() -> None:
    red = (234, 94, 86)
    lines = [
        L("21:47", 34, 14, 129, 56),
        L("5G 87%", 919, 14, 1043, 54),
        L("通话记录", 133, 115, 364, 180),
        L("全部通话", 306, 254, 474, 306),
        L("未接来电", 606, 257, 772, 305),
        L("170 1234 5678 (3)", 57, 385, 445, 441, ink=red),
        L("21:40", 925, 422, 1025, 464),
        L("广东深圳", 53, 457, 209, 505, ink=(150, 150, 150)),
        L("0755-12345678", 55, 581, 394, 628),
        L("09:12", 924, 612, 1026, 658),
        L("呼入2分15秒", 55, 652, 276, 695, ink=(150, 150, 150)),
        L("王经理", 52, 770, 210, 820),
        L("10-25", 925, 805, 1025, 849),
        L("138 0013 8000", 58, 964, 377, 1011),
        L("星期三", 905, 994, 1025, 1043),
        L("已拒接", 55, 1033, 174, 1083),
    ]
    got = [predicted_view(e) for e in page_events(OcrPage(1080, 2340, lines), ctx())]
    assert [(v["direction"], v["counterpart"], v["counterpart_name"], v["time"], v["duration_s"]) for v in got] == [
        ("missed", "17012345678", None, "2026-10-30 21:40", None),
        ("missed", "17012345678", None, "2026-10-30 21:40", None),
        ("missed", "17012345678", None, "2026-10-30 21:40", None),
        ("incoming", "075512345678", None, "2026-10-30 09:12", 135.0),
        ("unknown", None, "王经理", "2026-10-25", None),
        ("rejected", "13800138000", None, "2026-10-28", None),
    ]
    assert {v["channel"] for v in got} == {"call"}


def test_wechat_by_avatar_inset_and_colour() -> None:
    lines = [
        L("21:47", 21, 8, 87, 39),
        L("5G 87%", 611, 8, 698, 38),
        L("法务部-张律师", 242, 78, 477, 121),
        L("10:32", 324, 191, 396, 225),
        L("你的案件已经立案，明天法院就会来", 136, 263, 594, 301, bg=(44, 44, 44)),
        L("拘留你。", 136, 309, 260, 344, bg=(44, 44, 44)),
        L("请发来立案通知书。", 300, 402, 565, 440, bg=(62, 181, 117)),
    ]
    got = views(lines, name="mmexport1698650743123.jpg")
    assert [(v["channel"], v["direction"], v["counterpart_name"], v["text"]) for v in got] == [
        ("chat", "incoming", "法务部-张律师", "你的案件已经立案，明天法院就会来拘留你。"),
        ("chat", "outgoing", "法务部-张律师", "请发来立案通知书。"),
    ]


def test_unrecognised_screen_keeps_all_text() -> None:
    lines = [
        L("12:00", 23, 9, 87, 40),
        L("5G 87%", 611, 9, 698, 39),
        L("借款详情", 285, 77, 435, 122),
        L("借款金额：5000.00元", 46, 193, 338, 228),
        L("到账金额：3500.00元", 44, 259, 338, 297),
    ]
    (ev,) = page_events(OcrPage(W, H, lines), ctx("Screenshot_20261030-120000.png"))
    assert (ev.channel, ev.direction, ev.origin) == ("other", "unknown", "screenshot")
    assert ev.text == "借款详情\n借款金额：5000.00元\n到账金额：3500.00元"
    assert ev.extra["screenshot_text"] is True and ev.extra["time_precision"] == "capture"
    assert ev.start == dt.datetime(2026, 10, 30, 4, 0, tzinfo=dt.timezone.utc)


def test_import_time_anchor_is_flagged_for_review() -> None:
    lines = status_and_bars("13800138000") + [
        L("昨天 08:05", 297, 207, 422, 240),
        L("三天内不处理就上门。", 44, 277, 483, 316, bg=GREY),
    ]
    (ev,) = page_events(OcrPage(W, H, lines), ctx("photo.png"))
    assert ev.extra["anchor_basis"] == "import_time" and ev.extra["needs_review"] is True
    assert ev.start == dt.datetime(2026, 11, 27, 0, 5, tzinfo=dt.timezone.utc)  # yesterday of 2026-11-28 12:00 local


def test_messages_above_the_first_separator_are_flagged() -> None:
    lines = status_and_bars("13800138000") + [
        L("你好。", 44, 200, 200, 236, bg=GREY),
        L("10月28日 21:47", 264, 300, 457, 330),
        L("请还款。", 44, 380, 200, 416, bg=GREY),
    ]
    first, second = page_events(OcrPage(W, H, lines), ctx())
    assert first.extra["time_estimated"] == "before_next_separator" and first.extra["needs_review"] is True
    assert "time_estimated" not in second.extra


def test_empty_page_gives_nothing() -> None:
    assert page_events(OcrPage(W, H, []), ctx()) == []


def test_dates_not_on_screen_are_unconfirmed() -> None:
    """A bare time or a month-day resolved against the import time is a proposal, never a fact."""
    lines = status_and_bars("13800138000") + [
        L("22:47", 325, 207, 395, 240),
        L("今天不还就去你单位。", 44, 277, 483, 316, bg=GREY),
        L("3月20日 09:05", 264, 400, 457, 430),
        L("最后通知。", 44, 480, 300, 516, bg=GREY),
    ]
    got = page_events(OcrPage(W, H, lines), ctx("IMG_0042.png"))
    assert len(got) == 2 and all(e.extra["date_unconfirmed"] is True for e in got)
    # the same screen from a file whose name carries the capture time: the dates are known
    named = page_events(OcrPage(W, H, lines), ctx("Screenshot_20261030-214733.png"))
    assert all("date_unconfirmed" not in e.extra for e in named)


def test_a_full_date_on_screen_needs_no_confirmation() -> None:
    lines = status_and_bars("13800138000") + [
        L("2025年6月3日 21:47", 230, 207, 490, 240),
        L("再不还款就上门。", 44, 277, 483, 316, bg=GREY),
    ]
    (ev,) = page_events(OcrPage(W, H, lines), ctx("IMG_0042.png"))
    assert "date_unconfirmed" not in ev.extra
    assert ev.start == dt.datetime(2025, 6, 3, 13, 47, tzinfo=dt.timezone.utc)


def test_status_bar_date_anchors_the_screen() -> None:
    """A phone that shows the full date in its status bar dates a bare "08:05"; month-day only stays flagged."""
    body = [
        L("13800138000", 94, 73, 336, 109),
        L("08:05", 325, 207, 395, 240),
        L("三天内不处理就上门。", 44, 277, 483, 316, bg=GREY),
    ]
    (ev,) = page_events(OcrPage(W, H, [L("2026/03/20 21:47", 21, 7, 230, 30), *body]), ctx("IMG_0042.png"))
    assert ev.extra["anchor_basis"] == "status_bar" and "date_unconfirmed" not in ev.extra
    assert ev.start == dt.datetime(2026, 3, 20, 0, 5, tzinfo=dt.timezone.utc)
    (ev,) = page_events(OcrPage(W, H, [L("3月20日 周五 21:47", 21, 7, 260, 30), *body]), ctx("IMG_0042.png"))
    assert ev.extra["anchor_basis"] == "status_bar_day" and ev.extra["date_unconfirmed"] is True
    assert ev.start.astimezone(dt.timezone(dt.timedelta(hours=8))).date() == dt.date(2026, 3, 20)
