"""check_loan: the worked examples with their numbers written out, verdicts, lawful amount, bad input."""

from __future__ import annotations

import json
import math

import pytest

from tests.fixtures.cli import wq
from weiquan.errors import InputError
from weiquan.law.pack import load_pack
from weiquan.loans import check_loan
from weiquan.loans.calc import compare_methods, daily_to_annual, fee_rate_apr, simple_interest


@pytest.fixture(scope="module")
def pack():
    return load_pack(use_user_lpr=False)


def _check(data, pack):
    return check_loan(data, pack=pack)


def test_714_loan_with_upfront_deduction(pack):
    """10,000 contracted, 2,000 deducted up front (8,000 received), 10,000 + 500 interest repaid after 7 days."""
    res = _check(
        {
            "lender": "某借款App",
            "lender_type": "unlicensed",
            "contract_date": "2026-03-01",
            "principal": 10000,
            "disbursed": [{"date": "2026-03-01", "amount": 8000}],
            "repayments": [{"date": "2026-03-08", "amount": 10500}],
            "as_of": "2026-03-08",
        },
        pack,
    )
    # daily IRR d: 8000·(1+d)^7 = 10500 → d = 1.3125^(1/7) − 1 = 0.0396121…
    d = 1.3125 ** (1 / 7) - 1
    assert d == pytest.approx(0.0396121, abs=1e-7)
    assert res["apr"] == pytest.approx(d * 365, abs=1e-6)  # ≈ 14.4584 = 1,445.84 %
    assert res["apr"] == pytest.approx(14.4584, abs=1e-4)
    assert res["effective_annual_rate"] == pytest.approx(1.3125 ** (365 / 7) - 1, rel=1e-6)  # ≈ 1.44 million
    # simple annual rate: 2,500 on 8,000 over 7 days → 2500/8000 · 365/7 = 16.2946 = 1,629.46 %
    assert res["simple_annual_rate"] == pytest.approx(2500 / 8000 * 365 / 7, abs=1e-6)
    assert res["upfront_deduction"] == 2000.0
    assert "upfront_deduction" in res["flags"] and "short_term_upfront" in res["flags"]
    assert res["verdict"] == "above_36"
    caps = {c["id"]: c for c in res["caps"]}
    assert caps["four_lpr_contract"]["rate"] == pytest.approx(0.12) and caps["four_lpr_contract"]["exceeded"]
    # lawful: 8,000 principal (the amount received) + 12 % for 7 days = 8000 + 8000·0.12·7/365 = 8,018.41
    assert res["lawful_amount_owed"] == 0.0
    assert res["lawful_breakdown"]["interest_paid"] == pytest.approx(18.41, abs=0.005)
    assert res["excess_paid"] == pytest.approx(10500 - 8018.41, abs=0.01)  # 2,481.59
    assert any("第六百七十条" in p for p in res["provisions"])


def test_monthly_fee_rate_trap():
    """12 instalments at a 0.75 % monthly fee on the original 10,000: 908.33 a month, ~16.2 % APR, not 9 %."""
    r = fee_rate_apr(0.0075, 12, principal=10000)
    assert r.nominal_annual == pytest.approx(0.09)
    assert r.schedule.rows[0].payment == pytest.approx(10000 / 12 + 75, abs=1e-9)  # 908.33
    assert r.apr == pytest.approx(0.162165, abs=1e-5)
    assert r.effective_annual == pytest.approx(1.0135137**12 - 1, abs=1e-5)  # ≈ 17.48 %
    assert 0.16 < r.apr < 0.17


