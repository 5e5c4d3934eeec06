"""The Chinese case report PDF: summary, charts, findings with quotes and evidence, method and limits.

``render_html(data)`` renders ``templates/case_report.html.j2`` from the plain ``ReportData`` (loaded and
printed by ``weiquan.services.case_report.build_case_report`` with the shared HTML→PDF helper); the charts are the PNGs of
``weiquan.report.charts`` embedded as data URIs. Every figure comes from the case's
events and findings; legal names and citations from the law pack.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment

from weiquan.report import charts
from weiquan.report.case_data import ReportData
from weiquan.report.jinja_env import report_templates
from weiquan.report.render import base_css, wrap_html
from weiquan.zh.format import phone_zh
from weiquan.zh.labels import CHANNEL_ZH, LICENCE_ZH, RECIPIENT_ZH, REVIEW_REPORT_ZH, SEVERITY_ZH
from weiquan.zh.wording import plain_zh

_EXTRA_CSS = """
img.chart { width: 100%; margin: 0.2em 0 0.8em; }
.fig { page-break-inside: avoid; }
.tag { font-size: 0.8em; font-weight: normal; border: 1px solid #888; padding: 0 4px; }
.small, .meta, .ref { font-size: 0.85em; color: #333; }
mark { background: #ffe08a; }
td.hash { font-family: monospace; font-size: 0.75em; }
table.files { font-size: 0.8em; }
.finding { page-break-inside: auto; }
blockquote { page-break-inside: avoid; }
"""


def _env() -> Environment:
    env = report_templates()
    env.filters["zh"] = plain_zh  # stored detector wording and law notes without internal ids or URLs
    return env


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"


def _figures_days(fig: dict[str, Any] | None, zone: ZoneInfo) -> tuple[dt.date | None, dt.date | None]:
    """First and last local day of the case's collection contacts (analysis figures)."""
    try:
        a, b = (dt.datetime.fromisoformat(str((fig or {})[k])).astimezone(zone).date() for k in ("first", "last"))
    except (KeyError, TypeError, ValueError):
        return None, None
    return a, b


def render_html(data: ReportData, ledger_head: str | None = None) -> str:
    """The report as a complete HTML document (also usable by the web UI); ``ledger_head`` is the vault's
    ledger digest to print for keeping elsewhere."""
    st = data.stats
    zone = ZoneInfo(data.tz)
    night = data.law.night
    night_txt = f"{night[0]:%H:%M}–{night[1]:%H:%M}" if night else None
    per_day_totals = {d: sum(c.values()) for d, c in st.per_day.items()}
    peak = max(per_day_totals.items(), key=lambda kv: (kv[1], kv[0])) if per_day_totals else None
    chart_uris = {
        "per_day": _data_uri(charts.contacts_per_day(st, dpi=170)),
        "heatmap": _data_uri(
            charts.hour_weekday_heatmap(
                st, night=night, night_label=f"夜间 {night_txt}" if night_txt else None, dpi=170
            )
        ),
        "numbers": _data_uri(charts.numbers_over_time(st, dpi=170)),
    }
    # one count (issue 16 item 8): the collection-contact figures computed at analysis
    fig = (data.case.extra or {}).get("contact_figures") if isinstance(data.case.extra, dict) else None
    ctx: dict[str, Any] = {
        "case": data.case,
        "tz": data.tz,
        "stats": st,
        "generated": dt.datetime.now(zone).strftime("%Y-%m-%d %H:%M"),
        "licence": LICENCE_ZH.get(data.case.licence_type or "", data.case.licence_type),
        "period": (st.first_day, st.last_day) if st.first_day else None,
        "days": ((st.last_day - st.first_day).days + 1) if st.first_day and st.last_day else 0,
        "channels": [(CHANNEL_ZH.get(ch, ch), n) for ch, n in data.channels.most_common()],
        "third_party": fig["third_party"] if fig else data.third_party,
        "night": night_txt,
        "night_count": fig["night"] if fig else data.night_count,
        "figures": fig,
        "night_source": data.law.night_basis(
            data.case.licence_type,
            data.law.product(data.case.lender_name, data.case.lender_entity),
            *_figures_days(fig, zone),
        ),
        "peak": peak,
        "n_originals": sum(1 for e in data.evidence if e.kind == "original"),
        "n_derived": sum(1 for e in data.evidence if e.kind == "derived"),
        "by_category": data.by_category,
        "rejected": data.rejected,
        "law_available": data.law.available,
        "charts": chart_uris,
        "findings": data.findings,
        "evidence": data.evidence,
        "severity": SEVERITY_ZH,
        "review": REVIEW_REPORT_ZH,
        "channel_zh": CHANNEL_ZH,
        "recipient_zh": RECIPIENT_ZH,
        # numbers as in the call log, the same as in the documents
        "ledger_head": ledger_head,
        "size": _size,
        "phone": phone_zh,
        "local": lambda t: t.astimezone(zone).strftime("%Y-%m-%d %H:%M") if t else "",
    }
    body = _env().get_template("case_report.html.j2").render(**ctx)
    title = f"催收违规情况报告 — {data.case.name}"
    return wrap_html(body, title=title, css=base_css(title="催收违规情况报告", font_size_pt=11) + _EXTRA_CSS)
