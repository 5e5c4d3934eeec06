"""Numbers from exports that are not usable numbers (NaN, inf, 1e400, negative durations).

Every importer yields :class:`RawEvent` values read from text, so ``"nan"``, ``"inf"``, ``"1e400"``
or ``"-50"`` reach us as floats. A timestamp that is not a finite number is out of range
(``timeutil``); a duration or confidence that is not a plausible number is dropped from its
record with a warning naming the record, and the record itself is kept (the contact happened).
"""

from __future__ import annotations

import math
from typing import Any

from weiquan.ingest.base import ImportContext, RawEvent

MAX_DURATION_S = 86_400.0  # a call or recording longer than a day is not a real duration


def plausible_duration(value: float | None) -> bool:
    return value is None or (math.isfinite(value) and 0 <= value <= MAX_DURATION_S)


def plausible_confidence(value: float | None) -> bool:
    return value is None or (math.isfinite(value) and 0 <= value <= 1)


def checked(raw: RawEvent, ctx: ImportContext) -> RawEvent:
    """``raw`` with implausible numbers removed, each removal reported through ``ctx.warn``."""
    if not plausible_duration(raw.duration_s):
        ctx.warn(
            f"{ctx.original_name} {raw.locator[:120]}：通话时长无效（{raw.duration_s!r}），已忽略该时长 / "
            f"invalid duration ({raw.duration_s!r}); duration dropped, record kept"
        )
        raw.duration_s = None
    if not plausible_confidence(raw.confidence):
        raw.confidence = None
    raw.raw = _finite_json(raw.raw)
    raw.extra = _finite_json(raw.extra)
    return raw


def _finite_json(d: dict[str, Any]) -> dict[str, Any]:
    """Raw values kept as stored: a NaN or infinite float (not valid JSON) is kept as its text."""
    if not any(isinstance(v, float) and not math.isfinite(v) for v in d.values()):
        return d
    return {k: (repr(v) if isinstance(v, float) and not math.isfinite(v) else v) for k, v in d.items()}
