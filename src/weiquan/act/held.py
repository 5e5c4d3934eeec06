"""Material the borrower's own account says exists besides the account (``data/held_material.yaml``): the
recording of a visit "借款人用手机全程录音（时长约18分钟）", a screenshot "截图在刘洋那里，我手机里也有一份". The
证据目录 lists each as an item of its own, with who holds it; the regulator form names only the kinds the case holds.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from weiquan.act.policy import _Frozen, _load


class HeldKind(_Frozen):
    id: str
    words: list[str]
    name_zh: str
    form_zh: str
    pages_zh: str


class HeldLexicon(_Frozen):
    source: str
    kinds: list[HeldKind]
    negations: list[str]
    holder_patterns: list[str]
    duration_pattern: str


@cache
def lexicon() -> HeldLexicon:
    return HeldLexicon.model_validate(_load("held_material.yaml"))


@dataclass(frozen=True)
class HeldItem:
    """One item of material an entry says exists: its kind, when (the entry's start, UTC), the entry's channel,
    who holds it ("本人", "刘洋"; empty when the entry does not say) and a recording's length ("约18分钟")."""

    kind: HeldKind
    start: dt.datetime
    channel: str
    holders: tuple[str, ...]
    duration_zh: str


def _mentions(text: str, kind: HeldKind, negations: list[str]) -> bool:
    for w in kind.words:
        for m in re.finditer(re.escape(w), text):
            before = text[max(0, m.start() - 3) : m.start()]
            if not any(before.endswith(n) or before.endswith(n + "有") for n in negations):
                return True
    return False


def _holders(note: str, text: str, lex: HeldLexicon) -> tuple[str, ...]:
    out: list[str] = []
    for src in (note, text):
        for pat in lex.holder_patterns:
            for m in re.finditer(pat, src):
                who = m.group("who")
                who = "本人" if who in ("我", "本人", "借款人") else who
                if who not in out:
                    out.append(who)
    return tuple(out)


def holders_zh(item: HeldItem) -> str:
    """ "由本人保存", "由刘洋保存，本人亦有一份", "保存人未注明"."""
    others = [h for h in item.holders if h != "本人"]
    if not item.holders:
        return "保存人未注明（据本人陈述）"
    if not others:
        return "由本人保存"
    return "由" + "、".join(others) + "保存" + ("，本人亦有一份" if "本人" in item.holders else "")


def held_items(start: dt.datetime, channel: str, text: str, note: str) -> list[HeldItem]:
    """The items one manual entry (its text and the borrower's note) says exist, one per kind."""
    lex = lexicon()
    both = f"{text}\n{note}"
    out = []
    for kind in lex.kinds:
        if not _mentions(both, kind, lex.negations):
            continue
        dur = ""
        if kind.id in ("recording", "video"):
            at = min((both.find(w) for w in kind.words if w in both), default=0)
            m = re.search(lex.duration_pattern, both[at:])  # the length stated after the word, not the visit's
            if m:
                dur = f"约{m.group('n')}{m.group('unit')}"
        out.append(HeldItem(kind, start, channel, _holders(note, text, lex), dur))
    return out
