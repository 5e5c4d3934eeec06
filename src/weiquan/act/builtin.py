"""Built-in document templates, registered through the plug-in hook like any third-party template."""

from __future__ import annotations

from typing import Any

from weiquan.act.base import DocumentSpec
from weiquan.act.catalogue import isc_report
from weiquan.act.citations import conduct_period
from weiquan.act.drafting import fit_text, render_text
from weiquan.act.policy import plan_policy
from weiquan.hookspecs import hookimpl
from weiquan.zh.labels import ACTION_STATUS_ZH


def _lender_ctx(ctx: dict[str, Any]) -> dict[str, Any]:
    pack = ctx["pack"]
    p = pack.provisions.get("complaint_measures-deadline")
    return {"complaint_rule_cite": p.cite() if p is not None else ""}


def _regulator_ctx(ctx: dict[str, Any]) -> dict[str, Any]:
    plan = ctx["plan"]
    regs = [s for s in plan.steps if s.kind == "regulator"]
    limit = next((s.form_max_chars for s in regs if s.form_max_chars), None)
    verified = limit is not None
    limit = limit or plan_policy().short_text_default_chars
    raw = render_text("regulator_short.txt.j2", ctx)
    units = [
        (u.strip()[2:] if u.strip().startswith("~ ") else u.strip(), not u.strip().startswith("~ "))
        for u in raw.split("\n\n")
        if u.strip()
    ]
    return {
        "regulators": regs,
        "regulators_sure": plan.lender.licence_type is not None,
        "short_text": fit_text(units, limit),
        "short_limit": limit,
        "short_limit_verified": verified,
    }


def _isc_ctx(ctx: dict[str, Any]) -> dict[str, Any]:
    # how to reach 12321 is printed from the channel itself (``m.how``, ``contact_zh``)
    return isc_report(ctx["facts"], ctx["calls"], ctx["sms"])


def _contacts_ctx(ctx: dict[str, Any]) -> dict[str, Any]:
    pack = ctx["pack"]
    lender = ctx.get("lender")
    first, last = conduct_period(ctx["facts"])

    def binds(r: Any) -> bool:
        # a rule only where it binds the lender (GB/T 45251 not for a credit card, the CBA guideline only for a known
        # member) and was in force for the conduct — as every other document cites it
        p = pack.provisions.get(r.provision_id)
        return (
            p is not None
            and (lender is None or lender.bound_by(p) is True)
            and p.cite_for_conduct(first, last)[0] is not None
        )

    rules = [r for r in pack.conduct.third_party if r.id in ("no_debt_details", "stop_on_objection") and binds(r)]
    srcs = sorted({pack.provisions[r.provision_id].cite() for r in rules})
    return {"third_party_rules": rules, "third_party_source": "、".join(srcs), "isc": pack.channels.get("isc_12321")}


def _plan_ctx(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"doc_titles": {d.id: d.title_zh for d in BUILTIN_DOCUMENTS}, "status_zh": ACTION_STATUS_ZH}


BUILTIN_DOCUMENTS: list[DocumentSpec] = [
    DocumentSpec(
        id="lender",
        title_zh="投诉函",
        label_zh="给借款平台的投诉函",
        template="lender.html.j2",
        channel="lender",
        description_zh="致放贷机构的投诉函：事实、违规行为与原文、违反的规定、诉求与答复期限。",
        extra_context=_lender_ctx,
    ),
    DocumentSpec(
        id="regulator",
        title_zh="金融消费投诉",
        label_zh="给金融监管部门的投诉",
        template="regulator.html.j2",
        channel=None,
        description_zh="向国家金融监督管理总局或地方金融管理局投诉：表单用简要版与完整版。",
        extra_context=_regulator_ctx,
    ),
    DocumentSpec(
        id="12321",
        title_zh="骚扰电话短信举报材料",
        label_zh="12321 举报",
        template="isc_12321.html.j2",
        channel="isc_12321",
        description_zh="向12321举报：号码、时间与短信原文（未经修改）。",
        extra_context=_isc_ctx,
    ),
    DocumentSpec(
        id="police",
        title_zh="报案材料",
        label_zh="报警材料",
        template="police.html.j2",
        channel="police",
        description_zh="向公安机关报案的书面材料。",
    ),
    DocumentSpec(
        id="lawsuit",
        title_zh="民事起诉状",
        label_zh="起诉状",
        template="lawsuit.html.j2",
        channel="court",
        description_zh="人格权侵权诉讼的起诉状：当事人、诉讼请求、事实与理由、证据。",
    ),
    DocumentSpec(
        id="injunction",
        title_zh="人格权侵害禁令申请书",
        label_zh="人格权侵害禁令申请",
        template="injunction.html.j2",
        channel="court",
        description_zh="骚扰仍在持续时，向法院申请人格权侵害禁令。",
    ),
    DocumentSpec(
        id="catalogue",
        title_zh="证据目录",
        label_zh="证据目录",
        template="catalogue.html.j2",
        channel=None,
        description_zh="证据目录：序号、名称、来源、证明内容、文件与SHA-256。",
    ),
    DocumentSpec(
        id="contacts",
        title_zh="致亲友的一封信",
        label_zh="联系人告知书",
        template="contacts.html.j2",
        channel=None,
        description_zh="给可能接到催收电话的亲友：如何应对、如何留证。",
        extra_context=_contacts_ctx,
    ),
    DocumentSpec(
        id="plan",
        title_zh="维权步骤计划",
        template="plan.html.j2",
        channel=None,
        sent=False,
        description_zh="按顺序列出向哪些部门投诉、理由、材料、提交方式和期限。",
        extra_context=_plan_ctx,
    ),
]


@hookimpl
def register_documents() -> list[DocumentSpec]:
    return list(BUILTIN_DOCUMENTS)
