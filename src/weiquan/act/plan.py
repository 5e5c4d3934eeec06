"""The escalation plan: which bodies, in which order, why, with what, by when.

Inputs: the case's facts (:mod:`weiquan.act.facts`) and the law pack. The pack says which body
handles which licence type and which violation (``Channel.handles``, ``Violation.bodies``), how to
reach it, what to prepare, its deadline rule and its usual place in the order (``Channel.order``).
This module only selects and orders:

* a channel is a step when it handles the lender's licence type (or the type is unknown) and either
  handles one of the case's finding categories or is named by the lender's registry entry;
* a self-regulatory channel (the NIFA reporting site) is a step only when the lender is a member
  (or membership is unknown, with a note to check);
* the police come first when a finding shows a threat to safety (``act/data/plan.yaml``);
* an unlicensed lender is routed to the channels that handle ``unlicensed`` (police, local regulator),
  with the loan-check result.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from weiquan.act.deadlines import DeadlineRule, WorkCalendar
from weiquan.act.facts import CaseFacts, FindingFact
from weiquan.act.policy import plan_policy
from weiquan.law.lenders import product_of
from weiquan.law.numerals import to_chinese
from weiquan.zh.format import date_cn
from weiquan.zh.labels import LICENCE_UNKNOWN_ZH, LICENCE_ZH, severity_rank
from weiquan.zh.steps import Note

CONFIDENT_MATCH = 90.0  # registry match score (0–100) from which the registry's licence type is used


@dataclass
class LenderInfo:
    name: str | None
    entity: str | None
    licence_type: str | None
    basis: str  # case | registry | loan | pattern | unknown
    regulator: str | None = None
    channels: list[str] = field(default_factory=list)
    nifa_member: bool | None = None
    cba_member: bool | None = None
    product: str | None = None  # "credit_card" when a name says so (law pack ``product_words``)
    hotline: str | None = None
    confidence: str | None = None
    source: str | None = None
    notes_zh: list[str] = field(default_factory=list)

    @property
    def licence_zh(self) -> str:
        return LICENCE_ZH.get(self.licence_type or "", LICENCE_UNKNOWN_ZH)

    def member_of(self, association: str | None) -> bool | None:
        """Membership of a self-regulatory association (law pack ``Binds.association``); None: unknown."""
        return {"nifa": self.nifa_member, "cba": self.cba_member}.get(association or "")

    def bound_by(self, provision: Any) -> bool | None:
        """Whether a provision binds this lender (licence type and association membership); None: unknown."""
        return provision.applies_to(
            self.licence_type, self.member_of(getattr(provision, "association", None)), self.product
        )


@dataclass
class StepReason:
    category: str
    name_zh: str
    count: int
    first: dt.datetime | None
    last: dt.datetime | None
    confirmed: bool


@dataclass
class PlanStep:
    order: int
    channel_id: str
    name_zh: str
    body: str
    kind: str
    urgent: bool
    why_zh: list[str]
    reasons: list[StepReason]
    competence_zh: str
    competence_source: str
    attach: list[str]
    how: dict[str, str]
    prerequisite_zh: str | None
    deadline: DeadlineRule | None
    deadline_zh: str | None
    if_lapsed_zh: str
    documents: list[str]
    form_max_chars: int | None
    taken: dict[str, Any] | None = None  # the latest action for this body
    warnings_zh: list[str] = field(default_factory=list)  # timing and preconditions (also on the cover sheet)


@dataclass
class Plan:
    case_id: int
    lender: LenderInfo
    safety_threat: bool
    ongoing: bool
    steps: list[PlanStep]
    notes_zh: list[str]
    loans: list[dict[str, Any]]
    generated_on: dt.date
    # warnings for a document (act/data/plan.yaml document key → texts), on its cover sheet 提交前核对清单
    document_warnings: dict[str, list[str]] = field(default_factory=dict)
    deadlines: list[dict[str, Any]] = field(default_factory=list)  # case-wide deadlines (诉讼时效 …)

    def step(self, channel_id: str) -> PlanStep | None:
        return next((s for s in self.steps if s.channel_id == channel_id), None)

    def as_dict(self) -> dict[str, Any]:
        def conv(o: Any) -> Any:
            if isinstance(o, DeadlineRule):
                return o.as_dict()
            if dataclasses.is_dataclass(o) and not isinstance(o, type):
                return {f.name: conv(getattr(o, f.name)) for f in dataclasses.fields(o)}
            if isinstance(o, list):
                return [conv(x) for x in o]
            if isinstance(o, dict):
                return {k: conv(v) for k, v in o.items()}
            if isinstance(o, (dt.date, dt.datetime)):
                return o.isoformat()
            return o

        d = conv(self)
        d["lender"]["licence_zh"] = self.lender.licence_zh
        return d


# ---------------------------------------------------------------- lender and licence type


def lender_lookup(pack: Any, name: str | None) -> Any:
    if not name:
        return None
    found = pack.find_lender(name)
    if isinstance(found, list):
        found = found[0] if found else None
    if found is None:
        return None
    # a LenderMatch wraps the registry entry; accept only exact or near-exact matches
    if not getattr(found, "exact", True) and getattr(found, "score", 100.0) < CONFIDENT_MATCH:
        return None
    return getattr(found, "lender", found)


def resolve_lender(pack: Any, facts: CaseFacts) -> LenderInfo:
    """The lender's identity and licence type: case record, then the registry, then a loan record."""
    reg = None
    for n in (
        facts.lender_entity,
        facts.lender_name,
        *(ln.legal_entity for ln in facts.loans),
        *(ln.lender for ln in facts.loans),
    ):
        reg = lender_lookup(pack, n)
        if reg is not None:
            break
    info = LenderInfo(name=facts.lender_name, entity=facts.lender_entity, licence_type=None, basis="unknown")
    if reg is not None and hasattr(reg, "licence_type"):
        info.entity = info.entity or getattr(reg, "entity", None)
        info.regulator = getattr(reg, "regulator", None)
        info.channels = list(getattr(reg, "channels", []) or [])
        info.nifa_member = getattr(reg, "nifa_member", None)
        info.cba_member = getattr(reg, "cba_member", None)
        info.hotline = getattr(reg, "hotline", None)
        info.confidence = getattr(reg, "confidence", None)
        info.source = getattr(reg, "source", None)
    if facts.licence_type:
        info.licence_type, info.basis = facts.licence_type, "case"
        if reg is not None and getattr(reg, "licence_type", None) not in (None, facts.licence_type):
            info.notes_zh.append(
                f"案件中登记的牌照类型与机构名录不一致（名录：{LICENCE_ZH.get(reg.licence_type, reg.licence_type)}），"
                "请核实后更正。"
            )
    elif reg is not None and getattr(reg, "licence_type", None):
        info.licence_type, info.basis = reg.licence_type, "registry"
    else:
        loan_types = [ln.licence_type for ln in facts.loans if ln.licence_type]
        if loan_types:
            info.licence_type, info.basis = loan_types[0], "loan"
    info.product = product_of(
        pack.lender_registry,
        facts.lender_name,
        facts.lender_entity,
        *(ln.lender for ln in facts.loans),
        *(ln.legal_entity for ln in facts.loans),
    )
    if info.licence_type is None:
        info.notes_zh.append(
            Note(
                "尚未确定放贷机构的牌照类型：请在借款合同、App“关于我们”或放款短信中查找放款机构全称，"
                "再查询其牌照；确定前，计划同时列出可能负责的监管渠道。",
                step="lender",
            )
        )
    return info


