"""The systematic training grid (issue #15): every item is one cell of
category x speaker x recipient x channel x register x script x placeholder style x noise.

The data (phrases, frames and the lawful hard negatives) are in ``corpus/grid.yaml``; this module only
combines them, deterministically (seeded), and records the cell of every item so the counts per cell can
be reported (``python scripts/grid_corpus.py``) and a cross-validation can hold out whole cells.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
import random
import re
from typing import Any

import opencc
import yaml

from weiquan.analyze.base import LAWFUL

_SLOT = re.compile(r"\{([a-z0-9_]+)\}")
THIRD_PARTY = ("relative", "colleague", "employer", "contact_list")
SCRIPTS = ("simplified", "simplified", "simplified", "traditional", "mixed")
PLACEHOLDERS = ("none", "none", "XX", "某某", "{0}", "masked")
NOISE = ("none", "none", "none", "typo", "dialect")
# which speakers voice which unlawful category (a fake officer's threats are also impersonation)
SPEAKERS = {"impersonation": ("officer",), "threat_legal_false": ("app", "collector", "legal_dept", "officer")}
DEFAULT_SPEAKERS = ("app", "collector", "legal_dept")
CHANNELS_FOR = {"contact_list": ("group", "sms")}
DEFAULT_CHANNELS = ("sms", "call", "wechat", "letter")
LAWFUL_REGISTERS = ("polite", "bureaucratic", "blunt")
BLUNT = ["别拖了，", "抓紧点，", "我再说一遍，", "听好了，", "别装没看见，", "赶紧的，"]

# Typos and dialect: light, deterministic character or word substitutions (the normaliser undoes some).
TYPOS = {
    "还款": "换款",
    "通讯录": "通迅录",
    "知道": "知到",
    "已经": "以经",
    "的": "滴",
    "联系": "连系",
    "处理": "处里",
    "马上": "马尚",
    "逾期": "预期",
    "时候": "时侯",
    "你": "尼",
}
DIALECT = [
    ("什么", "啥子"),
    ("家里", "屋头"),
    ("不要", "莫"),
    ("没有", "冇"),
    ("是不是", "系唔系"),
    ("你们", "你哋"),
    ("怎么", "咋"),
    ("干什么", "干哈"),
    ("我们", "阿拉"),
    ("了", "咯"),
    ("知道", "晓得"),
    ("孩子", "娃儿"),
]


@dataclass(frozen=True)
class GridItem:
    text: str
    labels: tuple[str, ...]
    origin: str
    cell: tuple[str, ...]  # (category, speaker, recipient, channel, register, script, placeholder, noise)


@cache
def grid_data() -> dict[str, Any]:
    text = resources.files("weiquan.analyze").joinpath("corpus/grid.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _fill(template: str, slots: dict[str, list[str]], rng: random.Random, depth: int = 0) -> str:
    if depth > 4:
        return template
    return _SLOT.sub(
        lambda m: _fill(rng.choice(slots[m.group(1)]), slots, rng, depth + 1) if m.group(1) in slots else m.group(0),
        template,
    )


def _act(raw: str) -> tuple[str, set[str]]:
    """An act clause and the labels it carries besides its category: ``"… ##threat_exposure"`` marks an act
    that also tells or involves the borrower's family, employer or school (visiting the parents, calling the
    relatives' phones: the team's convention is the act's category + threat_exposure)."""
    text, _, extra = raw.partition(" ##")
    return text, {x.strip() for x in extra.split(",") if x.strip()}


def _third_person(text: str, rng: random.Random) -> str:
    he = rng.choice(("他", "她"))
    return text.replace("您", "你").replace("你们", he + "们").replace("你", he)


def _placeholder(text: str, style: str, rng: random.Random) -> str:
    if style == "none":
        return text
    names = grid_data()["slots"]["name"]
    if style == "masked":
        return re.sub(r"\d{3,}", lambda m: m.group(0)[:2] + "*" * (len(m.group(0)) - 2), text)
    for n in names:
        if n in text:
            text = text.replace(n, n[0] + style if style in ("XX", "某某") and rng.random() < 0.5 else style)
    return text


def _noise(text: str, kind: str, rng: random.Random) -> str:
    if kind == "typo":
        keys = [k for k in TYPOS if k in text]
        for k in rng.sample(keys, min(len(keys), 2)):
            text = text.replace(k, TYPOS[k], 1)
    elif kind == "dialect":
        for a, b in DIALECT:
            if a in text and rng.random() < 0.7:
                text = text.replace(a, b)
    return text


@cache
def _s2t() -> Any:
    return opencc.OpenCC("s2t")


def _script(text: str, kind: str) -> str:
    if kind == "traditional":
        return _s2t().convert(text)
    if kind == "mixed":
        parts = re.split(r"(，|。|！|？)", text)
        return "".join(_s2t().convert(p) if i % 4 == 0 else p for i, p in enumerate(parts))
    return text


