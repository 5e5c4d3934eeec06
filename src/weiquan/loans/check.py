"""``check_loan``: APR, 砍头息, caps, verdict and the lawfully owed amount of one loan.

Input and output fields are documented in docs/loans.md (they are a public contract used by the
CLI, the web UI and the action area).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from weiquan.law.pack import LawPack, load_pack
from weiquan.loans.apr import xirr
from weiquan.loans.legality import applicable_caps, lawful_segments, simple_annual_rate, simulate, verdict_for
from weiquan.loans.model import LoanInput, parse_loan
from weiquan.zh.labels import LICENCE_ZH

SHORT_TERM_DAYS = 14


def _r(x: float, nd: int = 6) -> float | None:
    if math.isinf(x) or math.isnan(x):
        return None
    return round(x, nd)


def _money(x: float) -> float:
    return round(x + 0.0, 2)


def _steps(segs: list[tuple[dt.date, float]]) -> list[dict[str, Any]]:
    return [{"from": (None if d == dt.date.min else d.isoformat()), "rate": _r(r)} for d, r in segs]


def _possibly_void(
    pack: LawPack, loan: LoanInput, received: float, paid: float, notes: list[str], unverified: list[str]
) -> dict[str, Any] | None:
    """For a lender without a lending licence: the loan contract may be void (民间借贷规定 Art. 13(3)); what is
    owed then is the money actually received (民法典 Art. 157) plus at most compensation for its use."""
    if loan.lender_type != "unlicensed":
        return None
    rule = pack.interest_rules.rules["unlicensed_void"]
    comp = pack.interest_rules.rules["unlicensed_use_compensation"]
    cites = [pack.provisions[p].cite() for p in rule.provision_ids if p in pack.provisions]
    notes.append(f"{rule.rule_zh}（{'、'.join(cites)}）")
    unverified.append(f"{comp.rule_zh}（{comp.source}）")
    return {
        "rule_zh": rule.rule_zh,
        "citations": cites,
        "source": rule.source,
        "confidence": rule.confidence,
        "received": _money(received),
        "paid_to_date": _money(paid),
        "principal_outstanding": _money(max(0.0, received - paid)),
        "owed_zh": (
            f"如合同无效：应返还实际收到的借款{received:,.2f}元（已还{paid:,.2f}元，尚余{max(0.0, received - paid):,.2f}元），"
            "对方至多可就资金占用主张补偿，约定的利息、服务费不受保护"
        ),
        "compensation_zh": comp.rule_zh,
        "compensation_confidence": comp.confidence,
    }


def check_loan(data: dict[str, Any], *, pack: LawPack | None = None, today: dt.date | None = None) -> dict[str, Any]:
    """Check one loan described as in docs/loans.md. Raises ``InputError`` (exit 2) on bad input."""
    loan = parse_loan(data, today=today)
    return check_parsed(loan, pack or load_pack())


def check_parsed(loan: LoanInput, pack: LawPack) -> dict[str, Any]:
    flows = loan.borrower_flows()
    apr = xirr(flows)
    day_count = pack.interest_rules.day_count
    simple = simple_annual_rate(loan.disbursed, loan.repayments, day_count)
    regime, applied = applicable_caps(pack, loan.lender_type, loan.contract_date, loan.as_of)
    verdict = verdict_for(pack, applied, simple)
    verdict_zh = next(v.name_zh for v in pack.interest_rules.verdicts if v.code == verdict)
    segs = lawful_segments(regime, applied, simple)
    settle = lawful_segments(regime, applied, simple, settle=True)
    paid = [f for f in loan.repayments if f.paid]
    bal = simulate(loan.disbursed, paid, segs, loan.as_of, day_count, settle=settle if settle != segs else None)
    # a cap the borrower must ask a court for (licensed lenders' 24 %): the lawful figures are an estimate
    on_request = [a for a in applied if a.cap.enforceable and a.cap.on_request and simple > a.rate + 1e-9]
    upfront = loan.upfront_deduction
    term_days = (loan.repayments[-1].date - loan.disbursed[0].date).days
    received = loan.received
    total_repayments = sum(f.amount for f in loan.repayments)

    flags: list[str] = []
    notes: list[str] = []
    unverified: list[str] = []
    provisions: list[str] = []
    if upfront > 0.005:
        flags.append("upfront_deduction")
        rule = pack.interest_rules.rules["upfront_deduction"]
        notes.append(
            f"砍头息：合同金额{loan.principal:.2f}元，实际到手{received:.2f}元，预先扣除{upfront:.2f}元。{rule.rule_zh}"
        )
        # only the statutes that govern this lender (the 民间借贷 rules do not govern licensed lenders)
        provisions += [
            pack.provisions[p].cite()
            for p in rule.provision_ids
            if pack.provisions[p].applies_to(loan.lender_type) is not False
        ]
    if term_days <= SHORT_TERM_DAYS and upfront > 0.005:
        flags.append("short_term_upfront")
        notes.append(f"借款期限仅{term_days}天，且放款时预先扣除了费用。")
    if total_repayments <= received:
        flags.append("repaid_not_above_received")
        notes.append("还款合计不超过到手金额：年化利率为零或负数。请确认已列出全部已还和应还款项（含各种费用）。")
    if verdict != "lawful":
        exceeded = [a for a in applied if simple > a.rate + 1e-9]
        for a in exceeded:
            notes.append(f"按单利折算的年化利率{simple:.2%}超过“{a.cap.name_zh}”{a.rate:.2%}：{a.cap.effect_zh}")
    for a in applied:
        if a.cap.confidence == "unverified":
            unverified.append(f"{a.cap.name_zh}（{a.cap.source}）")
        if a.cap.interpretation:
            notes.append(f"“{a.cap.name_zh}”是对规则的解读，不是条文原文。")
        if a.lpr_stale and a.lpr_date is not None:
            notes.append(pack.lpr_fixing_on(a.lpr_date).note_zh or "")
    if pack.interest_rules.payment_order_confidence == "unverified":
        unverified.append(pack.interest_rules.payment_order_zh)
    if regime.transition_from and loan.as_of >= regime.transition_from and regime.transition_note_zh:
        notes.append(regime.transition_note_zh.format(as_of=loan.as_of.isoformat()))
    notes += regime.check_notes_zh
    if on_request:
        notes.append(
            f"“按法律保护的利率应还”和“多付”金额是假设借款人请求法院把超过年利率{on_request[0].rate:.0%}的部分调减后估算的；"
            "是否调减由法院决定，在此之前合同约定的还款义务并不因此消失。"
        )
    if settle != segs and regime.settle_note_zh:
        notes.append(regime.settle_note_zh)

    lawful_owed = max(0.0, bal.owed)
    # where no legal cap governs the figure — a licensed lender (bank, consumer finance, small loan: not the 民间借贷
    # rules) charging below the line a court may reduce to — the "lawful" amount is only the contract rate run
    # forward: it is not a figure of law and, written to the creditor, reads as an acknowledgement of the debt
    # (民法典 Art. 195). Documents leave it out (``lawful_basis: contract``).
    private_rules = pack.provisions.get("private_lending-25")
    contract_only = not on_request and private_rules is not None and private_rules.applies_to(loan.lender_type) is False
    paid_to_date = sum(f.amount for f in paid)
    void = _possibly_void(pack, loan, received, paid_to_date, notes, unverified)
    if void is not None:
        provisions += [c for c in void["citations"] if c not in provisions]
    due_after = sum(f.amount for f in loan.repayments if not f.paid)
    return {
        "lender": loan.lender,
        "lender_type": loan.lender_type,
        "lender_type_zh": LICENCE_ZH[loan.lender_type],
        "contract_date": loan.contract_date.isoformat(),
        "as_of": loan.as_of.isoformat(),
        "principal": _money(loan.principal),
        "received": _money(received),
        "upfront_deduction": _money(upfront),
        "term_days": term_days,
        "apr": _r(apr.apr),
        "effective_annual_rate": _r(apr.effective_annual_rate),
        "daily_rate": _r(apr.periodic_rate, 10),
        "apr_method": apr.method,
        "simple_annual_rate": _r(simple),
        "compared_rate": "simple_annual_rate",
        "regime": {
            "id": regime.id,
            "name": regime.name_zh,
            "note": regime.note_zh,
            "source": regime.source,
            "confidence": regime.confidence,
        },
        "caps": [a.to_dict(simple) for a in applied],
        "verdict": verdict,
        "verdict_zh": verdict_zh,
        "flags": flags,
        "lawful_rate": _steps(segs),
        "retained_rate": _steps(settle),
        "lawful_basis": "on_request" if on_request else "contract" if contract_only else "law",
        "on_request_rate": _r(on_request[0].rate) if on_request else None,
        # how the two figures below must be introduced wherever they are shown (CLI, web, documents)
        "lawful_label_zh": (
            f"如请求法院调减超过年利率{on_request[0].rate:.0%}的部分，估算应还"
            if on_request
            else "按合同约定利率估算应还（持牌机构不适用民间借贷利率上限，仅供参考）"
            if contract_only
            else "如合同有效，按四倍LPR估算应还"
            if void is not None
            else "按法律保护的利率估算应还"
        ),
        # unlicensed lender: the contract may be void (民间借贷规定 Art. 13(3)); owed: the money actually received,
        # plus at most compensation for its use (民法典 Art. 157) — shown next to the 4×LPR figure
        "possibly_void": void,
        "excess_label_zh": "估算多付" if on_request else ("估算可请求返还的多付" if settle != segs else "估算多付"),
        "lawful_amount_owed": _money(lawful_owed),
        "excess_paid": _money(bal.excess),
        "paid_to_date": _money(paid_to_date),
        "due_after_as_of": _money(due_after),
        "lawful_breakdown": {
            "principal_outstanding": _money(bal.principal),
            "interest_accrued": _money(bal.interest),
            "interest_paid": _money(bal.interest_paid),
            "principal_repaid": _money(bal.principal_paid),
        },
        "provisions": provisions,
        "notes": [n for n in notes if n],
        "unverified": unverified,
    }
