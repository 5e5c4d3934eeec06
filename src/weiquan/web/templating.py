"""Jinja2 set-up: templates, filters and the render helper every page uses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from weiquan.services.users import ROLE_NAMES_ZH
from weiquan.web import labels
from weiquan.web.deps import get_config, optional_principal
from weiquan.web.security import CSRF_FIELD, csrf_token

TEMPLATE_DIR = Path(__file__).parent / "templates"


def localtime(value: dt.datetime | None, tz: str | None = "Asia/Shanghai", fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    try:
        zone = ZoneInfo(tz or "Asia/Shanghai")
    except (KeyError, ValueError):
        zone = ZoneInfo("Asia/Shanghai")
    return value.astimezone(zone).strftime(fmt)


def highlight(text: str | None, spans: list[Any] | None) -> Markup:
    """The text with the character ranges in ``spans`` wrapped in <mark>, everything escaped."""
    if not text:
        return Markup("")
    ranges = sorted((int(a), int(b)) for a, b in (spans or []) if 0 <= int(a) < int(b) <= len(text))
    out: list[str] = []
    pos = 0
    for a, b in ranges:
        if a < pos:
            a = pos
        if a >= b:
            continue
        out.append(str(escape(text[pos:a])))
        out.append(f"<mark>{escape(text[a:b])}</mark>")
        pos = b
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = int(round(seconds))
    if s < 60:
        return f"{s}秒"
    m, s = divmod(s, 60)
    if m < 60:
        return f"{m}分{s:02d}秒"
    h, m = divmod(m, 60)
    return f"{h}小时{m:02d}分"


def make_templates() -> Jinja2Templates:
    t = Jinja2Templates(directory=str(TEMPLATE_DIR))
    env = t.env
    env.filters["localtime"] = localtime
    env.filters["highlight"] = highlight
    env.filters["duration"] = duration
    env.globals["L"] = labels
    env.globals["label"] = labels.label
    env.globals["CSRF_FIELD"] = CSRF_FIELD
    env.globals["ROLE_NAMES"] = ROLE_NAMES_ZH
    return t


def render(request: Request, template: str, context: dict[str, Any] | None = None, *, status_code: int = 200) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    ctx: dict[str, Any] = {
        "request": request,
        "csrf": csrf_token(request),
        "who": optional_principal(request),
        "server_mode": get_config(request).server_mode,
        "hx": request.headers.get("hx-request") == "true",
    }
    ctx.update(context or {})
    return templates.TemplateResponse(request, template, ctx, status_code=status_code)
