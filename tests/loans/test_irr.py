"""Root finder, XIRR and schedule APR: property tests against known rates and brute force."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from weiquan.loans.apr import periodic_apr, xirr
from weiquan.loans.irr import AmbiguousRate, NoRate, npv, solve_rate
from weiquan.loans.schedule import build_schedule, parse_spec

D0 = dt.date(2025, 1, 1)


@settings(max_examples=150, deadline=None)
@given(
    rate=st.floats(min_value=0.0, max_value=2.0),
    months=st.integers(min_value=1, max_value=60),
    principal=st.floats(min_value=100, max_value=1e7),
    method=st.sampled_from(["equal_installment", "equal_principal", "interest_only"]),
)
def test_schedule_apr_returns_the_rate(rate, months, principal, method):
    """Interest charged at r/12 on the outstanding balance: the IRR × 12 is exactly r."""
    s = build_schedule(parse_spec({"principal": principal, "months": months, "method": method, "annual_rate": rate}))
    assert s.apr.apr == pytest.approx(rate, abs=1e-6)
    assert sum(r.principal for r in s.rows) == pytest.approx(principal, rel=1e-9)


@settings(max_examples=150, deadline=None)
@given(
    daily=st.floats(min_value=-0.002, max_value=0.05),
    principal=st.floats(min_value=100, max_value=1e6),
    gaps=st.lists(st.integers(min_value=1, max_value=120), min_size=1, max_size=24),
    weights=st.lists(st.floats(min_value=0.05, max_value=1.0), min_size=24, max_size=24),
)
def test_xirr_returns_known_daily_rate(daily, principal, gaps, weights):
    """Dated repayments whose present value at a known daily rate equals the amount received."""
    days = [sum(gaps[: i + 1]) for i in range(len(gaps))]
    w = weights[: len(days)]
    pv_unit = sum(wi * (1 + daily) ** (-d) for wi, d in zip(w, days))
    scale = principal / pv_unit
    flows = [(D0, principal)] + [(D0 + dt.timedelta(days=d), -wi * scale) for wi, d in zip(w, days)]
    a = xirr(flows)
    assert a.periodic_rate == pytest.approx(daily, abs=1e-9)
    assert a.apr == pytest.approx(daily * 365, abs=1e-6)
    assert a.effective_annual_rate == pytest.approx((1 + daily) ** 365 - 1, rel=1e-6, abs=1e-9)


def _brute_bisection(flows: list[tuple[int, float]]) -> float:
    """Independent reference: plain bisection on the NPV in the daily rate, no tricks."""
    lo, hi = -0.5, 1.0
    flo = npv(flows, lo)
    for _ in range(300):
        mid = (lo + hi) / 2
        fm = npv(flows, mid)
        if (fm > 0) == (flo > 0):
            lo, flo = mid, fm
        else:
            hi = mid
    return (lo + hi) / 2


@settings(max_examples=150, deadline=None)
@given(
    received=st.lists(st.floats(min_value=10, max_value=1e5), min_size=1, max_size=3),
    paid=st.lists(st.floats(min_value=10, max_value=1e5), min_size=1, max_size=12),
    gap=st.integers(min_value=1, max_value=60),
)
def test_xirr_matches_brute_force(received, paid, gap):
    flows = [(i, r) for i, r in enumerate(received)]
    start = len(received) - 1 + gap
    flows += [(start + gap * j, -p) for j, p in enumerate(paid)]
    ref_lo, ref_hi = npv(flows, -0.5), npv(flows, 1.0)
    assume((ref_lo > 0) != (ref_hi > 0))  # the reference bracket contains the root
    dated = [(D0 + dt.timedelta(days=t), a) for t, a in flows]
    assert xirr(dated).periodic_rate == pytest.approx(_brute_bisection(flows), abs=1e-10)


@settings(max_examples=100, deadline=None)
@given(
    rate=st.floats(min_value=0.0, max_value=0.5),
    months=st.integers(min_value=1, max_value=36),
    fee1=st.floats(min_value=1, max_value=500),
    fee2=st.floats(min_value=1, max_value=500),
    when=st.sampled_from(["upfront", "start", "monthly", "end"]),
)
def test_apr_monotonic_in_fees(rate, months, fee1, fee2, when):
    lo, hi = sorted((fee1, fee2))
    assume(hi - lo > 1e-3)
    base = {"principal": 10000, "months": months, "method": "equal_installment", "annual_rate": rate}
    a0 = build_schedule(parse_spec(base)).apr.apr
    a1 = build_schedule(parse_spec({**base, "fees": [{"kind": "membership", "amount": lo, "when": when}]})).apr.apr
    a2 = build_schedule(parse_spec({**base, "fees": [{"kind": "membership", "amount": hi, "when": when}]})).apr.apr
    assert a0 < a1 < a2


def test_no_rate_when_never_repaid():
    with pytest.raises(NoRate) as e:
        solve_rate([(0, 1000.0), (30, 0.0)])
    assert "没有任何还款" in e.value.zh
    with pytest.raises(NoRate):
        solve_rate([(0, -1000.0), (30, -10.0)])
    with pytest.raises(NoRate):
        solve_rate([(0, 1000.0), (0, -1100.0)])


def test_several_rates_are_reported():
    # +100, −230, +132: NPV·(1+r)² = 100(1+r)² − 230(1+r) + 132 → 1+r = 1.1 or 1.2
    with pytest.raises(AmbiguousRate) as e:
        solve_rate([(0, 100.0), (1, -230.0), (2, 132.0)])
    assert "不唯一" in e.value.zh and "0.1" in e.value.en and "0.2" in e.value.en


def test_two_sign_changes_with_unique_root():
    r = solve_rate([(0, 1000.0), (1, -500.0), (2, 100.0), (3, -700.0)])
    assert r.sign_changes == 3
    assert npv([(0, 1000.0), (1, -500.0), (2, 100.0), (3, -700.0)], r.per_period) == pytest.approx(0, abs=1e-7)


def test_periodic_apr_simple():
    a = periodic_apr([1000.0, -1010.0])
    assert a.periodic_rate == pytest.approx(0.01) and a.apr == pytest.approx(0.12)
    assert a.effective_annual_rate == pytest.approx(1.01**12 - 1)
    assert math.isfinite(xirr([(D0, 8000.0), (D0 + dt.timedelta(days=7), -10000.0)]).apr)


@settings(max_examples=100, deadline=None)
@given(
    received=st.floats(min_value=100, max_value=1e6),
    simple=st.floats(min_value=0.001, max_value=5.0),
    days=st.integers(min_value=1, max_value=1500),
)
def test_simple_rate_of_bullet_loan(received, simple, days):
    """One disbursement, one repayment R: the simple annual rate is (R/P − 1) · 365/days."""
    from weiquan.loans.legality import simple_annual_rate
    from weiquan.loans.model import Flow

    repay = received * (1 + simple * days / 365)
    got = simple_annual_rate([Flow(D0, received)], [Flow(D0 + dt.timedelta(days=days), repay)])
    assert got == pytest.approx(simple, rel=1e-9, abs=1e-12)
