"""API: the loan check (APR, legality, amount lawfully owed) and the quick rate conversions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query

from weiquan.services import loans
from weiquan.services.loans import QuickRates
from weiquan.web.deps import WS, Who, csrf_protect

router = APIRouter(prefix="/loans", tags=["loans 借款计算"], dependencies=[Depends(csrf_protect)])


@router.post("/check", summary="检查一笔借款 Check a loan (same JSON as `weiquan loan check`)")
def check(
    ws: WS,
    who: Who,
    loan: Annotated[
        dict[str, Any],
        Body(
            examples=[
                {
                    "lender": "示例贷",
                    "lender_type": "small_loan",
                    "contract_date": "2025-01-01",
                    "principal": 10000,
                    "disbursed": [{"date": "2025-01-01", "amount": 8000}],
                    "repayments": [
                        {"date": "2025-02-01", "amount": 5500},
                        {"date": "2025-03-01", "amount": 5500, "paid": False},
                    ],
                }
            ]
        ),
    ],
) -> dict[str, Any]:
    return loans.check_only(ws, loan)


@router.get("/rates", response_model=QuickRates, summary="日利率、月费率换算年化 Quick rate conversions")
def rates(
    who: Who,
    daily_percent: Annotated[float | None, Query(ge=0, le=100)] = None,
    monthly_fee_percent: Annotated[float | None, Query(ge=0, le=100)] = None,
    months: Annotated[int, Query(ge=1, le=120)] = 12,
) -> QuickRates:
    return loans.quick_rates(daily_percent, monthly_fee_percent, months)
