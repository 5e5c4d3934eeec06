"""借款计算: the lawful-amount check and quick rate calculators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response

from weiquan.errors import InputError
from weiquan.services import loans
from weiquan.services.loans import LoanForm
from weiquan.web.deps import WS, Who, csrf_protect
from weiquan.web.labels import LICENCE_ZH
from weiquan.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


@router.get("/loans")
def loans_page(
    request: Request,
    who: Who,
    daily: Annotated[str, Query(max_length=20)] = "",
    fee: Annotated[str, Query(max_length=20)] = "",
    months: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """快速换算 accepts any one field (日利率 or 每月手续费率); empty fields are simply not computed."""
    quick, error = None, None
    d = f = None
    n = 12
    try:
        d = loans.parse_quick_number(daily, "日利率", upper=100)
        f = loans.parse_quick_number(fee, "每月手续费率", upper=100)
        n = int(loans.parse_quick_number(months, "期数", upper=120, integer=True) or 12)
        if d is not None or f is not None:
            quick = loans.quick_rates(d, f, n)
        elif months.strip():
            error = "请再填写日利率或每月手续费率中的一项"
    except InputError as e:
        error = e.zh
    return render(
        request,
        "loans.html",
        {
            "form": None,
            "result": None,
            "types": LICENCE_ZH,
            "quick": quick,
            "quick_error": error,
            "daily": daily.strip() or None,
            "fee": fee.strip() or None,
            "months": n if not error else months,
        },
        status_code=400 if error else 200,
    )


@router.post("/loans")
def loans_check(request: Request, ws: WS, who: Who, form: Annotated[LoanForm, Form()]) -> Response:
    try:
        result, error = loans.check_form(ws, form), None
    except InputError as e:
        result, error = None, e.zh
    return render(
        request,
        "loans.html",
        {"form": form, "result": result, "error": error, "types": LICENCE_ZH, "quick": None, "months": 12},
        status_code=200 if result else 400,
    )
