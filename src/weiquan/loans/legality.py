"""Caps, verdict and the lawfully owed amount of a loan, from the law pack's interest rules.

The lawful model follows the rules in ``law/cn/interest.yaml``: the principal is the money actually
received (砍头息 rule), interest is simple interest on the outstanding principal at the lower of the
loan's own rate and the enforceable cap (day count 365), and each payment settles accrued interest
first, then principal; anything paid beyond that is ``excess_paid``.

Where a cap is a *refund line* above the enforceable cap (the 2015 rules: interest between 24 % and
36 % could not be enforced, but once paid it was not refundable), payments settle interest accrued up
to the refund line, while what is still owed counts only interest up to the enforceable cap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from weiquan.law.pack import LawPack
from weiquan.law.schema import Cap, Regime
from weiquan.loans.model import Flow


@dataclass(frozen=True)
class AppliedCap:
    cap: Cap
    rate: float
    period: str  # "all" | "before:YYYY-MM-DD" | "from:YYYY-MM-DD"
    lpr_date: dt.date | None
    lpr_stale: bool

    def to_dict(self, compared: float) -> dict[str, object]:
        return {
            "id": self.cap.id,
            "name": self.cap.name_zh,
            "rate": round(self.rate, 6),
            "source": self.cap.source,
            "confidence": self.cap.confidence,
            "confidence_zh": {"verified": "已核实", "single-source": "单一来源", "unverified": "未核实"}[
                self.cap.confidence
            ],
            "interpretation": self.cap.interpretation,
            "enforceable": self.cap.enforceable,
            "period": self.period,
            "lpr_date": self.lpr_date.isoformat() if self.lpr_date else None,
            "effect": self.cap.effect_zh,
            "exceeded": compared > self.rate + 1e-9,
        }


def applicable_caps(
    pack: LawPack, lender_type: str, contract_date: dt.date, filing_date: dt.date
) -> tuple[Regime, list[AppliedCap]]:
    regime = pack.regime_for(lender_type, contract_date)
    caps = pack.caps
    period = f"before:{regime.transition_from.isoformat()}" if regime.transition_from else "all"
    out = []
    for cid in regime.caps:
        out.append(_apply(pack, caps[cid], period, contract_date, filing_date))
    # the cap from the transition date on (民间借贷规定 Art. 31) only matters when the loan is checked after it;
    # before it, there may not even be an LPR to compute it with (the first fixing is 2019-08-20)
    if regime.transition_cap and regime.transition_from and filing_date >= regime.transition_from:
        out.append(
            _apply(
                pack,
                caps[regime.transition_cap],
                f"from:{regime.transition_from.isoformat()}",
                contract_date,
                filing_date,
            )
        )
    return regime, out


def _apply(pack: LawPack, cap: Cap, period: str, contract_date: dt.date, filing_date: dt.date) -> AppliedCap:
    if cap.kind == "fixed":
        return AppliedCap(cap, pack.cap_rate(cap, contract_date=contract_date), period, None, False)
    on = contract_date if cap.lpr_at == "contract" else max(filing_date, contract_date)
    info = pack.lpr_fixing_on(on)
    return AppliedCap(
        cap, pack.cap_rate(cap, contract_date=contract_date, filing_date=filing_date), period, on, info.stale
    )


def verdict_for(pack: LawPack, applied: Sequence[AppliedCap], rate: float) -> str:
    ranks = {v.code: v.rank for v in pack.interest_rules.verdicts}
    exceeded = [a for a in applied if rate > a.rate + 1e-9]
    if not exceeded:
        return "lawful"
    return max(exceeded, key=lambda a: (ranks[a.cap.verdict], a.rate)).cap.verdict


def lawful_segments(
    regime: Regime, applied: Sequence[AppliedCap], loan_rate: float, *, settle: bool = False
) -> list[tuple[dt.date, float]]:
    """(start date, annual rate) steps of the lawful interest rate: the loan's own rate capped by the
    lowest enforceable cap of each period. With ``settle``: the rate up to which interest already paid
    stands, i.e. a refund-line cap where the period has one, else the same enforceable cap."""

    def lowest(period_prefix: str) -> float | None:
        in_period = [a for a in applied if a.period.startswith(period_prefix)]
        rates = [a.rate for a in in_period if a.cap.refund_line] if settle else []
        rates = rates or [a.rate for a in in_period if a.cap.enforceable]
        return min(rates) if rates else None

    base = lowest("all") if not regime.transition_from else lowest("before")
    r0 = loan_rate if base is None else min(loan_rate, base)
    segs = [(dt.date.min, max(r0, 0.0))]
    if regime.transition_from:
        later = lowest("from")
        if later is not None:
            segs.append((regime.transition_from, max(min(loan_rate, later), 0.0)))
    return segs


@dataclass
class Balance:
    principal: float = 0.0
    interest: float = 0.0  # accrued, unpaid and claimable (at the lawful rate)
    excess: float = 0.0
    interest_paid: float = 0.0
    principal_paid: float = 0.0
    paid: float = 0.0
    settleable: float = 0.0  # accrued and unpaid at the rate up to which payments of interest stand

    @property
    def owed(self) -> float:
        return self.principal + self.interest


Segments = Sequence[tuple[dt.date, float]]


def _rate_on(segs: Segments, d: dt.date) -> float:
    r = segs[0][1]
    for start, rate in segs:
        if start <= d:
            r = rate
    return r


def _interest(principal: float, segs: Segments, start: dt.date, end: dt.date, day_count: int) -> float:
    if len(segs) == 1:
        return principal * segs[0][1] * (end - start).days / day_count
    cuts = sorted({start, end, *[s for s, _ in segs if start < s < end]})
    return sum(principal * _rate_on(segs, a) * (z - a).days / day_count for a, z in zip(cuts, cuts[1:]))


def _accrue(b: Balance, segs: Segments, settle: Segments, start: dt.date, end: dt.date, day_count: int) -> None:
    if end <= start or b.principal <= 0:
        return
    claim = _interest(b.principal, segs, start, end, day_count)
    b.interest += claim
    b.settleable += claim if settle is segs else _interest(b.principal, settle, start, end, day_count)


def simulate(
    disbursed: Sequence[Flow],
    payments: Sequence[Flow],
    segs: Segments,
    until: dt.date,
    day_count: int = 365,
    settle: Segments | None = None,
) -> Balance:
    """Balance at ``until`` under simple interest ``segs``; payments go to interest first, then principal.
    ``settle`` (default ``segs``): the rates up to which paid interest stands (see the module docstring)."""
    return _run(_events(disbursed, payments, until), segs, until, day_count, settle)


def _events(disbursed: Sequence[Flow], payments: Sequence[Flow], until: dt.date) -> list[tuple[dt.date, int, float]]:
    return sorted(
        [(f.date, 0, f.amount) for f in disbursed if f.date <= until]
        + [(f.date, 1, f.amount) for f in payments if f.date <= until]
    )


def _run(
    events: Sequence[tuple[dt.date, int, float]],
    segs: Segments,
    until: dt.date,
    day_count: int,
    settle: Segments | None = None,
) -> Balance:
    settle = segs if settle is None else settle
    b = Balance()
    last: dt.date | None = None
    for d, kind, amount in events:
        if last is not None:
            _accrue(b, segs, settle, last, d, day_count)
        last = d
        if kind == 0:
            b.principal += amount
            continue
        b.paid += amount
        x = min(amount, b.settleable)
        b.settleable -= x
        b.interest = max(0.0, b.interest - x)
        b.interest_paid += x
        amount -= x
        y = min(amount, b.principal)
        b.principal -= y
        b.principal_paid += y
        amount -= y
        b.excess += amount
    if last is not None:
        _accrue(b, segs, settle, last, until, day_count)
    return b


def simple_annual_rate(disbursed: Sequence[Flow], repayments: Sequence[Flow], day_count: int = 365) -> float:
    """The constant simple annual rate at which all repayments (paid or due) exactly settle the loan:
    the rate courts compare with the caps. 0 when the repayments do not exceed the money received."""
    end = max(f.date for f in repayments)
    events = _events(disbursed, repayments, end)

    def net(r: float) -> float:
        b = _run(events, [(dt.date.min, r)], end, day_count)
        return b.owed - b.excess

    if net(0.0) >= 0:
        return 0.0
    lo, hi = 0.0, 1.0
    while net(hi) < 0:
        hi *= 2.0
        if hi > 1e9:
            return float("inf")
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if net(mid) < 0:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-13 * max(1.0, hi):
            break
    return 0.5 * (lo + hi)
