"""The loan-check results of a case, in figures and 人民币大写, as the documents print them."""

from __future__ import annotations

from functools import cache
from typing import Any

from weiquan.act.facts import CaseFacts
from weiquan.act.policy import _load
from weiquan.zh.format import date_zh, money_zh


@cache
def _card_words() -> tuple[str, ...]:
    return tuple(_load("loan_words.yaml")["credit_card_words"])


def loan_views(facts: CaseFacts) -> list[dict[str, Any]]:
    """The loan-check results (``weiquan.loans.check_loan`` keys) in figures and 人民币大写."""
    out = []
    for loan in facts.loans:
        r = loan.result or {}

        def amount(key: str, r: dict[str, Any] = r) -> str:
            v = r.get(key)
            return money_zh(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else ""

        upfront = r.get("upfront_deduction")
        excess = r.get("excess_paid")
        exceeded = [c for c in (r.get("caps") or []) if isinstance(c, dict) and c.get("exceeded")]

        def plain(key: str, r: dict[str, Any] = r) -> str:
            v = r.get(key)
            return f"{v:,.2f}元" if isinstance(v, (int, float)) and not isinstance(v, bool) else ""

        # the figures in one short clause for a web form's length limit: "实际到手2,100.00元（合同金额3,000.00元，
        # 砍头息900.00元），年化利率约1,908%"
        inner = "，".join(
            x
            for x in (
                f"合同金额{plain('principal')}" if plain("principal") else "",
                f"砍头息{plain('upfront_deduction')}" if isinstance(upfront, (int, float)) and upfront > 0.005 else "",
            )
            if x
        )
        short = (f"实际到手{plain('received')}" if plain("received") else "") + (f"（{inner}）" if inner else "")
        if isinstance(r.get("apr"), (int, float)):
            short += f"，年化利率约{r['apr'] * 100:,.0f}%"
        card = any(w in f"{loan.lender or ''}{loan.legal_entity or ''}" for w in _card_words())
        # a licensed lender whose rate no legal cap reaches: the rate is not in dispute, so the documents do not
        # tell the creditor it is lawful (a verdict to the party whose fees the letter asks to check), and the
        # police report and the 起诉状 (about conduct, not the debt) leave the loan out
        within = r.get("lawful_basis") == "contract" and not r.get("possibly_void")
        out.append(
            {
                "credit_card": card,  # 信用卡欠款: no 借款期限, no 合同日期
                "within_caps": within,
                "short_zh": short,  # the figures in one short clause, for a web form's length limit
                "lender": loan.lender,
                "entity": loan.legal_entity,
                "contract_date": date_zh(loan.contract_date),
                "principal": money_zh(loan.principal) if loan.principal else "",
                "received": amount("received"),
                "upfront": amount("upfront_deduction") if isinstance(upfront, (int, float)) and upfront > 0.005 else "",
                "term_days": r.get("term_days"),
                "apr": loan.apr if loan.apr is not None else r.get("apr"),
                "simple_rate": r.get("simple_annual_rate"),
                "verdict": loan.verdict or r.get("verdict"),
                "verdict_zh": r.get("verdict_zh"),
                "licence_zh": r.get("lender_type_zh"),
                # no figure "owed by law" where no legal cap governs it (a licensed lender below the line a court may
                # reduce to: ``lawful_basis == "contract"``): it would be the contract rate run forward, and in a
                # letter to the creditor it reads as an acknowledgement of the amount (民法典 Art. 195)
                "lawful_owed": "" if r.get("lawful_basis") == "contract" else amount("lawful_amount_owed"),
                "lawful_label": r.get("lawful_label_zh") or "按法律保护的利率估算应还",
                "excess_label": r.get("excess_label_zh") or "估算多付",
                "excess_paid": amount("excess_paid") if isinstance(excess, (int, float)) and excess > 0.005 else "",
                "paid": amount("paid_to_date"),
                "as_of": date_zh(r.get("as_of")) if r.get("as_of") else "",
                "caps_exceeded": [
                    {"name": c.get("name"), "rate": c.get("rate"), "confidence": c.get("confidence")} for c in exceeded
                ],
                "short_term": "short_term_upfront" in (r.get("flags") or []),
                # unlicensed lender: possibly void (民间借贷规定 Art. 13(3)); owed: the money received (民法典 Art. 157)
                "void": (r.get("possibly_void") or {})
                and {
                    "received": money_zh(r["possibly_void"]["received"]),
                    "outstanding": money_zh(r["possibly_void"]["principal_outstanding"]),
                    "citations": r["possibly_void"]["citations"],
                },
                "provisions": [str(p) for p in (r.get("provisions") or [])],
            }
        )
    return out
