"""The Chinese report of a bulk (corpus) run: summary, charts and tables, one static HTML file.

``render_corpus_report(data)`` takes plain data (the run summary and the aggregate rows, read by the
service layer) and returns a complete HTML document with inline SVG charts and no script:

* top lenders by unlawful-act rate (texts with at least one detected unlawful act per 1,000 complaints,
  among lenders with at least ``min_complaints`` complaints, so that a rate is not one complaint's noise);
* trends: complaints per month and the unlawful-act rate per month;
* label mix: how many texts show each kind of act.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from weiquan.report import charts
from weiquan.report.jinja_env import report_templates
from weiquan.zh.labels import LICENCE_ZH

UNLISTED_ZH = "名单外/未识别"  # a lender the registry does not list (licence type "unknown" in the corpus tables)
LAWFUL = "lawful"
TOP_N = 15
UNNAMED = "（未注明放贷方）"


@dataclass
class CorpusReportData:
    summary: dict[str, Any]  # run.json
    aggregates: list[dict[str, Any]]  # aggregates.parquet rows
    lender_months: list[dict[str, Any]]  # lender_months.parquet rows
    label_zh: dict[str, str] = field(default_factory=dict)  # category → Chinese name (from the law pack)
    registry_as_of: str | None = None
    reason_zh: dict[str, str] = field(default_factory=dict)  # reject reason code → Chinese
    min_complaints: int = 0  # 0: chosen from the corpus size


@dataclass(frozen=True)
class LenderRow:
    lender: str
    licence_zh: str
    registered: bool
    complaints: int
    unlawful: int
    rate: float
    top_label: str


def _min_complaints(total: int, given: int) -> int:
    return given if given > 0 else max(20, min(1000, total // 2000))


def lender_rows(data: CorpusReportData) -> list[LenderRow]:
    per: dict[str, list[Any]] = {}
    for r in data.lender_months:
        key = r["lender"] or UNNAMED
        acc = per.setdefault(key, [0, 0, r["licence_type"], r["lender_id"] is not None])
        acc[0] += r["complaints"]
        acc[1] += r["unlawful"]
    labels: dict[str, Counter[str]] = defaultdict(Counter)
    for r in data.aggregates:
        if r["label"] != LAWFUL:
            labels[r["lender"] or UNNAMED][r["label"]] += r["count"]
    out = []
    for lender, (n, u, lic, registered) in per.items():
        top = labels[lender].most_common(1)
        out.append(
            LenderRow(
                lender,
                LICENCE_ZH.get(lic) or (UNLISTED_ZH if lic == "unknown" else lic),
                registered,
                n,
                u,
                round(1000 * u / n, 1) if n else 0.0,
                data.label_zh.get(top[0][0], top[0][0]) if top else "—",
            )
        )
    return out


def _empty(fig: Any, ax: Any, title: str, message: str) -> bytes:
    ax.set_title(title)
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="#666")
    ax.set_axis_off()
    return charts._save(fig, "svg", 100)


def _bar_top_lenders(rows: list[LenderRow], min_n: int) -> bytes:
    eligible = sorted(
        (r for r in rows if r.complaints >= min_n and r.lender != UNNAMED), key=lambda r: (-r.rate, r.lender)
    )
    eligible = eligible[:TOP_N]
    fig, ax = charts._figure(9, 0.9 + 0.36 * max(len(eligible), 3))
    title = f"违规催收比例最高的放贷方（每千件投诉中含违规行为的件数；投诉不少于 {min_n} 件）"
    if not eligible:
        return _empty(fig, ax, title, "没有投诉量足够的放贷方")
    names = [f"{r.lender}（{r.licence_zh}）" for r in reversed(eligible)]
    vals = [r.rate for r in reversed(eligible)]
    colours = ["#3465a4" if r.registered else "#cc0000" for r in reversed(eligible)]
    bars = ax.barh(names, vals, color=colours)
    for b, r in zip(bars, reversed(eligible), strict=True):
        ax.text(
            b.get_width(),
            b.get_y() + b.get_height() / 2,
            f" {r.rate:.0f}‰（{r.unlawful}/{r.complaints}）",
            va="center",
            fontsize=8,
        )
    ax.set_xlim(0, max(vals) * 1.3 or 1)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("每千件投诉（蓝：名单内持牌机构；红：名单外或未识别）")
    ax.grid(axis="x", alpha=0.3)
    return charts._save(fig, "svg", 100)


def _trend(months: list[dict[str, Any]]) -> bytes:
    per: dict[str, list[int]] = {}
    for r in months:
        if r["month"]:
            acc = per.setdefault(r["month"], [0, 0])
            acc[0] += r["complaints"]
            acc[1] += r["unlawful"]
    fig, ax = charts._figure(9, 3.6)
    title = "每月投诉量与违规催收比例"
    if not per:
        return _empty(fig, ax, title, "没有可读的投诉日期")
    keys = sorted(per)
    xs = [dt.date(int(k[:4]), int(k[5:7]), 15) for k in keys]
    ax.bar(xs, [per[k][0] for k in keys], width=24, color="#9db7d9", label="投诉量（左轴）")
    ax.set_ylabel("投诉件数")
    ax2 = ax.twinx()
    ax2.plot(
        xs,
        [1000 * per[k][1] / per[k][0] for k in keys],
        color="#cc0000",
        marker="o",
        markersize=3,
        label="含违规行为比例（‰，右轴）",
    )
    ax2.set_ylabel("每千件")
    ax2.set_ylim(bottom=0)
    ax.set_title(f"{title}（{keys[0]} 至 {keys[-1]}）", fontsize=10)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper left", fontsize=8, frameon=False)
    ax.grid(axis="y", alpha=0.3)
    return charts._save(fig, "svg", 100)


def _label_mix(label_counts: list[tuple[str, int, float]]) -> bytes:
    """Horizontal bars of (Chinese label, texts, per 1,000) for the unlawful categories."""
    rows = list(label_counts)
    fig, ax = charts._figure(9, 0.9 + 0.36 * max(len(rows), 3))
    title = "违规行为构成（每类行为出现在多少件投诉中；一件投诉可含多类）"
    if not rows:
        return _empty(fig, ax, title, "未检出违规行为")
    rows = sorted(rows, key=lambda r: r[1])
    bars = ax.barh([r[0] for r in rows], [r[1] for r in rows], color="#f57900")
    for b, r in zip(bars, rows, strict=True):
        ax.text(b.get_width(), b.get_y() + b.get_height() / 2, f" {r[1]:,}（{r[2]:.1f}‰）", va="center", fontsize=8)
    ax.set_xlim(0, max(r[1] for r in rows) * 1.3)
    ax.set_title(title, fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    return charts._save(fig, "svg", 100)


def _svg(data: bytes) -> Markup:
    text = data.decode("utf-8")
    return Markup(text[text.index("<svg") :])  # drop the XML prolog and doctype: inline SVG


def corpus_context(data: CorpusReportData) -> dict[str, Any]:
    """Everything the template (and the web page) shows, computed once."""
    s = data.summary
    total = int(s.get("texts", 0))
    min_n = _min_complaints(total, data.min_complaints)
    rows = lender_rows(data)
    counts: Counter[str] = Counter()
    for r in data.aggregates:
        counts[r["label"]] += r["count"]
    coded = [(k, v, 1000 * v / total if total else 0.0) for k, v in counts.most_common()]
    labels = [(data.label_zh.get(k, k), v, r) for k, v, r in coded]
    by_licence: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        by_licence[r.licence_zh][0] += r.complaints
        by_licence[r.licence_zh][1] += r.unlawful
    months = sorted({r["month"] for r in data.lender_months if r["month"]})
    ranked = sorted(
        (r for r in rows if r.complaints >= min_n and r.lender != UNNAMED), key=lambda r: (-r.rate, r.lender)
    )
    return {
        "s": s,
        "total": total,
        "min_n": min_n,
        "unlawful": int(s.get("unlawful", 0)),
        "unlawful_rate": 1000 * int(s.get("unlawful", 0)) / total if total else 0.0,
        "first_month": months[0] if months else None,
        "last_month": months[-1] if months else None,
        "ranked": ranked[:50],
        "largest": sorted(rows, key=lambda r: (-r.complaints, r.lender))[:20],
        "labels": labels,
        "by_licence": sorted(
            ((k, n, u, 1000 * u / n if n else 0.0) for k, (n, u) in by_licence.items()), key=lambda x: -x[1]
        ),
        "reject_reasons": sorted(
            ((data.reason_zh.get(k, k), n) for k, n in s.get("reject_reasons", {}).items()), key=lambda kv: -kv[1]
        ),
        "registry_as_of": data.registry_as_of,
        "charts": {
            "lenders": _svg(_bar_top_lenders(rows, min_n)),
            "trend": _svg(_trend(data.lender_months)),
            "labels": _svg(_label_mix([(data.label_zh.get(k, k), v, r) for k, v, r in coded if k != LAWFUL])),
        },
    }


def render_corpus_report(data: CorpusReportData) -> str:
    """The static report (a complete HTML document, Simplified Chinese, inline SVG, no script)."""
    return report_templates().get_template("corpus_report.html.j2").render(**corpus_context(data))
