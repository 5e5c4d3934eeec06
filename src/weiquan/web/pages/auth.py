"""Login and logout (server mode)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from weiquan.services import users
from weiquan.web.deps import (
    WS,
    BadCredentials,
    RateLimited,
    audit_buffer,
    client_ip,
    csrf_protect,
    get_config,
    optional_principal,
)
from weiquan.web.security import LoginLimiter, rotate_session
from weiquan.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


def safe_next(target: str | None) -> str:
    """Only same-site paths (no scheme, no //host) are followed after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def login_attempt(request: Request, ws: WS, username: str, password: str) -> users.Principal:
    """Check the limiter, authenticate, update the limiter, audit and start the session.

    Raises RateLimited after too many failures, BadCredentials on a wrong password.
    """
    limiter: LoginLimiter = request.app.state.limiter
    ip = client_ip(request)
    wait = limiter.attempt(ip, username)  # counted before the check: parallel guesses cannot overtake it
    if wait:
        raise RateLimited(
            f"登录失败次数过多，请 {max(1, (wait + 59) // 60)} 分钟后再试。",
            f"too many failed logins; retry in {wait} s",
        )
    if not limiter.slots.acquire(timeout=30):
        raise RateLimited("服务器正忙，请稍后再试。", "the server is busy checking other logins; retry shortly")
    try:
        who = users.authenticate(ws, username, password)
    finally:
        limiter.slots.release()
    if who is None:
        # what was typed as a username is stored only when it names an account (it may be a password)
        uid = users.account_id(ws, username)
        users.audit(
            ws,
            users.Principal(uid, "", "anonymous"),
            "login_failed",
            target=f"user:{username.strip()[:80]}" if uid is not None else "user:(未知账号)",
            ip=ip,
            buffer=audit_buffer(request),
        )
        raise BadCredentials("用户名或密码不正确。", "wrong username or password")
    limiter.succeeded(ip, username)
    rotate_session(request)
    request.session["uid"] = who.user_id
    request.session["iat"] = users.session_issued_at()
    users.audit(ws, who, "login", target=f"user:{who.username}", ip=ip, buffer=audit_buffer(request))
    return who


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    if not get_config(request).server_mode or optional_principal(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", {"next": safe_next(next)})


@router.post("/login")
def login(
    request: Request,
    ws: WS,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    if not get_config(request).server_mode:
        return RedirectResponse("/", status_code=303)
    try:
        login_attempt(request, ws, username, password)
    except (RateLimited, BadCredentials) as e:
        status = 429 if isinstance(e, RateLimited) else 401
        return render(
            request, "login.html", {"error": e.zh, "next": safe_next(next), "username": username}, status_code=status
        )
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, ws: WS) -> Response:
    end_user_sessions(request, ws)
    return RedirectResponse("/login" if get_config(request).server_mode else "/", status_code=303)


def end_user_sessions(request: Request, ws: WS) -> None:
    """Log out: every session of the account ends (server mode), and this browser's session is cleared."""
    who = optional_principal(request)
    if who is not None and who.user_id is not None and get_config(request).server_mode:
        users.audit(
            ws, who, "logout", target=f"user:{who.username}", ip=client_ip(request), buffer=audit_buffer(request)
        )
        users.end_sessions(ws, who.user_id, "logout")
    rotate_session(request)
