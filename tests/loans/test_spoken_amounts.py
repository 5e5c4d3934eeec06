"""Amounts typed or said in Chinese numerals (issues #15/#18): the loan description, the web form's repayment
lines and the bulk amount column read them through the one converter (weiquan.zh.numerals)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from weiquan.bulk.normalize import parse_amount
from weiquan.errors import InputError
from weiquan.law.pack import load_pack
from weiquan.loans import check_loan
from weiquan.services.loans import parse_quick_number, parse_repayment_lines
from weiquan.zh.numerals import parse_money


def _loan(principal: object, received: object, repaid: object) -> dict[str, object]:
    return {
        "lender": "某借款App",
        "lender_type": "unlicensed",
        "contract_date": "2026-03-01",
        "principal": principal,
        "disbursed": [{"date": "2026-03-01", "amount": received}],
        "repayments": [{"date": "2026-03-08", "amount": repaid}],
        "as_of": "2026-03-08",
    }


def test_a_loan_written_in_chinese_numerals_checks_like_the_digits() -> None:
    pack = load_pack(use_user_lpr=False)
    digits = check_loan(_loan(10000, 8000, 10500), pack=pack)
    spoken = check_loan(_loan("一万元", "八千", "一万零五百块"), pack=pack)
    assert spoken["apr"] == pytest.approx(digits["apr"])
    assert spoken["upfront_deduction"] == digits["upfront_deduction"] == 2000.0
    assert spoken["verdict"] == digits["verdict"]


def test_an_unreadable_amount_is_still_a_clear_error() -> None:
    with pytest.raises(InputError, match="金额必须是数字"):
        check_loan(_loan("一万左右吧", 8000, 10500), pack=load_pack(use_user_lpr=False))


def test_repayment_lines_read_spoken_amounts() -> None:
    rows = parse_repayment_lines("2026-03-08 一万零五百\n2026-04-08 1.2万元 未还\n2026-05-08 3,000")
    assert [(r["amount"], r["paid"]) for r in rows] == [(10500.0, True), (12000.0, False), (3000.0, True)]
    with pytest.raises(InputError):
        parse_repayment_lines("2026-03-08 一二三")


@pytest.mark.parametrize(
    ("raw", "want"),
    [("三千六百块", 3600), ("一万二", 12000), ("3千6", 3600), ("1.2万元", 12000), ("￥3,000.50", Decimal("3000.5"))],
)
def test_money(raw: str, want: object) -> None:
    assert parse_money(raw) == want
    assert parse_amount(raw) == float(want)  # type: ignore[arg-type]  # the bulk column reads the same


def test_the_quick_rate_fields_read_spoken_rates() -> None:
    assert parse_quick_number("万分之五", "日利率", upper=100) == pytest.approx(0.05)
    assert parse_quick_number("千分之一", "日利率", upper=100) == pytest.approx(0.1)
    assert parse_quick_number("十二", "期数", upper=600, integer=True) == 12
    with pytest.raises(InputError):
        parse_quick_number("一些", "日利率", upper=100)
