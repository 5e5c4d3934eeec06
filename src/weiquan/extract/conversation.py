"""SMS threads (Android skins, iOS) and chats (WeChat, QQ): bubbles, sides and time separators.

Reading a conversation screen:
- *separators* are date/time-only lines centred on the screen ("昨天 21:47", "10月30日 下午3:25");
- *bubbles* are runs of text lines with the same background colour, close together vertically;
  a bubble on a saturated colour (blue, green) is a sent message, a grey/white one received;
  with no colour cue the side is where the bubble hugs the screen edge;
- a small date/time-only line right under a bubble, on its side, is that bubble's own time
  (Huawei-like skins) and wins over the separator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from weiquan.extract.layout import Screen, close, join_text, same_row, saturated
from weiquan.extract.ocr import OcrLine
from weiquan.extract.timeparse import TimeToken, parse_time_text


# "对方撤回了一条消息", "你撤回了一条消息", "“王专员”撤回了一条消息" (WeChat, QQ): a centred notice.
_RECALL_RE = re.compile(r"^(?P<who>.{0,16}?)\s*撤回了?一条消息")
# A voice message bubble shows its length: 5", 12″, 1'05" (the wave glyph may be read as ")" or "》").
_VOICE_RE = re.compile(
    r"^[^\w\u4e00-\u9fff]{0,3}\s*(?:(?P<m>\d{1,2})\s*['′’]\s*)?(?P<s>\d{1,2})\s*[\"″”“〞]+\s*[^\w\u4e00-\u9fff]{0,3}$"
)
RECALLED_TEXT = "[撤回了一条消息]"
# Two lines are on the same fill when their background colours differ by at most this (sum over RGB):
# QQ's white bubble on its #F2F3F5 screen differs by ~35, JPEG noise inside one bubble by < 15.
SAME_FILL = 20


def voice_seconds(text: str) -> int | None:
    m = _VOICE_RE.match(text.strip())
    return int(m["m"] or 0) * 60 + int(m["s"]) if m else None


def recall_side(text: str) -> str | None:
    """in|out for a recall notice ("你撤回…" is the user's own), else None."""
    m = _RECALL_RE.match(text.strip())
    if not m:
        return None
    return "out" if m["who"].strip() in ("你", "您") else "in"


def recall_sender(text: str) -> str | None:
    """The named sender of a group chat's recall notice ("“王专员”撤回了一条消息"), else None."""
    m = _RECALL_RE.match(text.strip())
    who = m["who"].strip().strip("“”\"'「」") if m else ""
    return who if who and who not in ("对方", "你", "您") else None


@dataclass
class Bubble:
    side: str  # in|out
    lines: list[OcrLine]
    kind: str = "text"  # text|voice|recall
    voice_s: int | None = None
    sender: str | None = None  # a group chat's name line above a received bubble
    sep: TimeToken | None = None
    sep_line: OcrLine | None = None
    own: TimeToken | None = None
    own_line: OcrLine | None = None
    before_first_separator: bool = False

    @property
    def box(self) -> tuple[int, int, int, int]:
        return (
            min(ln.x0 for ln in self.lines),
            min(ln.y0 for ln in self.lines),
            max(ln.x1 for ln in self.lines),
            max(ln.y1 for ln in self.lines),
        )

    @property
    def time(self) -> TimeToken | None:
        return self.own or self.sep

    def text_and_spans(self) -> tuple[str, list[dict[str, object]]]:
        if self.kind == "voice":
            return f"[语音 {self.voice_s}秒]", [{"start": 0, "end": 0, "box": list(self.lines[0].box)}]
        if self.kind == "recall":
            return RECALLED_TEXT, [{"start": 0, "end": len(RECALLED_TEXT), "box": list(self.lines[0].box)}]
        text, spans = "", []
        for ln in self.lines:
            piece = ln.text.strip()
            if text and text[-1].isascii() and text[-1].isalnum() and piece[:1].isascii() and piece[:1].isalpha():
                text += " "
            spans.append({"start": len(text), "end": len(text) + len(piece), "box": list(ln.box)})
            text += piece
        return text, spans


@dataclass
class Conversation:
    bubbles: list[Bubble] = field(default_factory=list)
    separators: list[OcrLine] = field(default_factory=list)


def _block_side(scr: Screen, block: list[OcrLine], colour_coded: bool) -> str:
    """Sent bubbles are coloured (blue, green) in every common skin; received ones grey or white.
    When the screen shows a coloured bubble, colour decides; otherwise the nearer screen edge."""
    if colour_coded:
        return "out" if all(saturated(ln.bg) for ln in block) else "in"
    x0 = min(ln.x0 for ln in block)
    x1 = max(ln.x1 for ln in block)
    return "in" if x0 <= scr.w - x1 else "out"


def _attach_sender_names(scr: Screen, conv: Conversation) -> None:
    """Group chats print the sender's name small, on the screen background, right above a received
    bubble and aligned with it: that line is the bubble's sender, not a message of its own."""
    keep: list[Bubble] = []
    for i, b in enumerate(conv.bubbles):
        n = conv.bubbles[i + 1] if i + 1 < len(conv.bubbles) else None
        if (
            n is not None
            and b.kind == "text"
            and n.kind != "recall"
            and len(b.lines) == 1
            and n.side == "in"
            and b.sender is None
            and _is_name_line(scr, b.lines[0], n)
        ):
            n.sender = b.lines[0].text.strip()
            continue
        keep.append(b)
    conv.bubbles = keep


def _is_name_line(scr: Screen, ln: OcrLine, bubble: Bubble) -> bool:
    first = bubble.lines[0]
    gap = first.y0 - ln.y1
    return (
        ln.height <= 1.05 * first.height
        and 0 <= gap < 1.6 * first.height
        and abs(ln.x0 - first.x0) < 0.08 * scr.w
        and not close(ln.bg, first.bg, SAME_FILL)
        and len(ln.text.strip()) <= 16
        and parse_time_text(ln.text) is None
    )


def join_pieces(lines: list[OcrLine]) -> list[OcrLine]:
    """OCR sometimes cuts one line of a bubble in two at a punctuation gap ("最低还款2360元，" + "今"):
    pieces on one row, on the same fill and close together, are one line."""
    out: list[OcrLine] = []
    for ln in lines:
        prev = next((o for o in reversed(out[-3:]) if same_row(o, ln)), None)
        if (
            prev is not None
            and close(prev.bg, ln.bg, SAME_FILL)
            and 0 <= ln.x0 - prev.x1 < 1.2 * max(prev.height, ln.height)
            and parse_time_text(ln.text) is None
            and parse_time_text(prev.text) is None
        ):
            merged = OcrLine(
                text=join_text(prev.text, ln.text),
                box=(prev.x0, min(prev.y0, ln.y0), ln.x1, max(prev.y1, ln.y1)),
                score=min(prev.score, ln.score),
                ink=prev.ink,
                bg=prev.bg,
            )
            out[out.index(prev)] = merged
        else:
            out.append(ln)
    return out


def parse(scr: Screen) -> Conversation:
    conv = Conversation()
    blocks: list[list[OcrLine]] = []
    pending: list[tuple[str, object]] = []  # ordered stream of ("sep", line) / ("block", idx) / ("time", line)
    for ln in join_pieces(sorted(scr.content, key=lambda x: (x.y0, x.x0))):
        tok = parse_time_text(ln.text)
        if tok is not None and scr.centred(ln):
            pending.append(("sep", ln))
            continue
        if scr.centred(ln) and recall_side(ln.text):
            pending.append(("recall", ln))
            continue
        if tok is not None:
            pending.append(("time", ln))
            continue
        last = blocks[-1] if blocks and pending and pending[-1] == ("block", len(blocks) - 1) else None
        if last is not None:
            prev = last[-1]
            gap = ln.y0 - prev.y1
            same_bg = close(ln.bg, prev.bg, SAME_FILL)
            aligned = abs(ln.x0 - prev.x0) < 0.06 * scr.w
            if gap < 0.7 * max(prev.height, ln.height) and same_bg and aligned:
                last.append(ln)
                continue
        blocks.append([ln])
        pending.append(("block", len(blocks) - 1))

    colour_coded = any(all(saturated(ln.bg) for ln in b) for b in blocks)
    current: TimeToken | None = None
    current_line: OcrLine | None = None
    for kind, ref in pending:
        if kind == "sep":
            current_line = ref  # type: ignore[assignment]  # ref is an OcrLine or a block index, told apart by the kind checked just above
            current = parse_time_text(current_line.text)  # type: ignore[union-attr]  # ref is an OcrLine or a block index, told apart by the kind checked just above
            conv.separators.append(current_line)  # type: ignore[arg-type]  # ref is an OcrLine or a block index, told apart by the kind checked just above
        elif kind == "recall":
            ln_r: OcrLine = ref  # type: ignore[assignment]  # ref is an OcrLine or a block index, told apart by the kind checked just above
            conv.bubbles.append(
                Bubble(
                    side=recall_side(ln_r.text) or "in",
                    lines=[ln_r],
                    kind="recall",
                    sep=current,
                    sep_line=current_line,
                    before_first_separator=current is None,
                    sender=recall_sender(ln_r.text),
                )
            )
        elif kind == "block":
            block = blocks[ref]  # type: ignore[index]  # ref is an OcrLine or a block index, told apart by the kind checked just above
            b = Bubble(
                side=_block_side(scr, block, colour_coded),
                lines=block,
                sep=current,
                sep_line=current_line,
                before_first_separator=current is None,
            )
            if len(block) == 1 and (v := voice_seconds(block[0].text)) is not None:
                b.kind, b.voice_s = "voice", v
            conv.bubbles.append(b)
        else:
            ln: OcrLine = ref  # type: ignore[assignment]  # ref is an OcrLine or a block index, told apart by the kind checked just above
            b = conv.bubbles[-1] if conv.bubbles else None
            if b is not None and b.own is None and ln.y0 - b.box[3] < 2.0 * ln.height:
                b.own, b.own_line = parse_time_text(ln.text), ln
            else:  # a time line off-centre with no bubble above: treat as a separator
                current, current_line = parse_time_text(ln.text), ln
                conv.separators.append(ln)
    _attach_sender_names(scr, conv)
    # Bubbles above the first separator: the next separator bounds them (estimated, flagged).
    nxt: tuple[TimeToken, OcrLine] | None = None
    for b in reversed(conv.bubbles):
        if not b.before_first_separator:
            if b.sep is not None and b.sep_line is not None:
                nxt = (b.sep, b.sep_line)
        elif b.own is None and nxt is not None:
            b.sep, b.sep_line = nxt
    return conv
