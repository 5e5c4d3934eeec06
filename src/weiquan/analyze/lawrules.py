"""What the detectors read from the law pack: severities, provisions and conduct thresholds.

Nothing here hard-codes a legal number: the night window and the per-day limits come from
``law/cn/conduct.yaml`` through ``weiquan.law.pack.load_pack()``.
"""

from __future__ import annotations

from dataclasses import dataclass
import datetime as dt
from functools import cache
from typing import Any

from weiquan.law.pack import load_pack


@dataclass(frozen=True)
class ConductRules:
    night_start: dt.time
    night_end: dt.time
    night_channels: tuple[str, ...]
    night_source: str
    max_connected_voice_per_day: int
    voice_source: str
    max_attempts_per_number_per_day: int
    attempts_soft: bool
    attempts_source: str
    home_visit: tuple[Any, ...] = ()  # conduct.yaml home_visit rules (id, rule_zh, provision_id, source, confidence)

    def in_night(self, t: dt.time) -> bool:
        if self.night_start <= self.night_end:
            return self.night_start <= t < self.night_end
        return t >= self.night_start or t < self.night_end

    @property
    def night_label(self) -> str:
        return f"{self.night_start:%H:%M}—{self.night_end:%H:%M}"


def conduct_from_pack(pack: Any) -> ConductRules:
    c = pack.conduct
    night_src = "；".join(r.source for r in c.night.rules)
    return ConductRules(
        night_start=c.night.start,
        night_end=c.night.end,
        night_channels=tuple(c.night.covers),
        night_source=night_src,
        max_connected_voice_per_day=c.max_connected_voice_per_day.value,
        voice_source=c.max_connected_voice_per_day.wording_zh or c.max_connected_voice_per_day.source,
        max_attempts_per_number_per_day=c.max_attempts_per_method_per_day.value,
        attempts_soft=c.max_attempts_per_method_per_day.soft,
        attempts_source=c.max_attempts_per_method_per_day.wording_zh or c.max_attempts_per_method_per_day.source,
        home_visit=tuple(c.home_visit),
    )


@cache
def _pack() -> Any:
    return load_pack()


def default_conduct() -> ConductRules:
    return conduct_from_pack(_pack())


@dataclass(frozen=True)
class CategoryLaw:
    category: str
    name_zh: str
    severity: str
    provisions: list[dict[str, Any]]


def provisions_by_id(ids: list[str], kind: str = "self_regulatory") -> list[dict[str, Any]]:
    """Provision entries (as in :func:`category_law`) for explicit provision ids, e.g. a conduct rule's."""
    pack = _pack()
    out = []
    for pid in ids:
        p = pack.provisions.get(pid)
        out.append({"id": pid, "cite": p.cite() if p else pid, "kind": kind, "note": None})
    return out


def category_law(category: str) -> CategoryLaw:
    """Name, severity and provisions (id, formal citation, kind, condition) of a category."""
    pack = _pack()
    v = pack.violations.get(category)
    if v is None:
        return CategoryLaw(category, category, "medium", [])
    provs = []
    for ref in v.provisions:
        p = pack.provisions.get(ref.provision_id)
        provs.append(
            {"id": ref.provision_id, "cite": p.cite() if p else ref.provision_id, "kind": ref.kind, "note": ref.note_zh}
        )
    return CategoryLaw(category, v.name_zh, v.severity, provs)
