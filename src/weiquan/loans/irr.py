"""Internal rate of return of a cash-flow stream, with a robust bracketing root finder.

Flows are (time, amount) pairs from the borrower's point of view: money received is positive,
money paid is negative. Time is in periods (months for a schedule, days for dated flows).
We solve ``Σ a_i · (1+r)^(−t_i) = 0`` in ``x = ln(1+r)``, where the sum is a sum of exponentials:
by the generalised Descartes rule it has at most as many real roots as the flow signs change.
One sign change (the ordinary loan: receive, then repay) gives exactly one root, found by
bracketing and bisection; several sign changes are scanned for every root, and we say so when
the rate is not unique. Nothing silently fails to converge.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from weiquan.errors import InputError


class NoRate(InputError):
    """No rate of return exists for these flows (e.g. nothing is ever repaid)."""


class AmbiguousRate(InputError):
    """The flows change sign several times and have more than one rate of return."""


@dataclass(frozen=True)
class Rate:
    per_period: float  # r such that NPV = 0
    iterations: int
    sign_changes: int

    @property
    def log_growth(self) -> float:
        return math.log1p(self.per_period)


def _group(flows: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    acc: dict[float, float] = {}
    for t, a in flows:
        if not (math.isfinite(t) and math.isfinite(a)):
            raise InputError("现金流中有无效数字。", "cash flows contain a non-finite number")
        acc[t] = acc.get(t, 0.0) + a
    scale = max((abs(a) for a in acc.values()), default=0.0)
    return [(t, a) for t, a in sorted(acc.items()) if abs(a) > scale * 1e-15]


def sign_changes(amounts: Sequence[float]) -> int:
    signs = [a > 0 for a in amounts if a != 0]
    return sum(1 for s0, s1 in zip(signs, signs[1:]) if s0 != s1)


def _npv_sign(flows: Sequence[tuple[float, float]], x: float) -> float:
    """NPV at log-rate ``x``, scaled by a positive factor so it never overflows; only its sign and
    relative size matter to the root finder."""
    exps = [-x * t for t, _ in flows]
    m = max(exps)
    return sum(a * math.exp(e - m) for (_, a), e in zip(flows, exps))


def npv(flows: Sequence[tuple[float, float]], rate: float) -> float:
    """Plain NPV at per-period rate ``rate`` (> −1)."""
    return sum(a * (1.0 + rate) ** (-t) for t, a in flows)


def _bisect(flows: Sequence[tuple[float, float]], lo: float, hi: float, flo: float) -> tuple[float, int]:
    it = 0
    while it < 400:
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        fm = _npv_sign(flows, mid)
        if fm == 0.0:
            return mid, it
        if (fm > 0) == (flo > 0):
            lo, flo = mid, fm
        else:
            hi = mid
        it += 1
        if hi - lo <= 1e-16 * max(1.0, abs(lo)):
            break
    return 0.5 * (lo + hi), it


def solve_rate(flows: Sequence[tuple[float, float]]) -> Rate:
    """Per-period IRR of the flows. Raises NoRate or AmbiguousRate with a bilingual message."""
    g = _group(flows)
    amounts = [a for _, a in g]
    if not any(a > 0 for a in amounts):
        raise NoRate("没有到手（收到）的款项，无法计算年化利率。", "no money was received, so no rate exists")
    if not any(a < 0 for a in amounts):
        raise NoRate(
            "没有任何还款，无法计算年化利率（从未还款的借款不存在内部收益率）。",
            "nothing is ever repaid, so no rate of return exists",
        )
    s = sign_changes(amounts)
    first_sign = amounts[0] > 0  # sign of NPV as x → +∞ (earliest flow dominates)
    last_sign = amounts[-1] > 0  # sign of NPV as x → −∞ (latest flow dominates)
    span = g[-1][0] - g[0][0]
    if span <= 0:
        raise NoRate("所有款项发生在同一时间，无法计算年化利率。", "all flows happen at the same time; no rate exists")
    if s == 1:
        lo, hi = -1.0 / span, 1.0 / span
        flo, fhi = _npv_sign(g, lo), _npv_sign(g, hi)
        n = 0
        while (flo > 0) != last_sign and n < 200:
            lo *= 2.0
            flo = _npv_sign(g, lo)
            n += 1
        while (fhi > 0) != first_sign and n < 400:
            hi *= 2.0
            fhi = _npv_sign(g, hi)
            n += 1
        if (flo > 0) == (fhi > 0):
            raise NoRate("在可计算的利率范围内找不到内部收益率。", "no rate of return within the computable range")
        x, it = _bisect(g, lo, hi, flo)
        return Rate(math.expm1(x), it + n, s)
    # several sign changes: scan for every root
    roots = []
    grid = [(-1.0 + 2.0 * k / 4000) * 20.0 / span for k in range(4001)]
    prev_x, prev_f = grid[0], _npv_sign(g, grid[0])
    for x in grid[1:]:
        f = _npv_sign(g, x)
        if f == 0.0 or (f > 0) != (prev_f > 0):
            r, _ = _bisect(g, prev_x, x, prev_f) if f != 0.0 else (x, 0)
            roots.append(math.expm1(r))
        prev_x, prev_f = x, f
    if not roots:
        raise NoRate(
            "现金流多次变号，但找不到内部收益率。", "the flows change sign several times and have no rate of return"
        )
    if len(roots) > 1:
        shown = "、".join(f"{r:.6g}" for r in roots[:5])
        raise AmbiguousRate(
            f"现金流多次变号，存在多个内部收益率（{shown}），年化利率不唯一。请检查放款和还款记录。",
            f"the flows change sign several times and have several rates of return ({shown}); the APR is not unique",
        )
    return Rate(roots[0], 0, s)
