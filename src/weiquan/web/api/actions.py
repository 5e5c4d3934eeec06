"""API: actions taken (complaints sent) with their deadlines."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from weiquan.services import actions
from weiquan.services.actions import ActionOut
from weiquan.web.deps import WS, CaseId, Who, audit, csrf_protect

router = APIRouter(prefix="/cases/{case_id}/actions", tags=["actions 投诉进度"], dependencies=[Depends(csrf_protect)])


class ActionIn(BaseModel):
    body: str = Field(max_length=80, description="渠道 id channel id from the law pack, e.g. lender, nfra_12378")
    document: str | None = Field(default=None, max_length=40)
    submitted_at: dt.date | None = None
    reference_no: str | None = Field(default=None, max_length=120)
    status: str | None = None
    notes: str | None = Field(default=None, max_length=2000)


class ActionPatch(BaseModel):
    status: str | None = None
    submitted_at: dt.date | None = None
    reference_no: str | None = Field(default=None, max_length=120)
    response: str | None = Field(default=None, max_length=5000)
    note: str | None = Field(default=None, max_length=2000)


@router.get("", response_model=list[ActionOut], summary="投诉记录 Actions")
def list_actions(ws: WS, case_id: CaseId) -> list[ActionOut]:
    return actions.list_actions(ws, case_id)


@router.post("", response_model=ActionOut, status_code=201, summary="记录一次投诉 Record an action")
def add_action(request: Request, ws: WS, who: Who, case_id: CaseId, body: ActionIn) -> ActionOut:
    out = actions.add_action(
        ws,
        case_id,
        body.body,
        document=body.document,
        submitted_at=body.submitted_at,
        reference_no=body.reference_no,
        status=body.status,
        notes=body.notes,
    )
    audit(request, who, "action_add", case_id=case_id, target=f"action:{out.id}")
    return out


@router.patch("/{action_id}", response_model=ActionOut, summary="更新投诉状态 Update an action")
def update_action(request: Request, ws: WS, who: Who, case_id: CaseId, action_id: int, body: ActionPatch) -> ActionOut:
    actions.require_action_in_case(ws, case_id, action_id)
    out = actions.update_action(ws, action_id, **body.model_dump(exclude_none=True))
    audit(request, who, "action_update", case_id=case_id, target=f"action:{action_id}")
    return out
