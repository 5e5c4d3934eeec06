"""APR of real cash flows: XIRR for dated flows, periodic IRR for a regular schedule."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from weiquan.loans.irr import solve_rate

DAYS_PER_YEAR = 365


@dataclass(frozen=True)
class Apr:
    apr: float  # nominal: periodic IRR × periods per year
    effective_annual_rate: float  # (1 + periodic IRR)^(periods per year) − 1
    periodic_rate: float
    periods_per_year: int
    method: str  # "xirr_daily" | "irr_monthly"


def _effective(rate: float, n: int) -> float:
    """(1+rate)^n − 1 without overflow (returns inf when astronomically large)."""
    try:
        return math.expm1(n * math.log1p(rate))
    except OverflowError:
        return math.inf


def xirr(flows: Sequence[tuple[dt.date, float]]) -> Apr:
    """Dated flows (borrower's view: received +, paid −) → daily IRR × 365 and effective annual rate."""
    t0 = min(d for d, _ in flows)
    r = solve_rate([((d - t0).days, a) for d, a in flows])
    return Apr(
        r.per_period * DAYS_PER_YEAR, _effective(r.per_period, DAYS_PER_YEAR), r.per_period, DAYS_PER_YEAR, "xirr_daily"
    )


def periodic_apr(amounts: Sequence[float], periods_per_year: int = 12) -> Apr:
    """A regular schedule: ``amounts[k]`` at period k (k = 0 is the disbursement) → IRR × periods per year."""
    r = solve_rate(list(enumerate(amounts)))
    return Apr(
        r.per_period * periods_per_year,
        _effective(r.per_period, periods_per_year),
        r.per_period,
        periods_per_year,
        "irr_monthly",
    )
