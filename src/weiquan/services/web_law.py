"""Law-pack look-ups phrased for the web UI: a violation category in plain words with its provisions."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel


class ProvisionInfo(BaseModel):
    id: str
    cite: str
    summary_zh: str
    penalty: str | None = None
    confidence: str
    unverified: bool
    note_zh: str | None = None


class CategoryInfo(BaseModel):
    id: str
    name_zh: str
    description_zh: str
    severity: str
    provisions: list[ProvisionInfo]
    unverified: bool


def _pack() -> Any:
    from weiquan.law.pack import load_pack

    return load_pack()


def provision_info(pid: str, note_zh: str | None = None) -> ProvisionInfo | None:
    p = _pack().provisions.get(pid)
    if p is None:
        return None
    return ProvisionInfo(id=pid, cite=p.cite(), summary_zh=p.summary_zh, penalty=p.penalty, confidence=p.confidence,
                         unverified=p.confidence == "unverified", note_zh=note_zh)


@lru_cache(maxsize=64)
def category_info(category: str) -> CategoryInfo:
    """The violation category from the law pack; unknown ids come back named by their id, marked unverified."""
    v = _pack().violations.get(category)
    if v is None:
        return CategoryInfo(id=category, name_zh=category, description_zh="", severity="medium", provisions=[], unverified=True)
    provs = [pi for ref in v.provisions if (pi := provision_info(ref.provision_id, ref.note_zh)) is not None]
    return CategoryInfo(id=v.id, name_zh=v.name_zh, description_zh=v.description_zh, severity=v.severity, provisions=provs,
                        unverified=v.confidence == "unverified")


def provisions_for(ids: list[Any]) -> list[ProvisionInfo]:
    """Provision infos for a finding's ``provisions`` list (ids or {provision_id: …} dicts)."""
    out = []
    for item in ids:
        pid = item.get("provision_id") or item.get("id") if isinstance(item, dict) else str(item)
        if pid and (pi := provision_info(str(pid))) is not None:
            out.append(pi)
    return out
