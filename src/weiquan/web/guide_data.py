"""The short guides (指南): data files under ``web/guides/*.yaml``, each fact with its source."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from weiquan.errors import NotFoundError

GUIDE_DIR = Path(__file__).parent / "guides"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Section(_Strict):
    heading: str
    points: list[str] = Field(min_length=1)


class Fact(_Strict):
    text: str
    source: str = Field(min_length=3)
    confidence: Literal["verified", "single-source", "unverified"]


class Tool(_Strict):
    title: str
    href: str = Field(pattern=r"^/[a-z0-9/_-]*$")


class Guide(_Strict):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    order: int
    title: str
    summary: str
    sections: list[Section] = Field(min_length=1)
    facts: list[Fact] = Field(default_factory=list)
    related: list[str] = Field(default_factory=list)
    tools: list[Tool] = Field(default_factory=list)


@lru_cache(maxsize=1)
def load_guides() -> dict[str, Guide]:
    """All guides by id, in reading order. Raises ValueError on a broken file or a dangling link."""
    guides = [Guide.model_validate(yaml.safe_load(p.read_text("utf-8"))) for p in sorted(GUIDE_DIR.glob("*.yaml"))]
    out = {g.id: g for g in sorted(guides, key=lambda g: (g.order, g.id))}
    for g in out.values():
        missing = [r for r in g.related if r not in out]
        if missing:
            raise ValueError(f"guide {g.id}: related guides not found: {missing}")
    return out


def get_guide(guide_id: str) -> Guide:
    try:
        return load_guides()[guide_id]
    except KeyError:
        raise NotFoundError(f"指南不存在：{guide_id}", f"no such guide: {guide_id}") from None
