from __future__ import annotations

import datetime as dt

import pytest

from weiquan.errors import InputError, NotFoundError
from weiquan.services.cases import create_case
from weiquan.services.loans import add_loan, list_loans, recheck_loan

LOAN = {
    "lender": "招联金融",
    "lender_type": "consumer_finance",
    "contract_date": "2025-06-01",
    "principal": 10000,
    "disbursed": [{"date": "2025-06-01", "amount": 9000}],
    "repayments": [{"date": "2025-12-01", "amount": 11500}],
}


def test_add_list_recheck(ws):
    case = create_case(ws, "测试案件")
    out = add_loan(ws, case.id, {**LOAN, "as_of": "2025-09-01"})
    # 2,500 on 9,000 over 183 days ≈ 55 % a year: above the licensed lenders' 24 % line (no 36 % line for them)
    assert out.legal_entity == "招联消费金融股份有限公司" and out.verdict == "above_24"
    assert out.result["upfront_deduction"] == 1000.0 and out.result["lawful_amount_owed"] > 9000
    again = recheck_loan(ws, out.id, as_of=dt.date(2025, 12, 1))
    assert again.result["as_of"] == "2025-12-01" and again.result["excess_paid"] > 0
    assert [x.id for x in list_loans(ws, case.id)] == [out.id]


def test_bad_input_stores_nothing(ws):
    case = create_case(ws, "测试案件2")
    with pytest.raises(InputError):
        add_loan(ws, case.id, {**LOAN, "principal": -1})
    assert list_loans(ws, case.id) == []
    with pytest.raises(NotFoundError):
        add_loan(ws, 9999, LOAN)
