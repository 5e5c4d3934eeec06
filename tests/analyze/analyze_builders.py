"""Helpers shared by the detection tests (importable by name, unlike conftest)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SH = ZoneInfo("Asia/Shanghai")


def local(y: int, mo: int, d: int, h: int, mi: int = 0) -> dt.datetime:
    """A Shanghai wall-clock time as an aware UTC datetime (how events are stored)."""
    return dt.datetime(y, mo, d, h, mi, tzinfo=SH).astimezone(dt.UTC)


def cats(text: str) -> set[str]:
    """Categories the combined text detector finds in ``text``."""
    from weiquan.analyze.text import classify_text

    return {h.category for h in classify_text(text)}


def rules(text: str) -> set[str]:
    """Rule ids behind the hits in ``text``."""
    from weiquan.analyze.text import classify_text

    return {r for h in classify_text(text) if h.rule_id for r in h.rule_id.split(",")}
