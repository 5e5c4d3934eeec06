"""Render a document template (Jinja, HTML in Chinese) and write it as DOCX and/or PDF."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from weiquan.act.base import DocumentSpec
from weiquan.act.context import contact_zh
from weiquan.errors import InputError
from weiquan.law.numerals import to_chinese
from weiquan.report.render import base_css, html_to_docx, html_to_pdf, wrap_html
from weiquan.zh.format import date_zh, datetime_zh, money_zh, zh_text
from weiquan.zh.steps import note_in_words

FORMATS = ("docx", "pdf")
_SAFE_NAME = re.compile(r"[^\w\u4e00-\u9fff.-]+")


def _fill(label: str) -> Markup:
    return Markup('<span class="fill">【请填写：{}】</span>').format(label)


def _or_fill(value: Any, label: str) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return _fill(label)
    return value


def _cn(n: int) -> str:
    return to_chinese(int(n))


def _environment(spec: DocumentSpec) -> jinja2.Environment:
    builtin = jinja2.FileSystemLoader(str(resources.files("weiquan.act") / "templates"))
    loaders: list[jinja2.BaseLoader] = []
    if spec.template_dir is not None:
        loaders.append(jinja2.FileSystemLoader(str(spec.template_dir)))
    loaders.append(builtin)
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        cn=_cn,
        date_zh=date_zh,
        datetime_zh=datetime_zh,
        money=money_zh,
        zh=zh_text,
        contact=contact_zh,
        note=note_in_words,
    )
    env.globals.update(fill=_fill, or_fill=_or_fill)
    return env


def render_html(spec: DocumentSpec, context: dict[str, Any]) -> str:
    """The document as a complete HTML page (Chinese, with the CJK print CSS)."""
    env = _environment(spec)
    ctx = dict(context)
    if spec.extra_context is not None:
        ctx.update(spec.extra_context(ctx))
    ctx.setdefault("title", spec.title_zh)
    body = env.get_template(spec.template).render(**ctx)
    return wrap_html(body, title=spec.title_zh, css=base_css())


def render_text(template: str, context: dict[str, Any], spec: DocumentSpec | None = None) -> str:
    """A plain-text template (no HTML escaping), e.g. the short regulator complaint."""
    env = _environment(spec or DocumentSpec(id="_", title_zh="", template=template))
    env.autoescape = False
    return env.get_template(template).render(**context)


def fit_text(units: list[tuple[str, bool]], limit: int) -> str:
    """Join paragraphs ``(text, required)`` within ``limit`` characters.

    Optional paragraphs are dropped from the last one backwards; if the required ones still do not
    fit, the longest is shortened with "……". The result never exceeds ``limit``.
    """
    kept = [(t.strip(), r) for t, r in units if t.strip()]

    def joined(items: list[tuple[str, bool]]) -> str:
        return "\n".join(t for t, _ in items)

    i = len(kept) - 1
    while len(joined(kept)) > limit and i >= 0:
        if not kept[i][1]:
            kept.pop(i)
        i -= 1
    text = joined(kept)
    while len(text) > limit and kept:
        j = max(range(len(kept)), key=lambda k: len(kept[k][0]))
        over = len(text) - limit
        t = kept[j][0]
        if len(t) <= over + 2:
            kept.pop(j)
        else:
            kept[j] = (t[: len(t) - over - 2] + "……", kept[j][1])
        text = joined(kept)
    return text


@dataclass(frozen=True)
class Written:
    format: str
    path: Path


def safe_filename(name: str) -> str:
    return _SAFE_NAME.sub("_", name).strip("_") or "document"


def write(html: str, out_dir: Path, stem: str, formats: tuple[str, ...], *, home: Path | None = None) -> list[Written]:
    """Each format of the document into ``out_dir`` (``home``: the data home that registers the ``.part`` files)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    out: list[Written] = []
    for fmt in formats:
        path = out_dir / f"{safe_filename(stem)}.{fmt}"
        if fmt == "pdf":
            html_to_pdf(html, path, home=home)
        elif fmt == "docx":
            html_to_docx(html, path, home=home)
        else:
            raise InputError(f"不支持的格式：{fmt}（可选 docx、pdf）", f"unsupported format {fmt!r} (docx, pdf)")
        out.append(Written(fmt, path))
    return out


def escape_text(s: str) -> Markup:
    return escape(s)
