"""The Jinja environment of the report package's own templates (the case report and the corpus report)."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape


def report_templates() -> Environment:
    """``weiquan/report/templates``, HTML-escaped, with block tags that leave no blank lines behind."""
    return Environment(
        loader=PackageLoader("weiquan.report", "templates"),
        autoescape=select_autoescape(["j2", "html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
