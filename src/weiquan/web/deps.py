"""Request dependencies: the workspace, who is asking, CSRF protection, case access."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from weiquan.errors import WeiquanError
from weiquan.services import users
from weiquan.services.users import LOCAL_PRINCIPAL, Principal
from weiquan.web.config import WebConfig
from weiquan.web.security import CSRF_FIELD, CSRF_HEADER, SAFE_METHODS, is_browser_request, is_cross_site, token_matches
from weiquan.workspace import Workspace


class LoginRequired(WeiquanError):
    """No (valid) session in server mode: pages redirect to the login form, the API answers 401."""

    def __init__(self) -> None:
        super().__init__("请先登录", "please log in")


class BadCredentials(WeiquanError):
    """Wrong username or password (401)."""


class RateLimited(WeiquanError):
    """Too many attempts (429)."""


class Forbidden(WeiquanError):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh, en)


def get_ws(request: Request) -> Workspace:
    return request.app.state.ws  # type: ignore[no-any-return]  # Starlette's app.state and the per-request cache are untyped


def get_config(request: Request) -> WebConfig:
    return request.app.state.config  # type: ignore[no-any-return]  # Starlette's app.state and the per-request cache are untyped


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def optional_principal(request: Request) -> Principal | None:
    config = get_config(request)
    if not config.server_mode:
        return LOCAL_PRINCIPAL
    uid = request.session.get("uid")
    if not isinstance(uid, int):
        return None
    iat = request.session.get("iat")
    cache = request.state.__dict__.setdefault("_principal_cache", {})
    if uid not in cache:
        cache[uid] = users.principal_for(get_ws(request), uid, iat if isinstance(iat, (int, float)) else None)
    return cache[uid]  # type: ignore[no-any-return]  # Starlette's app.state and the per-request cache are untyped


def current_principal(request: Request) -> Principal:
    who = optional_principal(request)
    if who is None:
        raise LoginRequired()
    return who


def require_admin(who: Annotated[Principal, Depends(current_principal)]) -> Principal:
    if not who.sees_all:
        raise Forbidden("只有管理员可以执行此操作", "only an admin can do this")
    return who


async def csrf_protect(request: Request) -> None:
    """Unsafe methods need the session's CSRF token (form field or header).

    Exception: API calls from non-browser clients (no cookie, no Origin, no Sec-Fetch-*),
    which a web page cannot forge; in server mode those still need a session to pass login.
    """
    if request.method in SAFE_METHODS:
        return
    if is_cross_site(request):
        raise Forbidden("拒绝跨站请求", "cross-site request refused")
    supplied = request.headers.get(CSRF_HEADER)
    if supplied is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        supplied = value if isinstance(value, str) else None
    if token_matches(request, supplied):
        return
    if request.url.path.startswith("/api/") and not is_browser_request(request):
        return
    raise Forbidden(
        "页面已过期或请求无效，请刷新页面后重试（CSRF）", "missing or wrong CSRF token; reload the page and retry"
    )


def audit(
    request: Request, who: Principal, action: str, *, case_id: int | None = None, target: str | None = None
) -> None:
    """Audit log entry in server mode (local mode has one user and no log)."""
    if get_config(request).server_mode:
        users.audit(
            get_ws(request),
            who,
            action,
            case_id=case_id,
            target=target,
            ip=client_ip(request),
            buffer=audit_buffer(request),
        )


def audit_buffer(request: Request) -> users.AuditBuffer | None:
    """The app's audit writer: entries are written behind the request (never waiting on an import's write lock)."""
    return getattr(request.app.state, "audit_buffer", None)


def case_access(
    request: Request,
    case_id: Annotated[int, Path(ge=1, description="案件 ID")],
    who: Annotated[Principal, Depends(current_principal)],
) -> int:
    """The case id, after checking ``who`` may see it (404 otherwise, so existence does not leak)."""
    users.require_case(get_ws(request), who, case_id)
    if request.method in SAFE_METHODS:
        audit(request, who, "view", case_id=case_id, target=request.url.path[:200])
    return case_id


WS = Annotated[Workspace, Depends(get_ws)]
Who = Annotated[Principal, Depends(current_principal)]
CaseId = Annotated[int, Depends(case_access)]
