"""Loan checks attached to a case: run ``check_loan`` and keep the input and result in the ``loans`` table.

Used by the web UI, the action area (documents cite the verdict and amounts) and the report.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from weiquan.errors import InputError, NotFoundError
from weiquan.loans.calc import daily_to_annual, fee_rate_apr
from weiquan.loans.check import check_loan
from weiquan.services.cases import get_case_row
from weiquan.store.models import Loan
from weiquan.workspace import Workspace
from weiquan.zh.numerals import NUMERAL_CHARS, parse_money, parse_number, parse_rate, read_float


class LoanOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int
    lender: str | None = None
    legal_entity: str | None = None
    licence_type: str | None = None
    contract_date: dt.date | None = None
    principal: float | None = None
    apr: float | None = None
    verdict: str | None = None
    cash_flows: dict[str, Any]
    result: dict[str, Any]
    created_at: dt.datetime


def check_only(ws: Workspace, data: dict[str, Any], *, today: dt.date | None = None) -> dict[str, Any]:
    """Check a loan with the law pack of this data home (its imported LPR fixings included); nothing is stored."""
    return check_loan(data, pack=ws.law, today=today)


def add_loan(ws: Workspace, case_id: int, data: dict[str, Any], *, today: dt.date | None = None) -> LoanOut:
    """Check a loan (raises InputError on bad input, nothing stored) and store input + result on the case."""
    result = check_loan(data, pack=ws.law, today=today)
    entity = None
    if data.get("lender"):
        matches = ws.law.find_lender(str(data["lender"]), limit=1)
        if matches and matches[0].score >= 90 and matches[0].lender.entity:
            entity = matches[0].lender.entity
    with ws.db.session() as s:
        case = get_case_row(s, case_id)
        # the loan's lender type becomes the case's licence type when the case has none (issue 16 item 9)
        if not case.licence_type and data.get("lender_type"):
            case.licence_type = str(data["lender_type"])
            if entity and not case.lender_entity:
                case.lender_entity = entity
        if not case.lender_name and data.get("lender"):
            case.lender_name = str(data["lender"])
        row = Loan(
            case_id=case_id,
            lender=data.get("lender"),
            legal_entity=entity,
            licence_type=data["lender_type"],
            contract_date=dt.date.fromisoformat(result["contract_date"]),
            principal=float(result["principal"]),
            cash_flows=dict(data),
            apr=result["apr"],
            verdict=result["verdict"],
            result=result,
        )
        s.add(row)
        s.flush()
        out = LoanOut.model_validate(row)
    ws.vault.record("loan_checked", case_id=case_id, meta={"loan_id": out.id, "verdict": out.verdict})
    return out


def list_loans(ws: Workspace, case_id: int) -> list[LoanOut]:
    with ws.db.read_session() as s:
        get_case_row(s, case_id)
        rows = s.scalars(select(Loan).where(Loan.case_id == case_id).order_by(Loan.id)).all()
        return [LoanOut.model_validate(r) for r in rows]


def recheck_loan(ws: Workspace, loan_id: int, *, as_of: dt.date | None = None) -> LoanOut:
    """Re-run the check of a stored loan (e.g. at a later date or after an LPR update) and store the new result."""
    with ws.db.session() as s:
        row = s.get(Loan, loan_id)
        if row is None:
            raise NotFoundError(f"借款记录 {loan_id} 不存在", f"loan {loan_id} does not exist")
        data = dict(row.cash_flows)
        if as_of is not None:
            data["as_of"] = as_of.isoformat()
        result = check_loan(data, pack=ws.law)
        row.cash_flows = data
        row.apr = result["apr"]
        row.verdict = result["verdict"]
        row.result = result
        s.flush()
        return LoanOut.model_validate(row)


# -- the web's loan form and the quick rate calculators (the form turned into the check_loan description)

_NUMERAL = "[" + re.escape(NUMERAL_CHARS) + ",]"  # 1,100.50, 一千一, 1.1万 (read by zh.numerals.parse_money)
_LINE = re.compile(
    r"^\s*(\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2}|\d{4}\.\d{1,2}\.\d{1,2})\s+("
    + _NUMERAL
    + r"+)\s*(元|块钱|块)?\s*(未还|待还|unpaid)?\s*$"
)


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
            raise InputError(
                f"还款第 {n} 行看不懂：“{raw.strip()[:40]}”。请写成“2025-02-01 1100”，还没还的在后面加“未还”。",
                f"repayment line {n} not understood; write 'YYYY-MM-DD amount [未还]'",
            )
        amount = parse_money(m.group(2))  # 1100, 1,100.50, 一千一, 1.1万
        if amount is None:
            raise InputError(
                f"还款第 {n} 行的金额看不懂：“{m.group(2)}”。请写成“1100”或“一千一百”。",
                f"repayment line {n}: amount not understood",
            )
        out.append({"date": _date(m.group(1)), "amount": float(amount), "paid": m.group(4) is None})
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
        "disbursed": [
            {
                "date": _date(form.received_date) if form.received_date.strip() else contract,
                "amount": form.received.strip().replace(",", ""),
            }
        ],
        "repayments": parse_repayment_lines(form.repayments),
    }


def check_form(ws: Workspace, form: LoanForm) -> dict[str, Any]:
    return check_only(ws, loan_from_form(form))


def parse_quick_number(text: str | None, what: str, *, upper: float, integer: bool = False) -> float | None:
    """A number typed in a quick-conversion field ("0.05", "０.０５", "0.05%", "1,5" as 1.5, "万分之五", "十二");
    None when empty."""
    t = unicodedata.normalize("NFKC", text or "").strip().rstrip("%％").strip().replace("，", ".")
    if not t:
        return None
    if t.count(",") == 1 and "." not in t:
        t = t.replace(",", ".")
    v = read_float(t, parse_rate, parse_number)  # 万分之五 -> 0.05 (percent); 十二 (months), 零点零五
    if v is None:
        raise InputError(f"{what}应是一个数字，例如 {'12' if integer else '0.05'}", f"{what}: not a number: {text}")
    if integer and v != int(v):
        raise InputError(f"{what}应是整数", f"{what}: not an integer: {text}")
    if not (0 < v <= upper) if integer else not (0 <= v <= upper):
        raise InputError(f"{what}应在 {1 if integer else 0} 到 {upper:g} 之间", f"{what} out of range: {text}")
    return v


class QuickRates(BaseModel):
    daily: dict[str, float] | None = None
    fee: dict[str, float] | None = None


def quick_rates(
    daily_percent: float | None = None, monthly_fee_percent: float | None = None, months: int = 12
) -> QuickRates:
    """日利率 → 年化; 每月手续费率 → 真实年化 (percent in, fractions out)."""
    out = QuickRates()
    if daily_percent is not None:
        r = daily_to_annual(daily_percent / 100)
        out.daily = {
            "nominal_annual": r.nominal_annual,
            "effective_annual": r.effective_annual,
            "per_10000_per_day": r.per_10000_per_day,
        }
    if monthly_fee_percent is not None:
        f = fee_rate_apr(monthly_fee_percent / 100, months)
        out.fee = {
            "nominal_annual": f.nominal_annual,
            "apr": f.apr,
            "effective_annual": f.effective_annual,
            "months": months,
        }
    return out