# ---------------------------------------------------------------- selection


def _add_months(d: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the last day of the month when it has no such day)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(d.day, last))


def _channel_handles_licence(ch: Any, licence: str | None) -> bool:
    types = list(ch.handles.licence_types or [])
    return not types or licence is None or licence in types


def _reasons(pack: Any, facts: CaseFacts, categories: set[str]) -> list[StepReason]:
    out: list[StepReason] = []
    order = list(pack.violations)

    def key(c: str) -> tuple[int, int]:
        v = pack.violations.get(c)
        return (severity_rank(v.severity if v else "low"), order.index(c) if c in order else len(order))

    for cat in sorted(categories, key=key):
        fs = [f for f in facts.findings if f.category == cat]
        if not fs:
            continue
        v = pack.violations.get(cat)
        firsts = [f.first for f in fs if f.first]
        lasts = [f.last for f in fs if f.last]
        out.append(
            StepReason(
                # distinct events: findings of one category share events (a rotation finding holds a flood's calls)
                category=cat,
                name_zh=v.name_zh if v else cat,
                count=_distinct_count(facts, cat, fs),
                first=min(firsts) if firsts else None,
                last=max(lasts) if lasts else None,
                confirmed=all(f.confirmed for f in fs),
            )
        )
    return out


def _distinct_count(facts: CaseFacts, cat: str, fs: list[FindingFact]) -> int:
    st = facts.category_stats.get(cat)
    return st.count if st is not None and st.count else sum(max(1, f.event_count) for f in fs)


