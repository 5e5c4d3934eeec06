"""The loan-check form of the web UI turned into the ``check_loan`` description, and the small calculators."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from pydantic import BaseModel

from weiquan.errors import InputError
from weiquan.loans.calc import daily_to_annual, fee_rate_apr
from weiquan.services.loans import check_only
from weiquan.workspace import Workspace

_LINE = re.compile(r"^\s*(\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2}|\d{4}\.\d{1,2}\.\d{1,2})\s+([0-9][0-9,]*(?:\.\d+)?)\s*(元)?\s*(未还|待还|unpaid)?\s*$")


class LoanForm(BaseModel):
    lender: str = ""
    lender_type: str
    contract_date: str
    principal: str  # 合同金额
    received: str  # 实际到手
    received_date: str = ""  # 到手日期 (default: contract date)
    repayments: str  # one "日期 金额 [未还]" per line


def _date(value: str) -> str:
    v = value.strip().replace("/", "-").replace(".", "-")
    try:
        y, m, d = (int(x) for x in v.split("-"))
        return dt.date(y, m, d).isoformat()
    except ValueError:
        raise InputError(f"日期格式不对：{value}（例如 2025-01-31）", f"bad date: {value} (e.g. 2025-01-31)") from None


def parse_repayment_lines(text: str) -> list[dict[str, Any]]:
    """``2025-02-01 1100`` per line (``未还`` at the end for an amount still due) → check_loan repayments."""
    out = []
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        m = _LINE.match(raw.replace("，", " ").replace(",", ""))
        if m is None:
            raise InputError(f"还款第 {n} 行看不懂：“{raw.strip()[:40]}”。请写成“2025-02-01 1100”，还没还的在后面加“未还”。",
                             f"repayment line {n} not understood; write 'YYYY-MM-DD amount [未还]'")
        out.append({"date": _date(m.group(1)), "amount": float(m.group(2)), "paid": m.group(4) is None})
    if not out:
        raise InputError("请至少填一笔还款（已还或应还）", "enter at least one repayment (paid or due)")
    return out


def loan_from_form(form: LoanForm) -> dict[str, Any]:
    contract = _date(form.contract_date)
    return {
        "lender": form.lender.strip() or None,
        "lender_type": form.lender_type,
        "contract_date": contract,
        "principal": form.principal.strip().replace(",", ""),
        "disbursed": [{"date": _date(form.received_date) if form.received_date.strip() else contract,
                       "amount": form.received.strip().replace(",", "")}],
        "repayments": parse_repayment_lines(form.repayments),
    }


def check_form(ws: Workspace, form: LoanForm) -> dict[str, Any]:
    return check_only(ws, loan_from_form(form))


def parse_quick_number(text: str | None, what: str, *, upper: float, integer: bool = False) -> float | None:
    """A number typed in a quick-conversion field ("0.05", "０.０５", "0.05%", "1,5" as 1.5); None when empty."""
    t = unicodedata.normalize("NFKC", text or "").strip().rstrip("%％").strip().replace("，", ".")
    if not t:
        return None
    if t.count(",") == 1 and "." not in t:
        t = t.replace(",", ".")
    try:
        v = float(t)
    except ValueError:
        raise InputError(f"{what}应是一个数字，例如 {'12' if integer else '0.05'}", f"{what}: not a number: {text}") from None
    if integer and v != int(v):
        raise InputError(f"{what}应是整数", f"{what}: not an integer: {text}")
    if not (0 < v <= upper) if integer else not (0 <= v <= upper):
        raise InputError(f"{what}应在 {1 if integer else 0} 到 {upper:g} 之间", f"{what} out of range: {text}")
    return v


class QuickRates(BaseModel):
    daily: dict[str, float] | None = None
    fee: dict[str, float] | None = None


def quick_rates(daily_percent: float | None = None, monthly_fee_percent: float | None = None, months: int = 12) -> QuickRates:
    """日利率 → 年化; 每月手续费率 → 真实年化 (percent in, fractions out)."""
    out = QuickRates()
    if daily_percent is not None:
        r = daily_to_annual(daily_percent / 100)
        out.daily = {"nominal_annual": r.nominal_annual, "effective_annual": r.effective_annual,
                     "per_10000_per_day": r.per_10000_per_day}
    if monthly_fee_percent is not None:
        f = fee_rate_apr(monthly_fee_percent / 100, months)
        out.fee = {"nominal_annual": f.nominal_annual, "apr": f.apr, "effective_annual": f.effective_annual, "months": months}
    return out
