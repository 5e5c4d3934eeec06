"""The Chinese case report PDF: summary, charts, findings with quotes and evidence, method and limits.

``build_case_report(ws, case_id, out)`` renders ``templates/case_report.html.j2`` with
the shared HTML→PDF helper (``weiquan.report.render``); the charts are the PNGs of
``weiquan.report.charts`` embedded as data URIs. Every figure comes from the case's
events and findings; legal names and citations from the law pack.
"""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape

from weiquan.report import charts
from weiquan.report.case_data import (
    CHANNEL_ZH,
    REVIEW_ZH,
    SEVERITY_ZH,
    ReportData,
    load_law,
    load_report_data,
)
from weiquan.report.evidence import EvidenceItem, case_evidence
from weiquan.report.render import base_css, html_to_pdf, mark_sample, wrap_html
from weiquan.services.cases import get_case_row
from weiquan.workspace import Workspace

LICENCE_ZH = {"bank": "银行", "consumer_finance": "消费金融公司", "small_loan": "小额贷款公司",
              "unlicensed": "无放贷资质", "private": "民间借贷"}
RECIPIENT_ZH = {"borrower": "本人", "relative": "亲属", "colleague": "同事", "friend": "朋友", "employer": "工作单位",
                "other": "其他联系人"}
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
    from weiquan.services.wording import plain_zh

    env = Environment(loader=PackageLoader("weiquan.report", "templates"), autoescape=select_autoescape(["j2", "html"]),
                      trim_blocks=True, lstrip_blocks=True)
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


def _phone(number: str) -> str:
    from weiquan.law.numerals import phone_zh  # numbers as in the call log, the same as in the documents

    return phone_zh(number)


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
        "heatmap": _data_uri(charts.hour_weekday_heatmap(
            st, night=night, night_label=f"夜间 {night_txt}" if night_txt else None, dpi=170)),
        "numbers": _data_uri(charts.numbers_over_time(st, dpi=170)),
    }
    # one count (issue 16 item 8): the collection-contact figures computed at analysis
    fig = (data.case.extra or {}).get("contact_figures") if isinstance(data.case.extra, dict) else None
    ctx: dict[str, Any] = {
        "case": data.case, "tz": data.tz, "stats": st,
        "generated": dt.datetime.now(zone).strftime("%Y-%m-%d %H:%M"),
        "licence": LICENCE_ZH.get(data.case.licence_type or "", data.case.licence_type),
        "period": (st.first_day, st.last_day) if st.first_day else None,
        "days": ((st.last_day - st.first_day).days + 1) if st.first_day and st.last_day else 0,
        "channels": [(CHANNEL_ZH.get(ch, ch), n) for ch, n in data.channels.most_common()],
        "third_party": fig["third_party"] if fig else data.third_party, "night": night_txt,
        "night_count": fig["night"] if fig else data.night_count, "figures": fig,
        "night_source": data.law.night_source, "peak": peak,
        "n_originals": sum(1 for e in data.evidence if e.kind == "original"),
        "n_derived": sum(1 for e in data.evidence if e.kind == "derived"),
        "by_category": data.by_category, "rejected": data.rejected, "law_available": data.law.available,
        "charts": chart_uris, "findings": data.findings, "evidence": data.evidence,
        "severity": SEVERITY_ZH, "review": REVIEW_ZH, "channel_zh": CHANNEL_ZH, "recipient_zh": RECIPIENT_ZH,
        "ledger_head": ledger_head, "size": _size, "phone": _phone, "local": lambda t: t.astimezone(zone).strftime("%Y-%m-%d %H:%M") if t else "",
    }
    body = _env().get_template("case_report.html.j2").render(**ctx)
    title = f"催收违规情况报告 — {data.case.name}"
    return wrap_html(body, title=title, css=base_css(title="催收违规情况报告", font_size_pt=11) + _EXTRA_CSS)


def build_case_report(ws: Workspace, case_id: int, out: Path | str, *,
                      evidence: list[EvidenceItem] | None = None) -> Path:
    """Write the case report PDF to ``out``; ``evidence`` reuses the package's E-numbers when given."""
    law = load_law()
    with ws.db.read_session() as s:
        case = get_case_row(s, case_id)
        items = evidence if evidence is not None else case_evidence(s, case_id)
        data = load_report_data(s, case, items, law)
        html = render_html(data, ledger_head=ws.vault.head().text)
        if case.is_sample:
            html = mark_sample(html)
    return html_to_pdf(html, Path(out))
