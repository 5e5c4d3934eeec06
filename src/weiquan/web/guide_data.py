"""The short guides (指南): data files under ``web/guides/*.yaml``, each fact with its source.

A legal fact lives in the law pack only: a guide names it instead of restating it. Its text refers to pack values
with placeholders ``{kind:id:field}`` — ``{channel:nfra:contact.hotline}`` (12378), ``{channel:police:deadline.days}``,
``{cap:four_lpr_contract:multiple}``, ``{provision:civil-670:cite}`` — and a fact taken from the pack says which row
(``ref: channel:nfra``, ``deadline:police``, ``provision:psapl-50-1-5``, ``cap:line_24_fin``), whose source and
confidence it shows. Only facts the pack does not hold (how a phone backs up) carry their own source.
:func:`for_pack` fills a guide from the workspace's pack; an unknown id or field is an error."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from weiquan.errors import NotFoundError
from weiquan.law.pack import LawPack

GUIDE_DIR = Path(__file__).parent / "guides"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Section(_Strict):
    heading: str
    points: list[str] = Field(min_length=1)


REF = r"(?:channel|deadline|provision|statute|cap):[a-z0-9_.-]+"
PLACEHOLDER = re.compile(r"\{(channel|provision|statute|cap):([a-z0-9_.-]+):([a-z_]+(?:\.[a-z_]+)*)\}")


class Fact(_Strict):
    text: str
    ref: str | None = Field(default=None, pattern=f"^{REF}$")  # the law-pack row the fact is
    source: str | None = Field(default=None, min_length=3)  # only for a fact the pack does not hold
    confidence: Literal["verified", "single-source", "unverified"] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Fact:
        if (self.ref is None) == (self.source is None) or (self.source is None) != (self.confidence is None):
            raise ValueError("a guide fact has either ref (a law-pack row) or its own source and confidence")
        return self


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


def _rows(pack: LawPack, kind: str) -> dict[str, Any]:
    if kind in ("channel", "deadline"):
        return pack.channels
    if kind == "provision":
        return pack.provisions
    if kind == "statute":
        return pack.statutes
    return pack.interest_rules.caps


def _row(pack: LawPack, kind: str, row_id: str) -> Any:
    row = _rows(pack, kind).get(row_id)
    if row is None:
        raise ValueError(f"guide refers to an unknown {kind}: {row_id}")
    if kind == "deadline":
        if row.deadline is None:
            raise ValueError(f"guide refers to the deadline of {row_id}, which has none")
        return row.deadline
    return row


def _shown(value: Any, what: str) -> str:
    if callable(value):
        value = value()
    if value is None or isinstance(value, (dict, list, BaseModel)):
        raise ValueError(f"guide placeholder {what} is not a value")
    if isinstance(value, float):
        return f"{value * 100:g}%" if value < 1 else f"{value:g}"
    return str(value)


def fill(text: str, pack: LawPack) -> str:
    """``text`` with each ``{kind:id.field…}`` placeholder replaced by the pack's value."""

    def one(m: re.Match[str]) -> str:
        value: Any = _row(pack, m.group(1), m.group(2))
        for attr in m.group(3).split("."):
            if not hasattr(value, attr):
                raise ValueError(f"guide placeholder {m.group(0)}: no field {attr}")
            value = getattr(value, attr)
        return _shown(value, m.group(0))

    return PLACEHOLDER.sub(one, text)


def for_pack(g: Guide, pack: LawPack) -> Guide:
    """The guide as shown: placeholders filled from ``pack``, each referring fact with its row's source."""

    def fact(f: Fact) -> Fact:
        if f.ref is None:
            return f.model_copy(update={"text": fill(f.text, pack)})
        kind, row_id = f.ref.split(":", 1)
        row = _row(pack, kind, row_id)
        return Fact(text=fill(f.text, pack), source=row.source, confidence=row.confidence)

    return g.model_copy(
        update={
            "title": fill(g.title, pack),
            "summary": fill(g.summary, pack),
            "sections": [
                Section(heading=fill(s.heading, pack), points=[fill(p, pack) for p in s.points]) for s in g.sections
            ],
            "facts": [fact(f) for f in g.facts],
        }
    )


def get_guide(guide_id: str) -> Guide:
    try:
        return load_guides()[guide_id]
    except KeyError:
        raise NotFoundError(f"指南不存在：{guide_id}", f"no such guide: {guide_id}") from None