def _reason_text(r: StepReason) -> str:
    when = ""
    if r.first and r.last:
        a, b = date_cn(r.first.date()), date_cn(r.last.date())
        when = f"（{a}）" if a == b else f"（{a}至{b}）"
    state = "" if r.confirmed else "，待您核实"
    return f"{r.name_zh}：{r.count} 次{when}{state}"


def _deadline_for(ch: Any, licence: str | None) -> Any:
    for d in [ch.deadline, *(ch.extra_deadlines or [])]:
        if d is None:
            continue
        if not d.applies_to or licence is None or licence in d.applies_to:
            return d
    return None


def deadline_rule(ch: Any, licence: str | None) -> DeadlineRule | None:
    """The channel's deadline rule for this licence type, as a :class:`DeadlineRule`."""
    d = _deadline_for(ch, licence)
    if d is None:
        return None
    return DeadlineRule(
        days=d.days,
        unit=d.unit,
        extensions=tuple(d.extensions),
        label_zh=d.rule_zh,
        source=d.source,
        counted_from=d.starts_zh,
        summary_zh=d.summary_zh,
        unit_note_zh=d.unit_basis_zh if d.unit_estimated else None,
    )


def _how(ch: Any) -> dict[str, str]:
    c = ch.contact
    out: dict[str, str] = {}
    labels = (("hotline", "电话"), ("portal", "网站"), ("app", "App"), ("wechat", "微信"), ("address_zh", "现场/地址"))
    for attr, label in labels:
        v = getattr(c, attr, None)
        if v:
            if attr == "hotline" and getattr(c, "hotline_note_zh", None):
                v = f"{v}（{c.hotline_note_zh}）"
            out[label] = v
    return out


