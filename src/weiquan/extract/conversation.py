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

from dataclasses import dataclass, field

from weiquan.extract.layout import Screen, close, saturated
from weiquan.extract.ocr import OcrLine
from weiquan.extract.timeparse import TimeToken, parse_time_text


@dataclass
class Bubble:
    side: str  # in|out
    lines: list[OcrLine]
    sep: TimeToken | None = None
    sep_line: OcrLine | None = None
    own: TimeToken | None = None
    own_line: OcrLine | None = None
    before_first_separator: bool = False

    @property
    def box(self) -> tuple[int, int, int, int]:
        return (min(ln.x0 for ln in self.lines), min(ln.y0 for ln in self.lines),
                max(ln.x1 for ln in self.lines), max(ln.y1 for ln in self.lines))

    @property
    def time(self) -> TimeToken | None:
        return self.own or self.sep

    def text_and_spans(self) -> tuple[str, list[dict[str, object]]]:
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


def parse(scr: Screen) -> Conversation:
    conv = Conversation()
    blocks: list[list[OcrLine]] = []
    pending: list[tuple[str, object]] = []  # ordered stream of ("sep", line) / ("block", idx) / ("time", line)
    for ln in scr.content:
        tok = parse_time_text(ln.text)
        if tok is not None and scr.centred(ln):
            pending.append(("sep", ln))
            continue
        if tok is not None:
            pending.append(("time", ln))
            continue
        last = blocks[-1] if blocks and pending and pending[-1] == ("block", len(blocks) - 1) else None
        if last is not None:
            prev = last[-1]
            gap = ln.y0 - prev.y1
            same_bg = close(ln.bg, prev.bg)
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
            current_line = ref  # type: ignore[assignment]
            current = parse_time_text(current_line.text)  # type: ignore[union-attr]
            conv.separators.append(current_line)  # type: ignore[arg-type]
        elif kind == "block":
            block = blocks[ref]  # type: ignore[index]
            conv.bubbles.append(Bubble(side=_block_side(scr, block, colour_coded), lines=block, sep=current, sep_line=current_line,
                                       before_first_separator=current is None))
        else:
            ln: OcrLine = ref  # type: ignore[assignment]
            b = conv.bubbles[-1] if conv.bubbles else None
            if b is not None and b.own is None and ln.y0 - b.box[3] < 2.0 * ln.height:
                b.own, b.own_line = parse_time_text(ln.text), ln
            else:  # a time line off-centre with no bubble above: treat as a separator
                current, current_line = parse_time_text(ln.text), ln
                conv.separators.append(ln)
    # Bubbles above the first separator: the next separator bounds them (estimated, flagged).
    nxt: tuple[TimeToken, OcrLine] | None = None
    for b in reversed(conv.bubbles):
        if not b.before_first_separator:
            if b.sep is not None and b.sep_line is not None:
                nxt = (b.sep, b.sep_line)
        elif b.own is None and nxt is not None:
            b.sep, b.sep_line = nxt
    return conv
