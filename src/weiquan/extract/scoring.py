"""Scoring extracted events against expected ones: event F1 and character accuracy.

An expected event matches a predicted one when channel, direction, local time (to the minute, or
to the day when the screen shows only a day), counterpart digits and name agree and, for
messages, the text is at least 90 % similar; a call from a collapsed row also needs the row's count. Matching is one-to-one, greedy in screen order.
Character accuracy is 1 − (edit distance / reference length) over every expected text, a missed
event counting as entirely wrong; for a call-list row (no text) the reference is ``row_text``, what the
row shows besides its time (number or name, then the region/carrier line). Texts are compared after NFKC and with whitespace removed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from rapidfuzz.distance import Levenshtein

from weiquan.extract.layout import number_digits
from weiquan.ingest.base import RawEvent


_PUNCT = re.compile(r"[\s,.!?;:'\"()\[\]，。！？；：、“”‘’（）【】《》…—-]+")


def norm_text(t: str | None, *, punctuation: bool = True) -> str:
    s = unicodedata.normalize("NFKC", t or "")
    return re.sub(r"\s+", "", s) if punctuation else _PUNCT.sub("", s)


def cer(ref: str, hyp: str, *, punctuation: bool = True) -> float:
    """Character error rate; ``punctuation=False`` ignores punctuation (usual for speech)."""
    r, h = norm_text(ref, punctuation=punctuation), norm_text(hyp, punctuation=punctuation)
    return Levenshtein.distance(r, h) / max(1, len(r))


def predicted_view(ev: RawEvent) -> dict[str, Any]:
    local = ev.start.astimezone(ZoneInfo(ev.source_tz))
    day_only = ev.extra.get("time_precision") == "day"
    return {
        "channel": ev.channel,
        "direction": ev.direction,
        "time": f"{local:%Y-%m-%d}" if day_only else f"{local:%Y-%m-%d %H:%M}",
        "counterpart": number_digits(ev.counterpart_raw) if ev.counterpart_raw else None,
        "counterpart_name": ev.counterpart_name,
        "text": ev.text,
        "duration_s": ev.duration_s,
        "count": int(ev.extra.get("row_count", 1)),
        # what a call-list row shows besides its time: the number or name, then the region line
        "row_text": (ev.counterpart_raw or ev.counterpart_name or "") + (ev.extra.get("screen_region") or ""),
    }


def _matches(exp: dict[str, Any], got: dict[str, Any]) -> bool:
    for k in ("channel", "direction", "counterpart", "counterpart_name"):
        if exp.get(k) != got.get(k):
            return False
    if exp.get("time") is not None and exp["time"] != got["time"]:
        return False
    if exp.get("duration_s") is not None and exp["duration_s"] != got.get("duration_s"):
        return False
    if exp.get("count") is not None and exp["count"] != got.get("count"):
        return False
    if exp.get("text"):
        return cer(exp["text"], got.get("text") or "") <= 0.1
    return True


@dataclass
class Score:
    expected: int = 0
    predicted: int = 0
    matched: int = 0
    ref_chars: int = 0
    char_errors: int = 0

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def char_accuracy(self) -> float:
        return 1 - self.char_errors / self.ref_chars if self.ref_chars else 1.0

    def add(self, other: Score) -> None:
        for k in ("expected", "predicted", "matched", "ref_chars", "char_errors"):
            setattr(self, k, getattr(self, k) + getattr(other, k))

    def as_dict(self) -> dict[str, Any]:
        return {
            "expected": self.expected,
            "predicted": self.predicted,
            "matched": self.matched,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "char_accuracy": round(self.char_accuracy, 4),
        }


def score(
    expected: list[dict[str, Any]], predicted: list[RawEvent]
) -> tuple[Score, list[tuple[dict[str, Any], dict[str, Any] | None]]]:
    views = [predicted_view(p) for p in predicted]
    used: set[int] = set()
    s = Score(expected=len(expected), predicted=len(predicted))
    pairs: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
    for exp in expected:
        hit = next((i for i, v in enumerate(views) if i not in used and _matches(exp, v)), None)
        if hit is not None:
            used.add(hit)
            s.matched += 1
        pairs.append((exp, views[hit] if hit is not None else None))
        key = "text" if exp.get("text") else "row_text" if exp.get("row_text") else None
        if key:
            ref = norm_text(exp[key])
            s.ref_chars += len(ref)
            if hit is None:  # score the closest unmatched text, else count it all as wrong
                best = min(
                    (
                        Levenshtein.distance(ref, norm_text(v[key]))
                        for i, v in enumerate(views)
                        if i not in used and v.get(key)
                    ),
                    default=len(ref),
                )
                s.char_errors += min(best, len(ref))
            else:
                s.char_errors += Levenshtein.distance(ref, norm_text(views[hit][key]))
    return s, pairs