def build(pack: Any, facts: CaseFacts, *, calendar: WorkCalendar | None = None) -> Plan:
    """Build the plan from facts and the law pack (no database access)."""
    policy = plan_policy()
    lender = resolve_lender(pack, facts)
    licence = lender.licence_type
    cats = set(facts.categories)
    safety = bool(cats & set(policy.safety_categories))
    last_contact = max((f.last for f in facts.findings if f.last), default=None)
    # "recent contacts" for the injunction: the latest collection contact (analysis figures) or finding event
    recent = last_collection_contact(facts, last_contact)
    ongoing = recent is not None and (facts.today - recent.date()).days <= policy.ongoing_within_days
    # the 治安 six months run from the end of the conduct (行为有连续或者继续状态的，从行为终了之日起计算): the latest
    # collection contact, the same "最近一次联系" every document names — not the latest event behind a finding
    time_barred = recent is not None and _add_months(recent.date(), policy.police_time_limit_months) < facts.today
    notes = list(lender.notes_zh)
    first_contact = min((f.first for f in facts.findings if f.first), default=None)
    deadlines = case_deadlines(pack, policy, first_contact, recent, facts.today)

    # channels named by the case's violations
    named_by_violation: dict[str, set[str]] = {}
    for cat in cats:
        v = pack.violations.get(cat)
        for b in v.bodies if v else []:
            named_by_violation.setdefault(b, set()).add(cat)

    loan_notes = [
        {
            "loan_id": ln.id,
            "lender": ln.lender,
            "apr": ln.apr,
            "verdict": ln.verdict,
            "verdict_zh": (ln.result or {}).get("verdict_zh"),
            "upfront_deduction": (ln.result or {}).get("upfront_deduction"),
            "lawful_amount_owed": (ln.result or {}).get("lawful_amount_owed"),
            "excess_paid": (ln.result or {}).get("excess_paid"),
        }
        for ln in facts.loans
        if ln.verdict or ln.apr
    ]
    illegal_loan = any(ln.verdict not in (None, "", "lawful") for ln in facts.loans)

    steps: list[PlanStep] = []
    if not cats and not illegal_loan:
        notes.append(Note("尚未发现违规行为：请先导入通话记录、短信和截图并运行分析，再生成计划。", step="analyze"))
    routed = set(policy.licence_routes.get(licence or "", []))
    rank = {cid: i for i, cid in enumerate(policy.escalation_order)}
    channels = sorted(pack.channels.values(), key=lambda c: (rank.get(c.id, len(rank)), c.order, c.id))
    for ch in channels:
        extra_route = ch.id in routed
        if not (_channel_handles_licence(ch, licence) or extra_route):
            continue
        matched = (cats & set(ch.handles.violations or [])) | named_by_violation.get(ch.id, set())
        from_registry = ch.id in lender.channels
        # an unlawful loan from an unlicensed or private lender goes to the bodies routed for that licence type
        # (police, local financial regulator), not to every regulator: 12363 takes payment and credit-reporting
        # bodies (docs/sources.md#complaint-routing), 12315 is not in the research
        loan_reason = illegal_loan and licence in ("unlicensed", "private") and (ch.id in routed or ch.kind == "police")
        if not matched and not loan_reason and not ((from_registry or extra_route) and cats):
            continue
        if ch.kind == "lender" and licence == "unlicensed":
            continue  # no lawful complaint desk: go to the police and the local regulator
        if (
            ch.kind == "self_regulatory"
            and (lender.nifa_member is False or licence in ("unlicensed", "private"))
            and not from_registry
        ):
            continue  # the NIFA platform is for its members' conduct; an unlicensed lender is no member
        if ch.kind == "credit" and not matched:
            continue
        reasons = _reasons(pack, facts, matched or cats)
        why = [_reason_text(r) for r in reasons]
        if loan_reason:
            why.append("借款核查结果显示该借款可能不合法（见借款核查）")
        if ch.kind == "self_regulatory" and lender.nifa_member is None and licence != "unlicensed":
            why.append("仅当该机构是中国互联网金融协会会员时适用：请先在协会网站核实。")
        competence = ch.scope_zh
        competence_source = ch.source
        if extra_route and not _channel_handles_licence(ch, licence):
            competence = f"放贷方为{lender.licence_zh}；{ch.scope_zh}"
            if policy.licence_routes_confidence == "unverified":
                competence += "（向该部门反映无资质放贷属本工具的建议途径，未经法规库核实，请先电话咨询是否受理）"
            competence_source = policy.licence_routes_source
        elif ch.kind == "regulator" and licence:
            competence = f"放贷机构为{lender.licence_zh}；{ch.scope_zh}"
        elif ch.kind == "regulator":
            competence = f"牌照类型未确定，一并列出；{ch.scope_zh}"
        rule = deadline_rule(ch, licence)
        urgent = ch.kind == "police" and safety
        warnings: list[str] = []
        if ch.kind == "police":
            warnings += [d["warning_zh"] for d in deadlines if d["id"] == "police_limit" and d.get("warning_zh")]
        steps.append(
            PlanStep(
                order=0,
                channel_id=ch.id,
                name_zh=ch.name_zh,
                body=ch.body,
                kind=ch.kind,
                urgent=urgent,
                why_zh=why,
                reasons=reasons,
                competence_zh=competence,
                competence_source=competence_source,
                attach=list(ch.prepare),
                how=_how(ch),
                # an unlicensed lender has no complaint desk to go to first
                prerequisite_zh=None if licence == "unlicensed" and extra_route else ch.prerequisite_zh,
                deadline=rule,
                deadline_zh=(
                    " ".join(t for t in (rule.label_zh, rule.unit_note_zh) if t) if rule else ch.deadline_note_zh
                ),
                if_lapsed_zh="",
                documents=[d for d in ch.documents if d != "injunction" or ongoing],
                form_max_chars=ch.form_max_chars,
                warnings_zh=warnings,
            )
        )
        if ch.kind == "police" and time_barred:
            steps[-1].why_zh.append(warnings[0] if warnings else "")

    if safety:
        police = [s for s in steps if s.kind == "police"]
        steps = police + [s for s in steps if s.kind != "police"]
        police_ch = pack.channels.get("police")
        hotline = police_ch.contact.hotline if police_ch is not None and police_ch.contact is not None else None
        notes.insert(
            0, f"存在威胁人身安全的内容：如遇紧急危险，请立即拨打{hotline or '报警电话'}；并尽快到派出所报案。"
        )
    first_ids = list(policy.licence_routes.get(licence or "", [])) if licence in ("unlicensed",) else []
    if first_ids:
        # an unlicensed lender: the police and the local financial regulator first (issue 16 item 3)
        head = [s for cid in first_ids for s in steps if s.channel_id == cid]
        steps = head + [s for s in steps if s not in head]
    if licence == "unlicensed":
        notes.append(
            Note(
                "该放贷方无放贷资质：建议向公安机关和地方金融管理部门反映，并保留借款核查结果；"
                "对实际收到的借款本金，可通过正规、可留痕的方式依法协商处理。",
                step="loan",
            )
        )
    if facts.auto_count:
        notes.append(Note(f"有 {facts.auto_count} 项自动识别的违规尚未人工核实：提交前请逐项确认。", step="review"))
    document_warnings: dict[str, list[str]] = {}
    court = next((s for s in steps if s.kind == "court"), None)
    if ongoing and court is not None:
        notes.append("骚扰仍在持续：可考虑向法院申请人格权侵害禁令（可在起诉前或诉讼中申请）。")
    elif court is not None and recent is not None:
        why_not = (
            f"暂不建议申请人格权侵害禁令：最近一次联系是{date_cn(recent.date())}，距今"
            f"{(facts.today - recent.date()).days}天；{_cite(pack, 'civil-997')}要求有证据证明对方“正在实施或者即将实施”"
            "侵害行为。如对方再次联系，可以凭新的证据申请。"
        )
        notes.append(why_not)
        court.warnings_zh.append(why_not)
        document_warnings.setdefault("injunction", []).append(why_not)
    limitation = next((d for d in deadlines if d["id"] == "limitation"), None)
    if limitation is not None and court is not None:
        court.warnings_zh += [w for w in (limitation.get("warning_zh"), limitation.get("note_zh")) if w]
        document_warnings.setdefault("lawsuit", []).extend(court.warnings_zh)

    # order numbers, "what if it lapses", actions already taken
    taken = {a.body: a for a in facts.actions if a.status in plan_policy().taken_statuses}
    for i, s in enumerate(steps, 1):
        s.order = i
        nxt = steps[i] if i < len(steps) else None
        if s.deadline is not None:
            lapse = f"如{s.deadline.describe_zh()}内未答复或对答复不满意，"
        else:
            lapse = "如对处理结果不满意或没有回音，"
        s.if_lapsed_zh = lapse + (f"进入下一步：{nxt.name_zh}。" if nxt else "可咨询法律援助机构或律师。")
        a = taken.get(s.channel_id)
        if a is not None:
            s.taken = {
                "action_id": a.id,
                "status": a.status,
                "due_at": a.due_at.isoformat() if a.due_at else None,
                "reference_no": a.reference_no,
            }
    if limitation is not None and court is not None:
        before = steps[: steps.index(court)]
        total = sum(_max_calendar_days(s.deadline) for s in before)
        reach = facts.today + dt.timedelta(days=total)
        if total and reach > limitation["date"]:
            late = (
                f"按计划逐步走完前面{len(before)}步（均用足处理期限）约需{total}日，到{date_cn(reach)}才会起诉，晚于诉讼时效"
                f"届满日{date_cn(limitation['date'])}：建议不必等前面各步结束，同时向法院起诉。"
            )
            limitation["warning_zh"] = " ".join(w for w in (limitation.get("warning_zh"), late) if w)
            court.warnings_zh.insert(0, late)
            court.urgent = True
            notes.append(late)
            document_warnings.setdefault("lawsuit", []).insert(0, late)
    for d in deadlines:
        if d.get("warning_zh") and d["id"] == "limitation" and d["warning_zh"] not in notes:
            notes.append(d["warning_zh"])
    return Plan(
        case_id=facts.case_id,
        lender=lender,
        safety_threat=safety,
        ongoing=ongoing,
        steps=steps,
        notes_zh=notes,
        loans=loan_notes,
        generated_on=facts.today,
        document_warnings=document_warnings,
        deadlines=deadlines,
    )