def _finish(body: str, cell: tuple[str, ...], slots: dict[str, list[str]], rng: random.Random) -> str:
    _, _, _, _, _, script, ph, noise = cell
    text = _fill(body, slots, rng)
    text = _noise(text, noise, rng)
    text = _placeholder(text, ph, rng)
    return _script(text, script)


def _axes(i: int, rng: random.Random) -> tuple[str, str, str]:
    return SCRIPTS[i % len(SCRIPTS)], PLACEHOLDERS[rng.randrange(len(PLACEHOLDERS))], NOISE[rng.randrange(len(NOISE))]


def _frame(channel: str, speaker: str, salute: str, facts: str, act: str, d: dict[str, Any], rng: random.Random) -> str:
    ch = d["channels"][channel]
    opening = rng.choice(d["speakers"][speaker])
    pre, post = rng.choice(ch["pre"]), rng.choice(ch["post"])
    sep = "" if act.endswith(("。", "！", "？", "~")) else rng.choice(("。", "！", "", "。"))
    if channel == "wechat" and rng.random() < 0.3:  # voice-to-text: no punctuation
        return re.sub(r"[，。！？]", " ", pre + salute + facts + act) + post
    if channel == "sms" and opening.startswith("【"):
        return opening + salute + facts + act + sep + post
    return pre + opening + salute + facts + act + sep + post


