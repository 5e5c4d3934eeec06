"""账号管理 (server mode, admins only): users and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from weiquan.services import users
from weiquan.services.users import Principal
from weiquan.web.deps import WS, audit, csrf_protect, require_admin
from weiquan.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
Admin = Annotated[Principal, Depends(require_admin)]


@router.get("/admin/users")
def user_page(request: Request, ws: WS, who: Admin) -> Response:
    return render(
        request,
        "admin_users.html",
        {"users": users.list_users(ws), "log": users.list_audit(ws, limit=100), "roles": users.ROLES},
    )


@router.post("/admin/users")
def add_user(
    request: Request,
    ws: WS,
    who: Admin,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    role: Annotated[str, Form()] = "borrower",
    display_name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    u = users.create_user(ws, username, password, role=role, display_name=display_name or None)
    audit(request, who, "user_create", target=f"user:{u.username}")
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{username}/disable")
def disable_user(
    request: Request, ws: WS, who: Admin, username: str, disabled: Annotated[bool, Form()] = True
) -> Response:
    users.set_disabled(ws, username, disabled)
    audit(request, who, "user_disable" if disabled else "user_enable", target=f"user:{username[:80]}")
    return RedirectResponse("/admin/users", status_code=303)
