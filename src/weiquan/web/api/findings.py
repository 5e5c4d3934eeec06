"""API: findings of a case and their review."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from weiquan.services import analysis
from weiquan.services.analysis import FindingOut
from weiquan.web.deps import WS, CaseId, Who, csrf_protect
from weiquan.web.pages.review import review_audited

router = APIRouter(prefix="/cases/{case_id}/findings", tags=["findings 违规"], dependencies=[Depends(csrf_protect)])


class ReviewIn(BaseModel):
    state: Literal["confirmed", "rejected", "auto"]
    note: str | None = Field(default=None, max_length=2000)


@router.get("", response_model=list[FindingOut], summary="违规列表 Findings")
def findings(ws: WS, case_id: CaseId, state: str | None = None, category: str | None = None) -> list[FindingOut]:
    return analysis.list_findings(ws, case_id, state=state, category=category)


@router.post("/{finding_id}/review", response_model=FindingOut, summary="审核 Confirm / reject / note a finding")
def review(request: Request, ws: WS, who: Who, case_id: CaseId, finding_id: int, body: ReviewIn) -> FindingOut:
    return review_audited(request, ws, who, case_id, finding_id, body.state, body.note)
