"""What people read: stored or law-pack text made plain Chinese for the pages, the CLI and the report.

Finding summaries and explanations, plan notes and provision notes are written by detectors and
data files; older stores still hold wording such as "（employer）", "（law pack conduct.third_party）",
"分类模型 clf-1.… 判断为该类（概率 0.94）", "号段 1540000xxxx" or a source URL. :func:`plain_zh` applies the
documents' wording (``zh.format.zh_text``: recipient ids as 亲属/单位…, ISO dates as 2024年3月7日) and removes the
internal identifiers. (Marks that named notes outside the repository are no longer written anywhere; stored findings
that held them were cleaned by migration 0005.)
"""

from __future__ import annotations

import re

from weiquan.zh.format import zh_text

_LAW_PACK_REF = re.compile(r"[（(]\s*law pack[^）)]*[）)]")
_MODEL = re.compile(r"分类模型\s*clf-[\w.]+\s*判断为该类（概率\s*(0?\.\d+|1(?:\.0+)?)）")
_URL = re.compile(r"\s*(?:转载|见|来源[:：]?)?\s*https?://[^\s；;，,）)]+")
_MASKED = re.compile(r"(\d)[xX]{2,}")
_RULE_ID = re.compile(r"(模式)\s*[A-Z]{1,3}\d+[a-z]?\b")  # "匹配威胁模式 E2「…」": the rule's id is internal
_EMPTY_BRACKETS = re.compile(r"[（(]\s*[；;，,]*\s*[）)]")
_SEPARATORS = re.compile(r"[；;]\s*(?=[；;）)])|(?<=[（(])\s*[；;]\s*")


def plain_zh(text: str | None) -> str:
    """``text`` in the product's plain Chinese, without internal ids or URLs."""
    return zh_text(strip_internal(text))


def strip_internal(text: str | None) -> str:
    """``text`` without internal ids or URLs."""
    if not text:
        return ""
    s = _LAW_PACK_REF.sub("", str(text))
    s = _MODEL.sub(lambda m: f"文字模型判断为这一类（把握约 {round(float(m.group(1)) * 100)}%）", s)
    s = _URL.sub("", s)
    s = _MASKED.sub(lambda m: m.group(1) + "××××", s)
    s = _RULE_ID.sub(r"\1", s)
    s = _SEPARATORS.sub("", s)
    return _EMPTY_BRACKETS.sub("", s)
