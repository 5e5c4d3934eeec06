"""Jinja2 set-up: templates, filters and the render helper every page uses."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup, escape

from weiquan.config import DEFAULT_TIMEZONE, zone_or_default
from weiquan.ingest.numbers import display_number
from weiquan.services.documents import document_labels
from weiquan.services.imports import format_labels
from weiquan.services.users import ROLE_NAMES_ZH
from weiquan.web import labels
from weiquan.web.deps import get_config, optional_principal
from weiquan.web.handles import shown
from weiquan.web.security import CSRF_FIELD, csrf_token
from weiquan.zh.format import date_cn, date_zh
from weiquan.zh.steps import STEP_PAGES_ZH, step_of, with_step
from weiquan.zh.wording import plain_zh, strip_internal

TEMPLATE_DIR = Path(__file__).parent / "templates"


def localtime(value: dt.datetime | None, tz: str | None = DEFAULT_TIMEZONE, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(zone_or_default(tz)).strftime(fmt)


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


# the page that does each app step a note asks for (weiquan.zh.steps); a step without a page is command-line only
STEP_URLS = {
    "analyze": "/cases/{case_id}/import",
    "review": "/cases/{case_id}/review",
    "loan": "/loans",
    "lender": "/#new-case",
    "extract_resume": "/cases/{case_id}/import",
}


def web_step(step: str | None, case_id: int | None = None) -> Markup:
    """A step as the web names it: "（在<a>页面</a>页）" linking the page that does it, "（目前只能在命令行中操作）"
    for a step without a page, "" for none."""
    if step is None:
        return Markup("")
    url = STEP_URLS.get(step)
    if url and ("{case_id}" not in url or case_id is not None):
        link = f'<a href="{escape(url.format(case_id=case_id))}">{escape(STEP_PAGES_ZH[step] or "")}</a>'
        return Markup(f"（在{link}页）")
    return Markup("（目前只能在命令行中操作）")


def web_note(note: object, case_id: int | None = None, words: str | None = None) -> Markup:
    """A note (``words``: its text as the page shows it, default the note's own) with the step it asks for as a
    link to the page that does it."""
    text = str(note or "") if words is None else words
    if not text:
        return Markup("")
    return Markup(with_step(escape(text), web_step(step_of(note), case_id)))


# Bidirectional-text controls (RLO, LRI …) reorder what follows them: "report\u202Efdp.exe" shows as
# "reportexe.pdf". Every value a page prints shows them as a visible code point instead.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def neutralise_bidi(value: Any) -> Any:
    if isinstance(value, str) and _BIDI.search(value):
        shown = _BIDI.sub(lambda m: f"[U+{ord(m.group()):04X}]", value)
        return Markup(shown) if isinstance(value, Markup) else shown
    return value


@pass_context
def evidence_handle(ctx: Any, case_id: int, evidence_id: int) -> int:
    """``evh(case.id, evidence_id)``: the per-case handle a page shows for a file (web/handles.py)."""
    return shown(ctx["request"], case_id, evidence_id)


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
    env.globals["web_step"] = web_step
    env.globals["evh"] = evidence_handle
    env.globals["CSRF_FIELD"] = CSRF_FIELD
    env.globals["ROLE_NAMES"] = ROLE_NAMES_ZH
    return t


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
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
