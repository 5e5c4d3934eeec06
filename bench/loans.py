"""Benchmark: law-pack load, lender search, XIRR and full loan checks.

    python bench/loans.py [--quick]

Prints the cold and cached pack load time, lender lookups per second, XIRR solves per second for
random dated loans (12–60 flows) and full ``check_loan`` calls per second. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import finish, peak_rss_mb, timed  # noqa: E402 - after the sys.path line that makes the sibling helpers importable

from weiquan.law.pack import clear_cache, load_pack  # noqa: E402 - after the sys.path line that makes the sibling helpers importable
from weiquan.loans.apr import xirr  # noqa: E402 - after the sys.path line that makes the sibling helpers importable
from weiquan.loans.check import check_loan  # noqa: E402 - after the sys.path line that makes the sibling helpers importable


def random_loan(rng: random.Random) -> dict:
    start = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randint(0, 1500))
    principal = rng.choice([3000, 5000, 10000, 20000, 50000])
    received = principal - rng.choice([0, 0, principal * 0.1, principal * 0.2])
    n = rng.randint(12, 60)
    monthly = rng.uniform(0.005, 0.05)
    pay = received * monthly / (1 - (1 + monthly) ** -n) if monthly else received / n
    reps = [{"date": (start + dt.timedelta(days=30 * (k + 1))).isoformat(), "amount": round(pay, 2)} for k in range(n)]
    return {
        "lender_type": rng.choice(["bank", "consumer_finance", "small_loan", "unlicensed", "private"]),
        "contract_date": start.isoformat(),
        "principal": principal,
        "disbursed": [{"date": start.isoformat(), "amount": received}],
        "repayments": reps,
        "as_of": (start + dt.timedelta(days=30 * n // 2)).isoformat(),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    n = 300 if args.quick else 3000
    rng = random.Random(4)

    clear_cache()
    _, cold = timed(lambda: load_pack(use_user_lpr=False))
    _, warm = timed(lambda: load_pack(use_user_lpr=False))
    pack = load_pack(use_user_lpr=False)
    names = ["招联", "安逸花", "捷信", "京东白条", "某某消费金融", "不看征信口子", "花呗", "马上消费金融股份有限公司"]
    _, t_lookup = timed(lambda: [pack.find_lender(names[i % len(names)]) for i in range(n)])

    loans = [random_loan(rng) for _ in range(n)]
    flows = []
    for ln in loans:
        f = [(dt.date.fromisoformat(d["date"]), d["amount"]) for d in ln["disbursed"]]
        f += [(dt.date.fromisoformat(r["date"]), -r["amount"]) for r in ln["repayments"]]
        flows.append(f)
    _, t_xirr = timed(lambda: [xirr(f) for f in flows])
    results, t_check = timed(lambda: [check_loan(ln, pack=pack) for ln in loans])
    verdicts: dict[str, int] = {}
    for r in results:
        verdicts[r["verdict"]] = verdicts.get(r["verdict"], 0) + 1

    figures = {
        "pack_load_cold_ms": round(cold * 1000, 1),
        "pack_load_cached_us": round(warm * 1e6, 1),
        "lender_lookups_per_s": round(n / t_lookup, 1),
        "xirr_per_s": round(n / t_xirr, 1),
        "check_loan_per_s": round(n / t_check, 1),
        "loans": n,
        "verdicts": verdicts,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    print(f"law pack: cold load {figures['pack_load_cold_ms']} ms, cached {figures['pack_load_cached_us']} µs")
    print(f"lender lookups: {figures['lender_lookups_per_s']}/s")
    print(
        f"XIRR (12–60 monthly flows): {figures['xirr_per_s']}/s; full check_loan: {figures['check_loan_per_s']}/s over {n} loans"
    )
    print(f"verdicts: {verdicts}")
    finish(figures)


if __name__ == "__main__":
    main()
