"""The action area's own data files (``act/data/*.yaml``): plan policy and 案由 choices."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlanPolicy(_Frozen):
    safety_categories: list[str]
    safety_source: str
    escalation_order: list[str]
    escalation_source: str
    licence_routes: dict[str, list[str]]
    licence_routes_source: str
    licence_routes_confidence: str  # verified | single-source | unverified
    ongoing_within_days: int
    police_time_limit_months: int  # 治安管理处罚法 Art. 25: not punished if undiscovered for this long
    police_time_limit_provision: str
    limitation_years: int  # 民法典 Art. 188: 诉讼时效 three years
    limitation_provision: str
    no_limitation_provision: str  # 民法典 Art. 196: claims to stop an infringement are not time-barred
    short_text_default_chars: int
    taken_statuses: list[str]
    document_provisions: dict[str, list[str]]
    document_kinds: dict[str, list[str]]
    image_made_patterns: list[str] = []
    unlicensed_police_provisions: list[str] = []
    no_contact_min_events: int = 2
    stop_requests_zh: dict[str, str] = {}
    witness_note_re: str = ""
    witness_relations: list[str] = []
    injunction_provision: str = ""


class Cause(_Frozen):
    cause_zh: str
    categories: list[str]


class Causes(_Frozen):
    source: str
    confidence: str
    causes: list[Cause]
    default_cause_zh: str

    def choose(self, categories: set[str]) -> str:
        for c in self.causes:
            if categories & set(c.categories):
                return c.cause_zh
        return self.default_cause_zh


def _load(name: str) -> Any:
    return yaml.safe_load((resources.files("weiquan.act") / "data" / name).read_text(encoding="utf-8"))


@cache
def plan_policy() -> PlanPolicy:
    return PlanPolicy.model_validate(_load("plan.yaml"))


@cache
def causes() -> Causes:
    return Causes.model_validate(_load("causes.yaml"))