def test_private_loan_2025_at_15_percent(pack):
    """Private loan signed 2025-06-01: 100,000 at 15 % for one year → 115,000; cap 4 × 3.00 % = 12 %."""
    res = _check(
        {
            "lender_type": "private",
            "contract_date": "2025-06-01",
            "principal": 100000,
            "disbursed": [{"date": "2025-06-01", "amount": 100000}],
            "repayments": [{"date": "2026-06-01", "amount": 115000}],
            "as_of": "2026-06-01",
        },
        pack,
    )
    assert res["simple_annual_rate"] == pytest.approx(0.15, abs=1e-6)
    assert res["effective_annual_rate"] == pytest.approx(0.15, abs=1e-6)
    assert res["apr"] == pytest.approx(365 * (1.15 ** (1 / 365) - 1), abs=1e-6)  # 13.98 % nominal daily
    assert [(c["id"], c["rate"]) for c in res["caps"]] == [("four_lpr_contract", 0.12)]
    assert res["caps"][0]["lpr_date"] == "2025-06-01"
    assert res["verdict"] == "above_4x_lpr"
    # lawful interest 100,000 · 12 % = 12,000; paid 15,000 interest → 3,000 excess
    assert res["excess_paid"] == pytest.approx(3000.0, abs=0.01)
    assert res["lawful_amount_owed"] == 0.0


def test_private_loan_within_cap_is_lawful(pack):
    res = _check(
        {
            "lender_type": "private",
            "contract_date": "2025-06-01",
            "principal": 100000,
            "disbursed": [{"date": "2025-06-01", "amount": 100000}],
            "repayments": [{"date": "2026-06-01", "amount": 110000}],
            "as_of": "2026-06-01",
        },
        pack,
    )
    assert res["verdict"] == "lawful" and res["excess_paid"] == 0.0 and res["lawful_amount_owed"] == 0.0


def test_amount_owed_midway(pack):
    """Nothing paid yet at 2025-12-01 (183 days): owed = 10,000 + 10,000 · 12 % · 183/365 = 10,601.64."""
    res = _check(
        {
            "lender_type": "private",
            "contract_date": "2025-06-01",
            "principal": 10000,
            "disbursed": [{"date": "2025-06-01", "amount": 10000}],
            "repayments": [{"date": "2026-06-01", "amount": 11500}],
            "as_of": "2025-12-01",
        },
        pack,
    )
    assert res["lawful_amount_owed"] == pytest.approx(10000 + 10000 * 0.12 * 183 / 365, abs=0.005)
    assert res["paid_to_date"] == 0.0 and res["due_after_as_of"] == 11500.0


def test_licensed_lender_lines(pack):
    """Consumer-finance loan at ~30 %: above the 24 % line (court reduction; 金规〔2025〕9号 read as 24 %)."""
    res = _check(
        {
            "lender": "某消费金融",
            "lender_type": "consumer_finance",
            "contract_date": "2025-11-01",
            "principal": 12000,
            "disbursed": [{"date": "2025-11-01", "amount": 12000}],
            "repayments": [
                {"date": f"{2025 + (10 + k) // 12}-{(10 + k) % 12 + 1:02d}-01", "amount": 1169.85} for k in range(1, 13)
            ],
            "as_of": "2026-11-01",
        },
        pack,
    )
    assert 0.29 < res["apr"] < 0.31
    assert res["verdict"] == "above_24"
    caps = {c["id"]: c for c in res["caps"]}
    assert caps["assisted_24"]["interpretation"] is True
    # the 36 % cash-loan line (141号文, [M]; the 24/36 rule ended 2020-08-20) is no rule for licensed lenders
    assert "line_36_cash_loan" not in caps
    assert res["excess_paid"] > 0
    assert any("24%" in u and "法发〔2017〕22号" in u for u in res["unverified"])  # shown as 未核实 where used


