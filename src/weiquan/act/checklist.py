"""The cover sheet of a drafted document, 提交前核对清单: what the user must check before sending it.

A document that is sent says only what the user confirmed; everything addressed to the user — findings the software
detected that the user has not confirmed (left out of the document), citations marked 〔未核实〕 and why, blanks to
fill in, timing warnings and the disclaimer — goes on this separate sheet, which is never part of the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from weiquan.act.facts import CaseFacts
from weiquan.act.quotes import CategoryView, category_views

FILL_RE = re.compile(r"【请填写：([^】]*)】")


@dataclass
class Checklist:
    doc_title: str
    pending: list[CategoryView] = field(default_factory=list)  # detected, not confirmed: left out of the document
    rejected: int = 0
    unverified: list[dict[str, str]] = field(default_factory=list)  # citations marked 〔未核实〕, with the reason
    fills: list[str] = field(default_factory=list)  # blanks 【请填写：…】 left in the document
    warnings: list[str] = field(default_factory=list)  # timing and preconditions the user must know
    notes: list[str] = field(default_factory=list)  # how figures were made (loan arithmetic, text sources)


_URL = re.compile(r"https?://([^/\s；;，,）)]+)[^\s；;，,）)]*")
# publishers whose pages are primary (the state bodies and associations themselves); any other web page is a
# reprint or a content farm and is not printed (issue 16 item 7)
PRIMARY_HOSTS = ("gov.cn", "court.gov.cn", "12321.cn", "nifa.org.cn", "chinamoney.com.cn", "pbccrc.org.cn")


def _public_source(source: str) -> str:
    """A law-pack source as the user can follow it: a reprint or content-farm URL (a pack given with URLs in its
    sources) replaced by 转载网页（未核实）; primary publishers' addresses kept."""
    text = source

    def url(m: re.Match[str]) -> str:
        host = m.group(1).lower()
        return m.group(0) if any(host == h or host.endswith("." + h) for h in PRIMARY_HOSTS) else "转载网页（未核实）"

    text = _URL.sub(url, text)
    return re.sub(r"\s+", " ", text).strip(" ；;，,")


def pending_categories(pack: Any, all_facts: Any, confirmed_facts: Any, lender: Any = None) -> list[CategoryView]:
    """Categories with findings the user has not confirmed, as they would be pleaded (left out of the document)."""
    confirmed_ids = {f.id for f in confirmed_facts.findings}
    auto = [f for f in all_facts.findings if f.id not in confirmed_ids and not f.confirmed]
    if not auto:
        return []
    sub = CaseFacts(**{**all_facts.__dict__, "findings": auto, "categories": {f.category for f in auto}})
    return category_views(pack, sub, None, getattr(lender, "licence_type", None), lender)


def own_statement_only(facts: CaseFacts) -> str | None:
    """A warning when every fact the document pleads rests on the borrower's own account (manual entries, no
    export, recording or screenshot): a body deciding on it looks for other evidence to corroborate it. No article
    is cited: 治安管理处罚法 (2025) Art. 111 — "只有本人陈述，没有其他证据证明的，不能作出治安管理处罚决定" — is
    about the statement of the person to be punished, not of the person harmed."""
    events = {e.id: e for f in facts.findings for e in f.events}
    if not events or any(e.text_source != "manual" for e in events.values()):
        return None
    return (
        "文书中的事实目前都来自您本人的陈述（手动录入），没有手机导出记录、录音或截图。被侵害人的陈述是证据的一种，"
        "但公安机关、法院认定事实通常需要其他证据印证：请一并提交通话录音、短信或聊天截图、通话记录、"
        "信件原件和证人的联系方式，并在“导入证据”页把它们加入案件。"
    )


def build_checklist(
    pack: Any, doc_title: str, html: str, ctx: dict[str, Any], all_facts: Any, warnings: list[str]
) -> Checklist:
    c = Checklist(doc_title=doc_title)
    c.pending = pending_categories(pack, all_facts, ctx["facts"], ctx.get("lender"))
    seen: set[str] = set()
    for p in ctx.get("provisions", []):
        if p.confidence == "unverified" and p.cite not in seen and p.cite in html:
            seen.add(p.cite)
            src = _public_source(pack.provisions[p.id].source)
            c.unverified.append(
                {
                    "cite": p.cite,
                    "reason": "没有官方文本或两个以上独立来源可以核对" + (f"（现有资料：{src}）" if src else ""),
                }
            )
    for loan in ctx.get("loans", []):
        for cap in loan.get("caps_exceeded", []):
            if cap.get("confidence") == "unverified":
                c.unverified.append(
                    {
                        "cite": f"借款核查所用上限“{cap.get('name')}”",
                        "reason": "该上限在法规库中标为未核实，请以官方文本为准",
                    }
                )
    lender = ctx.get("lender")
    if lender is not None and lender.licence_type not in ("unlicensed", "private"):
        unknown = sorted(
            {
                pack.statutes[p.statute_id].title
                for p in pack.provisions.values()
                if p.association is not None and lender.bound_by(p) is None
            }
        )
        if unknown:
            c.notes.append(
                f"行业自律规范{'、'.join('《' + t + '》' for t in unknown)}只约束该协会的会员机构；"
                "尚未确认对方是会员，文书没有引用。确认是会员后可以补充。"
            )
    c.fills = list(dict.fromkeys(FILL_RE.findall(html)))
    c.warnings = list(warnings)
    own = own_statement_only(ctx["facts"])
    if own:
        c.warnings.append(own)
    if ctx.get("loans"):
        c.notes.append(
            "借款金额、年化利率和依法应还金额由软件根据您填写的借款和还款记录计算，请核对原始合同和转账记录。"
        )
    if any(q.note for v in ctx.get("categories", []) for q in v.quotes):
        c.notes.append(
            "引文后注明“录音转写”“截图识别”的内容由软件识别，请逐字核对原录音或截图；“本人陈述”是您自己录入的内容。"
        )
    return c
