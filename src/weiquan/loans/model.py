"""The loan description accepted by ``check_loan`` / ``weiquan loan check``, validated with bilingual errors."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from weiquan.errors import InputError
from weiquan.zh.labels import LICENCE_TYPES
from weiquan.zh.numerals import parse_money, read_float


@dataclass(frozen=True)
class Flow:
    date: dt.date
    amount: float  # always positive
    paid: bool | None = True  # repayments only: False = due, not yet paid; None = decide by as_of


@dataclass(frozen=True)
class LoanInput:
    lender: str | None
    lender_type: str
    contract_date: dt.date
    principal: float
    disbursed: tuple[Flow, ...]
    repayments: tuple[Flow, ...]
    as_of: dt.date

    @property
    def received(self) -> float:
        return sum(f.amount for f in self.disbursed)

    @property
    def upfront_deduction(self) -> float:
        return max(0.0, self.principal - self.received)

    def borrower_flows(self) -> list[tuple[dt.date, float]]:
        """Received positive, repaid negative, in date order (all repayments, paid or due)."""
        out = [(f.date, f.amount) for f in self.disbursed] + [(f.date, -f.amount) for f in self.repayments]
        return sorted(out, key=lambda x: x[0])


def _date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError(
        f"“{field}”日期格式错误：{value!r}（应为 YYYY-MM-DD）", f"{field}: bad date {value!r} (want YYYY-MM-DD)"
    )


def _amount(value: Any, field: str, *, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InputError(f"“{field}”金额必须是数字：{value!r}", f"{field}: amount must be a number, got {value!r}")
    v = read_float(value, parse_money) if isinstance(value, str) else float(value)  # 三千六百元, 1.2万, 一万二
    if v is None:
        raise InputError(f"“{field}”金额必须是数字：{value!r}", f"{field}: amount must be a number, got {value!r}")
    if not math.isfinite(v):
        raise InputError(f"“{field}”金额无效：{value!r}", f"{field}: invalid amount {value!r}")
    if v < 0:
        raise InputError(f"“{field}”金额不能为负数：{v}", f"{field}: amount must not be negative: {v}")
    if v == 0 and not allow_zero:
        raise InputError(f"“{field}”金额必须大于0", f"{field}: amount must be greater than 0")
    if v > 1e12:
        raise InputError(f"“{field}”金额过大：{v}", f"{field}: amount too large: {v}")
    return v


def _flows(value: Any, field: str, *, with_paid: bool) -> tuple[Flow, ...]:
    if not isinstance(value, list):
        raise InputError(
            f'“{field}”必须是列表，如 [{{"date": "2025-01-01", "amount": 1000}}]',
            f"{field} must be a list of {{date, amount}}",
        )
    out = []
    for i, row in enumerate(value, start=1):
        where = f"{field}[{i}]"
        if not isinstance(row, dict) or "date" not in row or "amount" not in row:
            raise InputError(f"“{where}”必须包含 date 和 amount", f"{where} needs date and amount")
        paid = row.get("paid")
        if with_paid and paid is not None and not isinstance(paid, bool):
            raise InputError(f"“{where}.paid”必须是 true 或 false", f"{where}.paid must be true or false")
        out.append(
            Flow(
                _date(row["date"], f"{where}.date"),
                _amount(row["amount"], f"{where}.amount"),
                paid if with_paid else True,
            )
        )
    return tuple(sorted(out, key=lambda f: f.date))


def parse_loan(data: dict[str, Any], *, today: dt.date | None = None) -> LoanInput:
    """Validate a loan description (see docs/loans.md). Raises InputError (exit 2) on bad input."""
    if not isinstance(data, dict):
        raise InputError("借款描述必须是 JSON 对象。", "the loan description must be a JSON object")
    known = {"lender", "lender_type", "contract_date", "principal", "disbursed", "repayments", "as_of"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InputError(f"未知字段：{', '.join(unknown)}", f"unknown fields: {', '.join(unknown)}")
    for key in ("lender_type", "contract_date", "principal", "disbursed", "repayments"):
        if key not in data:
            raise InputError(f"缺少字段“{key}”", f"missing field {key!r}")
    lt = data["lender_type"]
    if lt not in LICENCE_TYPES:
        raise InputError(
            f"“lender_type”必须是 {' | '.join(LICENCE_TYPES)} 之一，收到 {lt!r}",
            f"lender_type must be one of {', '.join(LICENCE_TYPES)}, got {lt!r}",
        )
    lender = data.get("lender")
    if lender is not None and not isinstance(lender, str):
        raise InputError("“lender”必须是文字。", "lender must be a string")
    contract_date = _date(data["contract_date"], "contract_date")
    principal = _amount(data["principal"], "principal")
    disbursed = _flows(data["disbursed"], "disbursed", with_paid=False)
    repayments = _flows(data["repayments"], "repayments", with_paid=True)
    if not disbursed:
        raise InputError(
            "“disbursed”为空：至少需要一笔到手金额。", "disbursed is empty: at least one amount received is needed"
        )
    if not repayments:
        raise InputError(
            "“repayments”为空：从未还款的借款无法计算年化利率，请列出已还或应还的款项。",
            "repayments is empty: a loan that is never repaid has no APR; list the amounts paid or due",
        )
    received = sum(f.amount for f in disbursed)
    if received > principal * (1 + 1e-9):
        raise InputError(
            f"到手金额合计（{received:.2f}）大于合同本金（{principal:.2f}），请检查。",
            f"total received ({received:.2f}) exceeds the contracted principal ({principal:.2f})",
        )
    if disbursed[0].date < contract_date:
        raise InputError(
            f"放款日期（{disbursed[0].date}）早于合同日期（{contract_date}），日期顺序有误。",
            f"disbursement date ({disbursed[0].date}) is before the contract date ({contract_date}): dates out of order",
        )
    if repayments[0].date < disbursed[0].date:
        raise InputError(
            f"还款日期（{repayments[0].date}）早于首次放款日期（{disbursed[0].date}），日期顺序有误。",
            f"a repayment ({repayments[0].date}) is before the first disbursement ({disbursed[0].date}): dates out of order",
        )
    if repayments[-1].date <= disbursed[0].date:
        raise InputError(
            "所有还款都与放款在同一天，无法计算年化利率。", "all repayments fall on the disbursement day; no APR exists"
        )
    as_of = _date(data["as_of"], "as_of") if data.get("as_of") is not None else (today or dt.date.today())
    if as_of < contract_date:
        raise InputError(
            f"计算日（{as_of}）早于合同日期（{contract_date}）。",
            f"as_of ({as_of}) is before the contract date ({contract_date})",
        )
    resolved = []
    for f in repayments:
        if f.paid is None:
            resolved.append(Flow(f.date, f.amount, f.date <= as_of))
        elif f.paid and f.date > as_of:
            raise InputError(
                f"标为已还的款项（{f.date}）晚于计算日（{as_of}），日期顺序有误。",
                f"a repayment marked paid ({f.date}) is after as_of ({as_of}): dates out of order",
            )
        else:
            resolved.append(f)
    return LoanInput(lender, lt, contract_date, principal, disbursed, tuple(resolved), as_of)
