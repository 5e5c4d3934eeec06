"""Repayment schedules (等额本息, 等额本金, 先息后本, 一次性还本付息, 月费率分期) and their cash flows.

A ``ScheduleSpec`` describes a loan the way a lender advertises it: contracted amount, term in
months, a stated rate (annual, monthly or a monthly *fee* rate on the original principal), money
deducted up front (砍头息) and fees (service, membership 会员费, guarantee, insurance, 加速包 …).
``build_schedule`` turns it into the monthly table and the borrower's real cash flows, whose IRR
is the true APR.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from weiquan.errors import InputError
from weiquan.loans.apr import Apr, periodic_apr

Method = Literal["equal_installment", "equal_principal", "interest_only", "bullet", "flat_fee"]
METHOD_ZH: dict[str, str] = {
    "equal_installment": "等额本息",
    "equal_principal": "等额本金",
    "interest_only": "先息后本",
    "bullet": "一次性还本付息",
    "flat_fee": "等本等费（按月费率分期）",
}
FeeKind = Literal["service", "membership", "guarantee", "insurance", "accelerate", "other"]
FEE_ZH: dict[str, str] = {
    "service": "服务费",
    "membership": "会员费",
    "guarantee": "担保费",
    "insurance": "保险费",
    "accelerate": "加速包",
    "other": "其他费用",
}


class Fee(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: FeeKind = "other"
    name: str | None = None
    amount: float = Field(gt=0)
    when: Literal["upfront", "start", "monthly", "end"] | int = "upfront"
    # upfront: deducted from the money paid out; start: paid separately at disbursement;
    # monthly: every instalment; end: with the last instalment; int k: with instalment k (1-based)


class ScheduleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    principal: float = Field(gt=0, le=1e12)
    months: int = Field(ge=1, le=600)
    method: Method = "equal_installment"
    annual_rate: float | None = Field(default=None, ge=0, le=100)
    monthly_rate: float | None = Field(default=None, ge=0, le=10)
    monthly_fee_rate: float | None = Field(default=None, ge=0, le=10)  # flat_fee: fee on the original principal
    upfront_deduction: float = Field(default=0.0, ge=0)
    fees: list[Fee] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_rate(self) -> ScheduleSpec:
        given = [x for x in (self.annual_rate, self.monthly_rate, self.monthly_fee_rate) if x is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of annual_rate, monthly_rate, monthly_fee_rate")
        if self.method == "flat_fee" and self.monthly_fee_rate is None:
            raise ValueError("flat_fee needs monthly_fee_rate")
        if self.method != "flat_fee" and self.monthly_fee_rate is not None:
            raise ValueError("monthly_fee_rate is only for method flat_fee")
        for f in self.fees:
            if isinstance(f.when, int) and not 1 <= f.when <= self.months:
                raise ValueError(f"fee instalment {f.when} outside 1..{self.months}")
        upfront = self.upfront_deduction + sum(f.amount for f in self.fees if f.when == "upfront")
        if upfront >= self.principal:
            raise ValueError("money deducted up front is not less than the principal")
        return self

    @property
    def period_rate(self) -> float:
        if self.monthly_rate is not None:
            return self.monthly_rate
        if self.monthly_fee_rate is not None:
            return self.monthly_fee_rate
        assert self.annual_rate is not None
        return self.annual_rate / 12.0


def parse_spec(data: dict[str, object]) -> ScheduleSpec:
    try:
        return ScheduleSpec.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        loc = ".".join(str(x) for x in first["loc"]) or "input"
        raise InputError(
            f"分期参数有误：{loc}：{first['msg']}", f"bad schedule parameters: {loc}: {first['msg']}"
        ) from None


@dataclass(frozen=True)
class Row:
    period: int
    payment: float  # instalment incl. fees
    principal: float
    interest: float  # interest, or the monthly fee for flat_fee
    fees: float
    balance: float  # principal outstanding after this instalment


@dataclass
class Schedule:
    spec: ScheduleSpec
    rows: list[Row]
    received: float  # money actually paid out to the borrower
    flows: list[float]  # borrower's view by month: [received, −instalment_1, …]
    apr: Apr
    stated_annual_rate: float  # the nominal rate as advertised (period rate × 12)
    totals: dict[str, float] = field(default_factory=dict)

    @property
    def method_zh(self) -> str:
        return METHOD_ZH[self.spec.method]


def _base_rows(spec: ScheduleSpec) -> list[tuple[float, float]]:
    """(principal part, interest part) for each instalment, unrounded."""
    p, n, m = spec.principal, spec.months, spec.period_rate
    if spec.method == "equal_installment":
        denom = -math.expm1(-n * math.log1p(m))  # 1 − (1+m)^−n, accurate for tiny m
        pay = p / n if denom == 0 else p * m / denom
        out, bal = [], p
        for k in range(n):
            interest = bal * m
            princ = pay - interest if k < n - 1 else bal
            out.append((princ, interest))
            bal -= princ
        return out
    if spec.method == "equal_principal":
        part = p / n
        return [(part, (p - part * k) * m) for k in range(n)]
    if spec.method == "interest_only":
        return [(p if k == n - 1 else 0.0, p * m) for k in range(n)]
    if spec.method == "bullet":
        return [(0.0, 0.0)] * (n - 1) + [(p, p * m * n)]
    # flat_fee: equal principal plus a fixed fee on the original principal every month
    return [(p / n, p * m) for _ in range(n)]


def build_schedule(spec: ScheduleSpec) -> Schedule:
    n = spec.months
    base = _base_rows(spec)
    fee_at = [0.0] * (n + 1)  # index 0 = at disbursement (paid separately)
    deducted = spec.upfront_deduction
    for f in spec.fees:
        if f.when == "upfront":
            deducted += f.amount
        elif f.when == "start":
            fee_at[0] += f.amount
        elif f.when == "monthly":
            for k in range(1, n + 1):
                fee_at[k] += f.amount
        elif f.when == "end":
            fee_at[n] += f.amount
        else:
            fee_at[int(f.when)] += f.amount
    received = spec.principal - deducted
    rows, bal = [], spec.principal
    for k, (princ, interest) in enumerate(base, start=1):
        bal -= princ
        rows.append(Row(k, princ + interest + fee_at[k], princ, interest, fee_at[k], max(bal, 0.0)))
    flows = [received - fee_at[0]] + [-r.payment for r in rows]
    apr = periodic_apr(flows, 12)
    totals = {
        "principal": spec.principal,
        "received": received,
        "deducted_upfront": deducted,
        "interest": sum(r.interest for r in rows),
        "fees": sum(r.fees for r in rows) + fee_at[0] + (deducted - spec.upfront_deduction),
        "paid": sum(r.payment for r in rows) + fee_at[0],
    }
    totals["cost"] = totals["paid"] - received
    return Schedule(spec, rows, received, flows, apr, spec.period_rate * 12.0, totals)
