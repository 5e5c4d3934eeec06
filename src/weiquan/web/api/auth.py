"""API: log in / out (server mode) and who am I."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from weiquan.services.users import LOCAL_PRINCIPAL, Principal
from weiquan.web.deps import WS, Who, csrf_protect, get_config
from weiquan.web.pages.auth import end_user_sessions, login_attempt
from weiquan.web.security import csrf_token

router = APIRouter(prefix="/auth", tags=["auth 登录"], dependencies=[Depends(csrf_protect)])


class LoginIn(BaseModel):
    username: str = Field(max_length=100)
    password: str = Field(max_length=1000)


class Me(BaseModel):
    user_id: int | None
    username: str
    role: str
    local: bool
    csrf_token: str


def _me(request: Request, who: Principal) -> Me:
    return Me(
        user_id=who.user_id, username=who.username, role=who.role, local=who.local, csrf_token=csrf_token(request)
    )


@router.post("/login", response_model=Me, summary="登录（服务器模式）Log in (server mode)")
def login(request: Request, ws: WS, body: LoginIn) -> Me:
    """Sets the session cookie. Send the returned ``csrf_token`` as ``X-CSRF-Token`` on later writes."""
    if not get_config(request).server_mode:
        return _me(request, LOCAL_PRINCIPAL)
    return _me(request, login_attempt(request, ws, body.username, body.password))


@router.post("/logout", summary="退出登录（结束该账号的全部会话）Log out (ends every session of the account)")
def logout(request: Request, ws: WS) -> dict[str, bool]:
    end_user_sessions(request, ws)
    return {"ok": True}


@router.get("/me", response_model=Me, summary="当前用户 Who am I")
def me(request: Request, who: Who) -> Me:
    return _me(request, who)