def test_pre_2020_private_loan_transition(pack):
    """Contract 2019-06-01 at 20 % simple: below 24 % before 2020-08-20; after that 4 × LPR at filing applies."""
    paid = 10000 + 10000 * 0.2 * 731 / 365  # 731 days at 20 % simple = 14,005.48
    res = _check(
        {
            "lender_type": "private",
            "contract_date": "2019-06-01",
            "principal": 10000,
            "disbursed": [{"date": "2019-06-01", "amount": 10000}],
            "repayments": [{"date": "2021-06-01", "amount": paid}],
            "as_of": "2021-06-01",
        },
        pack,
    )
    caps = {c["id"]: c for c in res["caps"]}
    assert set(caps) == {"line_24_2015", "line_36_2015", "four_lpr_filing"}
    assert (
        caps["four_lpr_filing"]["rate"] == pytest.approx(4 * 0.0385)
        and caps["four_lpr_filing"]["lpr_date"] == "2021-06-01"
    )
    assert not caps["line_24_2015"]["exceeded"] and caps["four_lpr_filing"]["exceeded"]
    assert res["verdict"] == "above_4x_lpr"
    assert [s["rate"] for s in res["lawful_rate"]] == [pytest.approx(0.2), pytest.approx(0.154)]
    # lawful: 10,000 · (20 % · 446 days + 15.4 % · 285 days)/365 = 2,443.84 + 1,202.47 = 3,646.30
    lawful_interest = 10000 * (0.2 * 446 + 0.154 * 285) / 365
    assert lawful_interest == pytest.approx(3646.30, abs=0.01)
    assert res["excess_paid"] == pytest.approx(paid - 10000 - lawful_interest, abs=0.01)  # 359.18


@pytest.mark.parametrize(("rate", "excess"), [(0.30, 0.0), (0.48, 1200.0)])
def test_pre_2020_private_loan_paid_interest_up_to_36_stands(pack, rate, excess):
    """2015 rules (spc-private-lending-2015, docs/sources.md#private-lending-scope): interest between 24 % and 36 % cannot be enforced, but once paid it is
    not refundable; only what was paid above 36 % can be claimed back. 10,000 for one year, repaid in full."""
    paid = 10000 * (1 + rate)
    res = _check(
        {
            "lender_type": "private",
            "contract_date": "2018-06-01",
            "principal": 10000,
            "disbursed": [{"date": "2018-06-01", "amount": 10000}],
            "repayments": [{"date": "2019-06-01", "amount": paid}],
            "as_of": "2021-06-01",
        },
        pack,
    )
    assert res["verdict"] != "lawful"
    assert res["lawful_rate"][0]["rate"] == pytest.approx(0.24)  # what could still be claimed
    assert res["retained_rate"][0]["rate"] == pytest.approx(min(rate, 0.36))  # what paid interest may cover
    assert res["lawful_amount_owed"] == 0.0
    assert res["excess_paid"] == pytest.approx(excess, abs=0.01)  # (24 % would have said 600 / 2,400)
    assert any("不予返还" in n for n in res["notes"])


def test_pre_2020_private_loan_unpaid_interest_above_24_is_not_owed(pack):
    """A 30 % loan, nothing repaid: interest above 24 % is not claimable, so the amount owed counts 24 %.
    Once 3,000 (30 %) has been paid it stands as interest; it does not reduce the principal."""
    base = {
        "lender_type": "private",
        "contract_date": "2018-06-01",
        "principal": 10000,
        "disbursed": [{"date": "2018-06-01", "amount": 10000}],
        "as_of": "2020-06-01",
    }
    due = _check({**base, "repayments": [{"date": "2020-06-01", "amount": 16000, "paid": False}]}, pack)
    assert due["lawful_amount_owed"] == pytest.approx(10000 * (1 + 0.24 * 731 / 365), abs=0.01)
    part = _check(
        {
            **base,
            "repayments": [
                {"date": "2019-06-01", "amount": 3000},
                {"date": "2020-06-01", "amount": 14000, "paid": False},
            ],
        },
        pack,
    )
    assert part["lawful_breakdown"]["interest_paid"] == pytest.approx(3000.0, abs=0.01)
    assert part["lawful_breakdown"]["principal_outstanding"] == pytest.approx(10000.0, abs=0.01)
    assert part["lawful_amount_owed"] == pytest.approx(10000 * (1 + 0.24 * 366 / 365), abs=0.01)
    assert part["excess_paid"] == 0.0


def test_pre_2020_private_loan_checked_before_the_transition(pack):
    """Checked as of 2019-06-01, before 2020-08-20 and before the first LPR fixing: the 2015 lines alone apply."""
    res = _check(
        {
            "lender_type": "private",
            "contract_date": "2018-06-01",
            "principal": 10000,
            "disbursed": [{"date": "2018-06-01", "amount": 10000}],
            "repayments": [{"date": "2019-06-01", "amount": 13000, "paid": False}],
            "as_of": "2019-06-01",
        },
        pack,
    )
    assert {c["id"] for c in res["caps"]} == {"line_24_2015", "line_36_2015"}
    assert res["lawful_amount_owed"] == pytest.approx(12400.0, abs=0.01)


