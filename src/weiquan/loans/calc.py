"""Everyday calculators borrowers ask about.

- "年利率3.85%，借1万一年多少钱"  → :func:`simple_interest`
- "日息0.05%是多少年化"            → :func:`daily_to_annual`
- "综合年化24%每月还多少"          → :func:`compare_methods` (等额本息 vs 等额本金 tables)
- "月费率0.75%的分期实际年化是多少" → :func:`fee_rate_apr` (名义利率 vs 实际年化)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from weiquan.errors import InputError
from weiquan.loans.schedule import Schedule, build_schedule, parse_spec


def _positive(x: float, name_zh: str, name: str) -> None:
    if not math.isfinite(x) or x <= 0:
        raise InputError(f"{name_zh}必须大于0：{x}", f"{name} must be greater than 0: {x}")


def _rate(x: float, name_zh: str, name: str, *, upper: float) -> None:
    if not math.isfinite(x) or x < 0 or x > upper:
        raise InputError(f"{name_zh}超出范围：{x}", f"{name} out of range: {x}")


@dataclass(frozen=True)
class SimpleInterest:
    amount: float
    annual_rate: float
    days: int
    interest: float
    total: float


def simple_interest(amount: float, annual_rate: float, *, days: int = 365, day_count: int = 365) -> SimpleInterest:
    """Simple interest on ``amount`` for ``days`` days (bullet loan: 到期一次性还本付息)."""
    _positive(amount, "金额", "amount")
    _rate(annual_rate, "年利率", "annual_rate", upper=100)
    if days <= 0:
        raise InputError(f"天数必须大于0：{days}", f"days must be greater than 0: {days}")
    interest = amount * annual_rate * days / day_count
    return SimpleInterest(amount, annual_rate, days, interest, amount + interest)


@dataclass(frozen=True)
class DailyToAnnual:
    daily_rate: float
    nominal_annual: float  # daily × 365 (what lenders usually quote, simple)
    effective_annual: float  # (1 + daily)^365 − 1 (if interest compounded daily)
    per_10000_per_day: float


def daily_to_annual(daily_rate: float, *, days_per_year: int = 365) -> DailyToAnnual:
    _rate(daily_rate, "日利率", "daily_rate", upper=1)
    eff = math.expm1(days_per_year * math.log1p(daily_rate))
    return DailyToAnnual(daily_rate, daily_rate * days_per_year, eff, 10000 * daily_rate)


@dataclass(frozen=True)
class FeeRateApr:
    monthly_fee_rate: float
    months: int
    nominal_annual: float  # monthly fee × 12: the advertised "年化"
    apr: float  # IRR × 12: the real APR
    effective_annual: float
    schedule: Schedule


def fee_rate_apr(monthly_fee_rate: float, months: int, *, principal: float = 10000.0) -> FeeRateApr:
    """An instalment plan charging a monthly fee on the *original* principal: real APR ≈ 1.8× the nominal."""
    _rate(monthly_fee_rate, "月费率", "monthly_fee_rate", upper=1)
    s = build_schedule(
        parse_spec(
            {"principal": principal, "months": months, "method": "flat_fee", "monthly_fee_rate": monthly_fee_rate}
        )
    )
    return FeeRateApr(monthly_fee_rate, months, monthly_fee_rate * 12, s.apr.apr, s.apr.effective_annual_rate, s)


def compare_methods(principal: float, annual_rate: float, months: int) -> dict[str, Schedule]:
    """等额本息 vs 等额本金 (and 先息后本, 一次性还本付息) for the same principal, rate and term."""
    _positive(principal, "金额", "principal")
    return {
        m: build_schedule(
            parse_spec({"principal": principal, "months": months, "method": m, "annual_rate": annual_rate})
        )
        for m in ("equal_installment", "equal_principal", "interest_only")
    }
