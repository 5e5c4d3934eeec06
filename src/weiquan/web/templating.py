"""Jinja2 set-up: templates, filters and the render helper every page uses."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from weiquan.ingest.numbers import display_number
from weiquan.services.documents import document_labels
from weiquan.services.imports import format_labels
from weiquan.services.users import ROLE_NAMES_ZH
from weiquan.web import labels
from weiquan.web.deps import get_config, optional_principal
from weiquan.web.security import CSRF_FIELD, csrf_token
from weiquan.zh.format import APP_PAGES_ZH, CLI_RE, date_cn, date_zh
from weiquan.zh.wording import plain_zh, strip_internal

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


phone = display_number  # one way to write a number on pages, charts and in the CLI (ingest.numbers)


# the plan (weiquan.act.plan) names CLI commands; on the web the same step is a page (named as the documents name it)
_CLI_URLS = {
    "weiquan analyze": "/cases/{case_id}/import", "weiquan review": "/cases/{case_id}/review", "weiquan loan": "/loans",
    "weiquan documents": "/cases/{case_id}/documents", "weiquan draft": "/cases/{case_id}/documents",
    "weiquan export": "/cases/{case_id}/package", "weiquan import": "/cases/{case_id}/import", "weiquan lender": "/#new-case",
}
_CLI_HINTS = {cmd: (APP_PAGES_ZH[cmd], url) for cmd, url in _CLI_URLS.items()}
# "（weiquan review）" becomes "（在审核违规页）"; "`weiquan lender …`" inside a sentence becomes the page's link
_CLI_RE = CLI_RE


def web_note(text: str | None, case_id: int) -> Markup:
    """A plan note with each CLI command in brackets replaced by a link to the page that does the same."""
    if not text:
        return Markup("")
    out: list[str] = []
    pos = 0
    for m in _CLI_RE.finditer(text):
        out.append(str(escape(text[pos:m.start()])))
        hint = _CLI_HINTS.get(m.group(1) or m.group(2))
        if hint:
            link = f'<a href="{escape(hint[1].format(case_id=case_id))}">{escape(hint[0])}</a>'
            out.append(f"（在{link}页）" if m.group(1) else link)
        pos = m.end()
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


# Bidirectional-text controls (RLO, LRI …) reorder what follows them: "report\u202Efdp.exe" shows as
# "reportexe.pdf". Every value a page prints shows them as a visible code point instead.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def neutralise_bidi(value: Any) -> Any:
    if isinstance(value, str) and _BIDI.search(value):
        shown = _BIDI.sub(lambda m: f"[U+{ord(m.group()):04X}]", value)
        return Markup(shown) if isinstance(value, Markup) else shown
    return value


def make_templates() -> Jinja2Templates:
    t = Jinja2Templates(directory=str(TEMPLATE_DIR))
    env = t.env
    env.finalize = neutralise_bidi
    env.filters["localtime"] = localtime
    env.filters["highlight"] = highlight
    env.filters["duration"] = duration
    env.filters["cndate"] = date_cn
    env.filters["zh"] = plain_zh
    env.filters["nointernal"] = strip_internal
    env.globals["L"] = labels
    env.globals["label"] = labels.label
    env.globals["direction_label"] = labels.direction_label
    env.globals["file_format"] = lambda fmt, media_type=None: labels.file_format(fmt, media_type, format_labels())
    env.globals["document_labels"] = document_labels
    env.filters["phone"] = phone
    env.filters["date_zh"] = date_zh
    env.globals["web_note"] = web_note
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
