"""API: cases (list, create, show, update, delete, share) and the dashboard figures."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from weiquan.services import cases, dashboard, users
from weiquan.services.cases import CaseOut
from weiquan.services.dashboard import Dashboard
from weiquan.services.users import UserOut
from weiquan.web.deps import WS, CaseId, Who, audit, csrf_protect
from weiquan.web.pages.home import change_sharing, delete_case_audited

router = APIRouter(prefix="/cases", tags=["cases 案件"], dependencies=[Depends(csrf_protect)])


class CaseIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    lender: str | None = Field(default=None, max_length=200)
    borrower_name: str | None = Field(default=None, max_length=100)
    timezone: str | None = Field(default=None, max_length=64)


class CasePatch(BaseModel):
    name: str | None = Field(default=None, max_length=200)
    lender_name: str | None = Field(default=None, max_length=200)
    borrower_name: str | None = Field(default=None, max_length=100)
    status: str | None = Field(default=None, max_length=20)
    notes: str | None = Field(default=None, max_length=10000)
    borrower_phones: list[str] | None = None


class ShareIn(BaseModel):
    username: str = Field(max_length=100)


@router.get("", response_model=list[CaseOut], summary="列出案件 List cases")
def list_cases(ws: WS, who: Who) -> list[CaseOut]:
    return cases.list_cases(ws, case_ids=users.accessible_case_ids(ws, who))


@router.post("", response_model=CaseOut, status_code=201, summary="新建案件 Create a case")
def create_case(request: Request, ws: WS, who: Who, body: CaseIn) -> CaseOut:
    out = cases.create_case(
        ws,
        body.name,
        lender=body.lender,
        borrower_name=body.borrower_name,
        timezone=body.timezone,
        owner_id=who.user_id,
    )
    audit(request, who, "case_create", case_id=out.id, target=f"case:{out.id}")
    return out


@router.get("/{case_id}", response_model=CaseOut, summary="案件详情 Show a case")
def get_case(ws: WS, case_id: CaseId) -> CaseOut:
    return cases.get_case(ws, case_id)


@router.patch("/{case_id}", response_model=CaseOut, summary="修改案件 Update a case")
def update_case(request: Request, ws: WS, who: Who, case_id: CaseId, body: CasePatch) -> CaseOut:
    out = cases.update_case(ws, case_id, **body.model_dump(exclude_none=True))
    audit(request, who, "case_update", case_id=case_id, target=f"case:{case_id}")
    return out


@router.delete("/{case_id}", summary="删除案件（原件和账本保留）Delete a case (originals and ledger kept)")
def delete_case(request: Request, ws: WS, who: Who, case_id: CaseId) -> dict[str, object]:
    return delete_case_audited(request, ws, who, case_id)


@router.get("/{case_id}/dashboard", response_model=Dashboard, summary="案件概览数字 Dashboard figures")
def case_dashboard(ws: WS, case_id: CaseId) -> Dashboard:
    return dashboard.case_dashboard(ws, case_id)


@router.get("/{case_id}/shares", response_model=list[UserOut], summary="共享给谁 Who the case is shared with")
def shares(ws: WS, case_id: CaseId) -> list[UserOut]:
    return users.case_shares(ws, case_id)


@router.post("/{case_id}/shares", response_model=list[UserOut], summary="共享给援助人员 Share with an advocate")
def share(request: Request, ws: WS, who: Who, case_id: CaseId, body: ShareIn) -> list[UserOut]:
    change_sharing(request, ws, who, case_id, body.username, share=True)
    return users.case_shares(ws, case_id)


@router.delete("/{case_id}/shares/{username}", response_model=list[UserOut], summary="取消共享 Stop sharing")
def unshare(request: Request, ws: WS, who: Who, case_id: CaseId, username: str) -> list[UserOut]:
    change_sharing(request, ws, who, case_id, username, share=False)
    return users.case_shares(ws, case_id)