def test_licensed_lender_figures_are_estimates_on_request(pack):
    """法发〔2017〕22号: above 24 % a licensed lender's charges *may be reduced on the borrower's request*;
    the lawful figures are flagged as that estimate, never as what the law already says."""
    data = {
        "lender_type": "consumer_finance",
        "contract_date": "2025-03-01",
        "principal": 10000,
        "disbursed": [{"date": "2025-03-01", "amount": 10000}],
        "repayments": [{"date": "2026-03-01", "amount": 13600}],
        "as_of": "2026-03-01",
    }
    res = _check(data, pack)
    assert res["lawful_basis"] == "on_request" and res["on_request_rate"] == pytest.approx(0.24)
    assert res["excess_paid"] == pytest.approx(1200.0, abs=0.01)
    assert any("是否调减由法院决定" in n for n in res["notes"])
    low = _check({**data, "repayments": [{"date": "2026-03-01", "amount": 11800}]}, pack)
    assert low["lawful_basis"] == "contract" and low["on_request_rate"] is None
    assert low["lawful_label_zh"].startswith("按合同约定利率")
    private = _check({**data, "lender_type": "private"}, pack)
    assert private["lawful_basis"] == "law"


def test_upfront_deduction_cites_only_the_statutes_governing_the_lender(pack):
    """砍头息: 民法典 Art. 670 for everyone; the 民间借贷 rules (Art. 26) only for private or unlicensed lenders."""
    data = {
        "lender_type": "consumer_finance",
        "contract_date": "2025-03-01",
        "principal": 10000,
        "disbursed": [{"date": "2025-03-01", "amount": 9000}],
        "repayments": [{"date": "2026-03-01", "amount": 11000}],
        "as_of": "2026-03-01",
    }
    licensed = _check(data, pack)["provisions"]
    assert any("第六百七十条" in p for p in licensed) and not any("民间借贷" in p for p in licensed)
    private = _check({**data, "lender_type": "private"}, pack)["provisions"]
    assert any("民间借贷" in p and "第二十六条" in p for p in private)


@pytest.mark.parametrize(
    ("patch", "needle"),
    [
        ({"principal": -10000}, "负数"),
        ({"repayments": []}, "从未还款"),
        ({"repayments": [{"date": "2026-02-01", "amount": 100}]}, "日期顺序"),
        ({"disbursed": [{"date": "2026-01-01", "amount": -5}]}, "负数"),
        ({"disbursed": [{"date": "2026-02-30", "amount": 5}]}, "日期格式"),
        ({"lender_type": "pawnshop"}, "lender_type"),
        ({"contract_date": "2026-04-01"}, "日期顺序"),
        ({"disbursed": [{"date": "2026-03-01", "amount": 20000}]}, "大于合同本金"),
        ({"as_of": "2026-01-01"}, "早于合同日期"),
        ({"principal": "abc"}, "数字"),
        ({"extra": 1}, "未知字段"),
        ({"repayments": [{"date": "2026-03-20", "amount": 100, "paid": True}], "as_of": "2026-03-10"}, "日期顺序"),
    ],
)
def test_bad_input(pack, patch, needle):
    data = {
        "lender_type": "private",
        "contract_date": "2026-03-01",
        "principal": 10000,
        "disbursed": [{"date": "2026-03-01", "amount": 10000}],
        "repayments": [{"date": "2026-04-01", "amount": 10100}],
        "as_of": "2026-04-01",
    }
    data.update(patch)
    with pytest.raises(InputError) as e:
        _check(data, pack)
    assert needle in e.value.zh
    assert e.value.en and e.value.exit_code == 2