def expand_grid(per_cell: int = 2, seed: int = 15) -> Iterator[GridItem]:
    """Every cell of the grid, ``per_cell`` items each (lawful cells get the same count)."""
    d = grid_data()
    slots = {k: [str(x) for x in v] for k, v in d["slots"].items()}
    rng = random.Random(seed)
    i = 0
    for cat, by_register in d["acts"].items():
        for speaker in SPEAKERS.get(cat, DEFAULT_SPEAKERS):
            for recipient, rec in d["recipients"].items():
                for channel in CHANNELS_FOR.get(recipient, DEFAULT_CHANNELS):
                    for register, acts in by_register.items():
                        # four of the five recipients are third parties: fewer items per third-party cell keep
                        # third-party messages from outnumbering messages to the borrower
                        for _ in range(per_cell if recipient == "borrower" else max(1, (per_cell + 1) // 3)):
                            i += 1
                            labels = {cat}
                            if speaker == "officer" or cat == "impersonation":
                                # a fake officer, court or credit bureau taking up a civil debt is an invented
                                # procedure as well: impersonation and a false legal threat (the team's convention)
                                labels |= {"impersonation", "threat_legal_false"}
                            act, also = _act(rng.choice(acts))
                            labels |= also
                            salute, facts = rng.choice(rec["salute"]), rng.choice(rec["facts"])
                            if recipient in THIRD_PARTY:
                                act = _third_person(_fill(act, slots, rng), rng)
                                labels |= {"third_party_contact", "privacy_disclosure"}
                            if rng.random() < 0.12:  # a second act in the same message
                                cat2 = rng.choice([c for c in d["acts"] if c != cat])
                                reg2 = rng.choice(list(d["acts"][cat2]))
                                act2, also2 = _act(rng.choice(d["acts"][cat2][reg2]))
                                labels |= also2
                                if recipient in THIRD_PARTY:
                                    act2 = _third_person(_fill(act2, slots, rng), rng)
                                act = act + "，" + act2
                                labels.add(cat2)
                            cell = (cat, speaker, recipient, channel, register, *_axes(i, rng))
                            body = _frame(channel, speaker, salute, facts, act, d, rng)
                            yield GridItem(
                                _finish(body, cell, slots, rng), tuple(sorted(labels)), f"team-grid:{cat}", cell
                            )
    for cat, block in d["done_acts"].items():
        for recipient in block.get("recipients", ["borrower"]):
            for speaker in DEFAULT_SPEAKERS:
                for channel in CHANNELS_FOR.get(recipient, DEFAULT_CHANNELS):
                    for _ in range(per_cell * 2 if recipient == "borrower" else per_cell):
                        i += 1
                        cell = (cat + ":done", speaker, recipient, channel, "crude", *_axes(i, rng))
                        rec = d["recipients"][recipient]
                        body = _frame(
                            channel,
                            speaker,
                            rng.choice(rec["salute"]),
                            rng.choice(rec["facts"]),
                            rng.choice(block["lines"]),
                            d,
                            rng,
                        )
                        yield GridItem(
                            _finish(body, cell, slots, rng),
                            tuple(sorted(block["labels"])),
                            f"team-grid:{cat}:done",
                            cell,
                        )
    for sub, block in d["lawful"].items():
        speakers = [s for s in block["speakers"] if s in d["speakers"]] or ["app"]
        recipient = block.get("recipient", "borrower")
        for speaker in speakers:
            for channel in DEFAULT_CHANNELS:
                for register in LAWFUL_REGISTERS:
                    for _ in range(per_cell * 2):
                        i += 1
                        body = rng.choice(block["bodies"])
                        if register == "blunt":
                            body = rng.choice(BLUNT) + body
                        elif register == "bureaucratic" and speaker not in ("family", "borrower", "news"):
                            body = (
                                rng.choice(["根据借款合同约定，", "特此通知：", "现就你的借款事宜告知如下：", ""])
                                + body
                            )
                        cell = (f"lawful:{sub}", speaker, recipient, channel, register, *_axes(i, rng))
                        if speaker in ("family", "borrower", "news"):
                            text = rng.choice(d["speakers"][speaker]) + body + rng.choice(["", "。", "！"])
                        else:
                            rec = d["recipients"]["borrower"]
                            salute = rng.choice(rec["salute"])
                            text = _frame(channel, speaker, salute, "", body, d, rng)
                        yield GridItem(_finish(text, cell, slots, rng), (LAWFUL,), f"team-grid:lawful:{sub}", cell)


RETELLING_FRAMES = ("narrative", "after_contact", "indirect")


def _retold(frame: str, reporter: str, speech: str, act: str, rng: random.Random) -> str:
    if frame == "after_contact":  # the call or message first, then what was said
        return rng.choice(("打电话给我，", "给我发微信，", "昨晚十一点打来电话，", "发短信给我，")) + speech + act
    if frame == "indirect":  # reporter named after a time phrase
        return rng.choice(("上周", "最近", "这几天", "今天")) + reporter + rng.choice(("又", "还", "")) + speech + act
    return reporter + speech + act


def expand_retelling(per_cell: int = 2, seed: int = 16) -> Iterator[GridItem]:
    """The retelling register: complaint texts, notes of calls and messages to friends in the first person
    (``retelling`` in grid.yaml). Cell: (retelling:category, reporter, recipient, channel, frame, script,
    placeholders, noise); the writer is the borrower, the act retold is the label."""
    d = grid_data()
    r = d["retelling"]
    slots = {k: [str(x) for x in v] for k, v in d["slots"].items()}
    rng = random.Random(seed)
    recipient = {"complaint": "platform", "forum": "public", "call_note": "self", "friend": "friend"}
    i = 0

    def frame_text(channel: str, core: str) -> str:
        ch = r["channels"][channel]
        end = "" if core.endswith(("。", "！", "？")) else rng.choice(("。", "，", "！"))
        return rng.choice(ch["pre"]) + core + end + rng.choice(ch["post"])

    for cat, acts in r["acts"].items():
        for k, reporter in enumerate(r["reporters"]):
            for channel in r["channels"]:
                for frame in RETELLING_FRAMES:
                    for _ in range(max(1, per_cell // 2)):
                        i += 1
                        act, also = _act(rng.choice(acts))
                        labels = {cat} | also
                        if cat == "impersonation":
                            labels.add("threat_legal_false")
                        core = _retold(frame, reporter, rng.choice(r["speech"]), act, rng)
                        cell = (f"retelling:{cat}", f"reporter{k}", recipient[channel], channel, frame, *_axes(i, rng))
                        yield GridItem(
                            _finish(frame_text(channel, core), cell, slots, rng),
                            tuple(sorted(labels)),
                            f"team-grid:retelling:{cat}",
                            cell,
                        )
    for block in r["done"]:
        for channel in r["channels"]:
            for _ in range(per_cell * 2):
                i += 1
                line = rng.choice(block["lines"])
                cat = "+".join(block["labels"])
                cell = (f"retelling:{cat}:done", "borrower", recipient[channel], channel, "narrative", *_axes(i, rng))
                yield GridItem(
                    _finish(frame_text(channel, line), cell, slots, rng),
                    tuple(sorted(block["labels"])),
                    f"team-grid:retelling:{cat}:done",
                    cell,
                )
    for channel in r["channels"]:
        for _ in range(per_cell * 15):
            i += 1
            cell = ("retelling:lawful", "borrower", recipient[channel], channel, "narrative", *_axes(i, rng))
            yield GridItem(
                _finish(frame_text(channel, rng.choice(r["lawful"])), cell, slots, rng),
                (LAWFUL,),
                "team-grid:retelling:lawful",
                cell,
            )


def is_retelling(origin: str) -> bool:
    """Items of the retelling register are read (trained and detected) with 我 as the addressee."""
    return origin.startswith("team-grid:retelling:")


def cell_counts(items: list[GridItem], axes: tuple[int, ...] = (0,)) -> Counter[tuple[str, ...]]:
    return Counter(tuple(it.cell[a] for a in axes) for it in items)