def last_collection_contact(facts: CaseFacts, last_finding: dt.datetime | None) -> dt.datetime | None:
    """The latest collection contact of the case: the analysis figures' ``last`` (every collection contact, the
    same figure the dashboard shows) or the latest finding event, whichever is later; in the case's time zone."""

    fig = facts.extra.get("contact_figures") if isinstance(facts.extra, dict) else None
    last = None
    if isinstance(fig, dict) and fig.get("last"):
        try:
            last = dt.datetime.fromisoformat(str(fig["last"])).astimezone(ZoneInfo(facts.tz))
        except ValueError:
            last = None
    cands = [t for t in (last, last_finding) if t is not None]
    return max(cands) if cands else None


def _cite(pack: Any, pid: str) -> str:
    p = pack.provisions.get(pid)
    return p.cite() if p is not None else ""


def _max_calendar_days(rule: DeadlineRule | None) -> int:
    """The longest a step can take under its rule, in calendar days (working days × 7/5, rounded up)."""
    if rule is None:
        return 0
    days = rule.days + sum(rule.extensions)
    return -(-days * 7 // 5) if rule.unit == "working" else days


def case_deadlines(
    pack: Any, policy: Any, first: dt.datetime | None, last: dt.datetime | None, today: dt.date
) -> list[dict[str, Any]]:
    """Deadlines of the case as a whole, each with the provision in force for it:

    * 治安 punishment: not for conduct the police have not discovered within six months of its end (2025 text
      Art. 25; the 2012 text's Art. 22 for conduct before 2026-01-01);
    * 诉讼时效: three years from when the borrower knew of the harm and of who caused it (民法典 Art. 188),
      counted conservatively from the first contact; claims to stop the infringement are not time-barred (Art. 196).
    """
    out: list[dict[str, Any]] = []
    if last is not None:
        lc = last.date()
        limit = pack.provisions.get(policy.police_time_limit_provision)
        texts = limit.texts_for_conduct(lc, lc) if limit is not None else None
        basis = texts[0].citation if texts else (limit.cite() if limit is not None else "")
        due = _add_months(lc, policy.police_time_limit_months)
        months = (
            f"{to_chinese(policy.police_time_limit_months)}个月"  # plan.yaml, from 治安管理处罚法 Art. 25 (Art. 22)
        )
        earlier = ""
        if first is not None and first.date() < lc and due >= today:
            # acts the police may judge one by one lapse six months after each: the earliest first
            earlier = (
                f"如各次行为被分别认定，较早的行为（最早一次是{date_cn(first.date())}）的期限更早届满，请尽早报案。"
            )
        d: dict[str, Any] = {
            "id": "police_limit",
            "name_zh": f"治安处罚时限（{months}）",
            "date": due,
            "basis_zh": basis,
            "note_zh": f"最近一次联系是{date_cn(lc)}；{basis}规定违反治安管理行为在{months}以内没有被公安机关发现的，"
            f"不再处罚（行为有连续或者继续状态的，从行为终了之日起计算）。{earlier}",
            "passed": due < today,
        }
        if due < today:
            d["warning_zh"] = (
                f"注意：最近一次联系是{date_cn(lc)}，已超过{policy.police_time_limit_months}个月；{basis}规定违反治安管理"
                f"行为在{months}以内没有被公安机关发现的，不再处罚（行为有连续或者继续状态的，从行为终了之日起计算），"
                "治安处罚可能已不能适用，请在报案时向民警说明并咨询；涉嫌犯罪的，追诉期限另行计算。"
            )
        else:
            d["warning_zh"] = (
                f"请在{date_cn(due)}前报案：{basis}规定违反治安管理行为在{months}以内没有被公安机关发现的，不再处罚。"
            )
        out.append(d)
    if first is not None:
        fc = first.date()
        due = _add_months(fc, 12 * policy.limitation_years)
        basis = _cite(pack, policy.limitation_provision)
        d = {
            "id": "limitation",
            "name_zh": "诉讼时效（向法院起诉）",
            "date": due,
            "basis_zh": basis,
            "note_zh": (
                f"{basis}：向人民法院请求保护民事权利的诉讼时效期间为三年，自知道或者应当知道权利受到损害以及义务人"
                f"之日起计算；本计划按最早一次行为（{date_cn(fc)}）保守起算。请求停止侵害不适用诉讼时效"
                f"（{_cite(pack, policy.no_limitation_provision)}）。"
            ),
            "passed": due < today,
        }
        if due < today:
            d["warning_zh"] = (
                f"注意：自最早一次行为（{date_cn(fc)}）起已超过三年，赔偿请求的诉讼时效可能已届满（{basis}）；"
                "请求停止侵害不受诉讼时效限制，持续发生的行为可从行为终了之日起计算，请咨询律师。"
            )
        out.append(d)
    return out