def test_cli_check_json_and_errors(tmp_path):
    f = tmp_path / "loan.json"
    f.write_text(
        json.dumps(
            {
                "lender": "x",
                "lender_type": "small_loan",
                "contract_date": "2025-01-10",
                "principal": 5000,
                "disbursed": [{"date": "2025-01-10", "amount": 4500}],
                "repayments": [{"date": "2025-02-10", "amount": 2700}, {"date": "2025-03-10", "amount": 2700}],
            }
        ),
        encoding="utf-8",
    )
    r = wq(tmp_path, "loan", "check", str(f), "--as-of", "2025-03-10", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    for key in (
        "apr",
        "effective_annual_rate",
        "upfront_deduction",
        "caps",
        "verdict",
        "lawful_amount_owed",
        "excess_paid",
    ):
        assert key in out
    assert out["upfront_deduction"] == 500.0 and out["verdict"] == "above_24"  # small loan: no 36 % line
    assert all({"name", "rate", "source"} <= set(c) for c in out["caps"])
    r = wq(tmp_path, "loan", "check", str(f))
    assert r.exit_code == 0 and "结论" in r.output
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"lender_type": "private", "contract_date": "2025-01-01", "principal": -1, "disbursed": [], "repayments": []}',
        encoding="utf-8",
    )
    r = wq(tmp_path, "loan", "check", str(bad))
    assert r.exit_code == 2 and "错误" in r.output and "Error" in r.output
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    r = wq(tmp_path, "loan", "check", str(broken))
    assert r.exit_code == 2 and "JSON" in r.output


def test_calculators():
    s = simple_interest(10000, 0.0385)
    assert s.interest == pytest.approx(385.0) and s.total == pytest.approx(10385.0)
    d = daily_to_annual(0.0005)
    assert d.nominal_annual == pytest.approx(0.1825) and d.effective_annual == pytest.approx(1.0005**365 - 1)
    assert d.per_10000_per_day == pytest.approx(5.0)
    m = compare_methods(10000, 0.24, 12)
    assert m["equal_installment"].rows[0].payment == pytest.approx(945.60, abs=0.005)
    assert m["equal_principal"].rows[0].payment == pytest.approx(1033.33, abs=0.005)
    assert m["equal_principal"].rows[-1].payment == pytest.approx(850.00, abs=0.005)
    assert m["equal_principal"].totals["interest"] == pytest.approx(1300.0)
    assert m["equal_installment"].totals["interest"] == pytest.approx(1347.15, abs=0.01)
    assert all(math.isclose(s.apr.apr, 0.24, abs_tol=1e-9) for s in m.values())


def test_cli_calculators_and_apr(tmp_path):
    def j(args):
        r = wq(tmp_path, "loan", *args, "--json")
        assert r.exit_code == 0, r.output
        return json.loads(r.stdout)

    assert j(["calc", "interest", "--amount", "10000", "--rate", "3.85%"])["interest"] == 385.0
    assert j(["calc", "daily", "--rate", "0.05%"])["nominal_annual"] == pytest.approx(0.1825)
    assert j(["calc", "fee-rate", "--rate", "0.75%", "--months", "12"])["apr"] == pytest.approx(0.162165, abs=1e-5)
    assert set(j(["calc", "monthly", "--amount", "10000", "--rate", "24%", "--months", "12"])) == {
        "equal_installment",
        "equal_principal",
        "interest_only",
    }
    a = j(["apr", "--amount", "10000", "--months", "12", "--annual-rate", "9%", "--fee", "membership:500:upfront"])
    assert a["apr"] > 0.17 and a["stated_annual_rate"] == pytest.approx(0.09)
    sch = j(["schedule", "--amount", "10000", "--months", "3", "--method", "equal_principal", "--annual-rate", "12%"])
    assert [r["payment"] for r in sch["rows"]] == [
        3433.33,
        3400.0,
        3366.67,
    ]  # 3,333.33 principal + 1 % of 10,000 / 6,666.67 / 3,333.33
    r = wq(tmp_path, "loan", "apr", "--amount", "10000", "--months", "12", "--annual-rate", "abc")
    assert r.exit_code == 2
    r = wq(tmp_path, "loan", "schedule", "--amount", "100", "--months", "12", "--annual-rate", "9%", "--upfront", "200")
    assert r.exit_code == 2
