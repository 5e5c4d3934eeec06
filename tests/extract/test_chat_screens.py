"""WeChat/QQ conversation screens on hand-built OCR pages (no OCR engine): group sender names, voice
bubbles with their duration, recall notices, and white bubbles on QQ's near-white screen."""

from __future__ import annotations

import datetime as dt

from weiquan.extract import conversation
from weiquan.extract.base import ExtractContext
from weiquan.extract.ocr import OcrLine, OcrPage
from weiquan.extract.scoring import predicted_view
from weiquan.extract.screenshot import page_events

SCREEN, WHITE, BLUE = (242, 243, 245), (255, 255, 255), (0, 153, 255)


def L(
    text: str,
    x0: int,
    y0: int,
    x1: int,
    y1: int,
    bg: tuple[int, int, int] = SCREEN,
    ink: tuple[int, int, int] = (25, 25, 25),
) -> OcrLine:
    return OcrLine(text=text, box=(x0, y0, x1, y1), score=0.99, ink=ink, bg=bg)


def events(lines: list[OcrLine]) -> list[dict[str, object]]:
    ctx = ExtractContext(
        sha256="cd" * 32,
        names=["Screenshot_20261226_163035_com.tencent.mobileqq.jpg"],
        path=None,
        imported_at=dt.datetime(2026, 12, 27, tzinfo=dt.timezone.utc),
    )
    out = []
    for e in page_events(OcrPage(1220, 2635, lines), ctx):
        out.append(
            {
                **predicted_view(e),
                "kind": e.extra.get("message_kind"),
                "voice_s": e.extra.get("voice_s"),
                "group": e.extra.get("group_title"),
            }
        )
    return out


def test_qq_group_names_voice_and_recalls() -> None:
    lines = [
        L("16:30", 47, 27, 160, 79),
        L("还款协商群(3)", 432, 69, 782, 145),
        L("星期日 07:10", 491, 283, 729, 331),
        L('18" (', 834, 392, 978, 451, bg=BLUE, ink=(168, 219, 242)),
        L("“张律师”撤回了一条消息", 396, 539, 842, 598),
        L("你撤回了一条消息", 450, 640, 770, 690),
        L("星期日 08:00", 491, 1072, 729, 1120),
        L("王专员", 193, 1153, 315, 1204),  # the name, on the screen's colour, right above the bubble
        L("这是最后一次通知", 219, 1244, 616, 1303, bg=WHITE),
        L("张律师", 191, 1363, 316, 1417),
        L('23"', 236, 1450, 382, 1521, bg=WHITE),
        L("发送", 176, 2430, 283, 2496, bg=(247, 247, 247)),
    ]
    got = events(lines)
    assert [(v["direction"], v["counterpart_name"], v["time"], v["text"], v["kind"]) for v in got] == [
        ("outgoing", "还款协商群(3)", "2026-12-20 07:10", "[语音 18秒]", "voice"),
        ("incoming", "张律师", "2026-12-20 07:10", "[撤回了一条消息]", "recalled"),
        ("outgoing", "还款协商群(3)", "2026-12-20 07:10", "[撤回了一条消息]", "recalled"),
        ("incoming", "王专员", "2026-12-20 08:00", "这是最后一次通知", None),
        ("incoming", "张律师", "2026-12-20 08:00", "[语音 23秒]", "voice"),
    ]
    assert got[3]["group"] == "还款协商群(3)" and got[4]["voice_s"] == 23


def test_a_short_received_message_above_another_is_not_a_name() -> None:
    """Two received bubbles on the same fill stay two messages (a name sits on the screen's colour)."""
    lines = [
        L("16:30", 47, 27, 160, 79),
        L("王专员", 498, 138, 723, 207),
        L("昨天 21:38", 489, 350, 732, 395),
        L("在吗", 220, 471, 330, 532, bg=WHITE),
        L("收到请回复", 220, 600, 500, 660, bg=WHITE),
    ]
    got = events(lines)
    assert [(v["counterpart_name"], v["text"]) for v in got] == [("王专员", "在吗"), ("王专员", "收到请回复")]


def test_voice_and_recall_texts() -> None:
    assert conversation.voice_seconds('5"') == 5
    assert conversation.voice_seconds("1'05\"") == 65
    assert conversation.voice_seconds("))) 12″") == 12
    assert conversation.voice_seconds("12个") is None and conversation.voice_seconds("还款5000") is None
    assert conversation.recall_side("对方撤回了一条消息") == "in"
    assert conversation.recall_side("你撤回了一条消息") == "out"
    assert conversation.recall_sender("“王专员”撤回了一条消息") == "王专员"
    assert conversation.recall_sender("对方撤回了一条消息") is None
    assert conversation.recall_side("他说撤回协议") is None


def test_a_bubble_line_cut_in_two_by_the_ocr_is_one_line() -> None:
    grey = (38, 38, 40)
    joined = conversation.join_pieces(
        [
            L("最低还款2360元，", 40, 756, 366, 810, bg=grey),
            L("今", 376, 756, 428, 809, bg=grey),
            L("天到账", 38, 816, 175, 871, bg=grey),
        ]
    )
    assert [j.text for j in joined] == ["最低还款2360元，今", "天到账"]
    assert (
        conversation.join_pieces([L("Hello", 40, 10, 140, 40), L("world", 150, 10, 250, 40)])[0].text == "Hello world"
    )
