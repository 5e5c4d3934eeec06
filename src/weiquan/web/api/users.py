"""API: accounts (admins only) and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from weiquan.services import users
from weiquan.services.users import AuditOut, Principal, UserOut
from weiquan.web.deps import WS, audit, csrf_protect, require_admin
from weiquan.web.limits import OptionalIdQuery

router = APIRouter(prefix="/users", tags=["users 账号"], dependencies=[Depends(csrf_protect)])
Admin = Annotated[Principal, Depends(require_admin)]


class UserIn(BaseModel):
    username: str = Field(max_length=100)
    password: str = Field(min_length=users.MIN_PASSWORD_LEN, max_length=1000)
    role: str = "borrower"
    display_name: str | None = Field(default=None, max_length=200)


@router.get("", response_model=list[UserOut], summary="账号列表 Users (admin)")
def list_users(ws: WS, who: Admin) -> list[UserOut]:
    return users.list_users(ws)


@router.post("", response_model=UserOut, status_code=201, summary="新建账号 Create a user (admin)")
def create_user(request: Request, ws: WS, who: Admin, body: UserIn) -> UserOut:
    out = users.create_user(ws, body.username, body.password, role=body.role, display_name=body.display_name)
    audit(request, who, "user_create", target=f"user:{out.username}")
    return out


@router.get("/audit", response_model=list[AuditOut], summary="操作记录 Audit log (admin)")
def audit_log(ws: WS, who: Admin, case_id: OptionalIdQuery = None, limit: int = 200) -> list[AuditOut]:
    return users.list_audit(ws, case_id=case_id, limit=max(1, min(limit, 5000)))
