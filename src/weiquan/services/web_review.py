"""Review helpers for the web: which case a finding belongs to, and findings with their law in plain words."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from weiquan.errors import NotFoundError
from weiquan.services import web_law
from weiquan.store.models import Finding
from weiquan.workspace import Workspace


def finding_case_id(ws: Workspace, finding_id: int) -> int:
    with ws.db.read_session() as s:
        f = s.get(Finding, finding_id)
        if f is None:
            raise NotFoundError(f"违规记录 {finding_id} 不存在", f"finding {finding_id} does not exist")
        return f.case_id


def require_finding_in_case(ws: Workspace, case_id: int, finding_id: int) -> None:
    if finding_case_id(ws, finding_id) != case_id:
        raise NotFoundError(f"违规记录 {finding_id} 不属于这个案件", f"finding {finding_id} is not part of case {case_id}")


class ReviewItem(BaseModel):
    finding: Any  # the analysis service's FindingOut
    info: web_law.CategoryInfo
    provisions: list[web_law.ProvisionInfo]


class ReviewGroup(BaseModel):
    category: str
    name_zh: str
    items: list[ReviewItem]
    total: int  # findings of the category in the case (all states)
    pending: int  # of them not reviewed yet


def group_pending(findings: list[Any], category: str) -> int:
    return sum(1 for f in findings if f.category == category and f.review_state == "auto")


def group_by_category(items: list[ReviewItem], everything: list[Any]) -> list[ReviewGroup]:
    """One page's findings grouped by violation category (in the order they come), with each category's counts."""
    groups: dict[str, ReviewGroup] = {}
    for it in items:
        cat = it.finding.category
        g = groups.get(cat)
        if g is None:
            g = groups[cat] = ReviewGroup(category=cat, name_zh=it.info.name_zh, items=[],
                                          total=sum(1 for f in everything if f.category == cat),
                                          pending=group_pending(everything, cat))
        g.items.append(it)
    return list(groups.values())


def review_items(findings: list[Any], scope: web_law.LawScope | None = None) -> list[ReviewItem]:
    """Each finding with its category's plain-words law and its own provisions resolved from the law pack, cited as
    the case's documents cite them (``scope``: the version in force when the conduct happened, the lender's
    licence type)."""
    out = []
    for f in findings:
        info = web_law.category_info(f.category, scope)
        provs = web_law.provisions_for(list(f.provisions or []), scope) or info.provisions
        out.append(ReviewItem(finding=f, info=info, provisions=provs))
    return out
