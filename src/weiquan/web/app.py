"""The FastAPI application factory.

``create_app(ws_or_settings, server_mode=False)`` builds the borrower's and the
advocate's web interface (server-rendered Simplified-Chinese pages under ``/``)
and the REST API under ``/api/v1`` (OpenAPI at ``/api/v1/openapi.json``). Routes
are thin: they parse input, call ``weiquan.services`` and render.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from anyio import CapacityLimiter
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from weiquan import __version__
from weiquan.config import Settings
from weiquan.errors import InputError, MissingComponent, NotFoundError, ProblemFound, WeiquanError
from weiquan.services.audit_buffer import AuditBuffer
from weiquan.services.dashboard import DashboardCache
from weiquan.web.charts import ChartCache
from weiquan.web.config import WebConfig
from weiquan.web.deps import BadCredentials, Forbidden, LoginRequired, RateLimited
from weiquan.web.handles import EvidenceHandles
from weiquan.web.import_workers import ImportWorkers
from weiquan.web.limits import BodyLimitMiddleware, IdRangeMiddleware
from weiquan.web.security import LOGIN_FAILURES_FILE, LoginLimiter, load_or_create_secret
from weiquan.web.templating import make_templates, render, web_note
from weiquan.zh.steps import step_of
from weiquan.workspace import Workspace

log = logging.getLogger("weiquan.web")

STATIC_DIR = Path(__file__).parent / "static"
API_PREFIX = "/api/v1"
PAGE_MODULES = (
    "auth",
    "home",
    "dashboard",
    "imports",
    "timeline",
    "dates",
    "manual",
    "review",
    "documents",
    "package",
    "loans",
    "guides",
    "admin",
    "bulk",
)
API_MODULES = (
    "auth",
    "cases",
    "imports",
    "events",
    "findings",
    "plan",
    "documents",
    "actions",
    "export",
    "loans",
    "lenders",
    "users",
)

CSP = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; "
    "form-action 'self'"
)


def _status_for(err: WeiquanError) -> int:
    if isinstance(err, RateLimited):
        return 429
    if isinstance(err, (LoginRequired, BadCredentials)):
        return 401
    if isinstance(err, Forbidden):
        return 403
    if isinstance(err, NotFoundError):
        return 404
    if isinstance(err, InputError):
        return 400
    if isinstance(err, MissingComponent):
        return 503
    if isinstance(err, ProblemFound):
        return 409
    return 500


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def _error_response(request: Request, status: int, zh: str, en: str) -> Response:
    """The error as JSON (with the app step it asks for, if any) or as a page (the step linked or named)."""
    if _is_api(request):
        body = {"status": status, "zh": str(zh), "en": en} | ({"step": step} if (step := step_of(zh)) else {})
        return JSONResponse({"error": body}, status_code=status)
    return render(
        request, "error.html", {"status": status, "message_zh": web_note(zh), "message_en": en}, status_code=status
    )


def create_app(
    ws_or_settings: Workspace | Settings | None = None,
    *,
    server_mode: bool = False,
    config: WebConfig | None = None,
) -> FastAPI:
    """Build the app for a workspace (or settings, opened and closed with the app)."""
    owns_ws = not isinstance(ws_or_settings, Workspace)
    ws = ws_or_settings if isinstance(ws_or_settings, Workspace) else Workspace(ws_or_settings)
    cfg = config or WebConfig(server_mode=server_mode)
    if config is not None and server_mode and not config.server_mode:
        raise ValueError("server_mode=True conflicts with config.server_mode=False")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if app.state.import_workers is not None:
            app.state.import_workers.start()
        yield
        if app.state.import_workers is not None:
            app.state.import_workers.close()
        app.state.executor.shutdown(wait=False, cancel_futures=True)
        if app.state.audit_buffer is not None:
            app.state.audit_buffer.close()
        if owns_ws:
            ws.close()

    app = FastAPI(
        title="weiquan 催收维权助手 API",
        version=__version__,
        description="催收维权助手的 REST 接口，与命令行功能一致。REST API of weiquan, mirroring the CLI.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # Swagger UI would load from a CDN; the schema is served offline instead
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.ws = ws
    app.state.config = cfg
    app.state.templates = make_templates()
    secret = load_or_create_secret(ws.home)
    # failed logins counted in the data home, shared by every server process (web/security.py)
    app.state.limiter = LoginLimiter(
        ws.home / LOGIN_FAILURES_FILE, cfg.login_max_failures, cfg.login_window_s, secret=secret
    )
    app.state.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="weiquan-extract")
    app.state.chart_cache = ChartCache()
    app.state.background = {}
    app.state.background_again = set()  # cases whose upload arrived during a run (pages.imports)
    app.state.dashboard_cache = DashboardCache()
    # server mode: audit entries written behind the request; uploads, imports and package checks run in a
    # bounded pool of worker threads, never on the event loop (see web/jobs.py)
    app.state.audit_buffer = AuditBuffer(ws) if cfg.server_mode else None
    app.state.heavy = CapacityLimiter(cfg.heavy_workers)
    # uploads' imports in worker processes at a lower CPU priority (web/import_workers.py), one per heavy slot
    app.state.import_workers = ImportWorkers(ws.settings, cfg.heavy_workers) if cfg.import_processes else None

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]  # Starlette's call_next has no public type
        response: Response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        if cfg.secure_cookies:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    app.state.handles = EvidenceHandles(secret)  # evidence in URLs and answers: per-case handles (web/handles.py)
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie="weiquan_session",
        max_age=cfg.session_max_age_s,
        same_site="strict" if cfg.server_mode else "lax",
        https_only=cfg.secure_cookies,
    )
    app.add_middleware(
        BodyLimitMiddleware, max_bytes=(cfg.max_upload_mb or ws.settings.max_upload_mb) * 1024 * 1024 + 1024 * 1024
    )
    app.add_middleware(IdRangeMiddleware)
    hosts = cfg.hosts()
    if hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts)

    @app.exception_handler(WeiquanError)
    async def weiquan_error(request: Request, exc: WeiquanError) -> Response:
        if isinstance(exc, LoginRequired) and not _is_api(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        status = _status_for(exc)
        if status >= 500 and status != 503:
            log.error("internal error on %s: %s", request.url.path, type(exc).__name__)
        return _error_response(request, status, exc.zh, exc.en)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if _is_api(request):
            return JSONResponse(
                {
                    "error": {
                        "status": 422,
                        "zh": "请求参数有误",
                        "en": "invalid request",
                        "detail": jsonable_errors(exc),
                    }
                },
                status_code=422,
            )
        fields = "、".join(".".join(str(p) for p in e.get("loc", ())[1:]) for e in exc.errors()) or "?"
        return _error_response(request, 400, f"填写的内容有误：{fields}", f"invalid input: {fields}")

    @app.exception_handler(OperationalError)
    async def database_busy(request: Request, exc: OperationalError) -> Response:
        # SQLite's one writer was busy past the timeout (a very long import): say to retry, never a traceback
        if "locked" not in str(exc.orig or exc).lower() and "busy" not in str(exc.orig or exc).lower():
            raise exc
        log.warning("database busy on %s", request.url.path)
        response = _error_response(
            request,
            503,
            "数据库正忙（另一项导入正在写入），请稍后重试，您的内容尚未保存。",
            "the database is busy with another import; retry shortly (nothing was saved)",
        )
        response.headers["Retry-After"] = "10"
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        zh = {404: "页面不存在", 405: "不支持这种操作", 413: "文件太大"}.get(exc.status_code, "请求无法处理")
        return _error_response(request, exc.status_code, zh, str(exc.detail))

    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    for name in PAGE_MODULES:
        app.include_router(importlib.import_module(f"weiquan.web.pages.{name}").router)
    for name in API_MODULES:
        app.include_router(importlib.import_module(f"weiquan.web.api.{name}").router, prefix=API_PREFIX)
    return app


def jsonable_errors(exc: RequestValidationError) -> list[dict[str, object]]:
    return [
        {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
        for e in exc.errors()
    ]
