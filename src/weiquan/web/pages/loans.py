"""借款计算: the lawful-amount check and quick rate calculators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response

from weiquan.errors import InputError
from weiquan.services import web_loans
from weiquan.services.web_loans import LoanForm
from weiquan.web.deps import WS, Who, csrf_protect
from weiquan.web.labels import LICENCE_ZH
from weiquan.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


@router.get("/loans")
def loans_page(request: Request, who: Who, daily: Annotated[float | None, Query(ge=0, le=100)] = None,
               fee: Annotated[float | None, Query(ge=0, le=100)] = None, months: Annotated[int, Query(ge=1, le=120)] = 12) -> Response:
    quick, error = None, None
    if daily is not None or fee is not None:
        try:
            quick = web_loans.quick_rates(daily, fee, months)
        except InputError as e:
            error = e.zh
    return render(request, "loans.html", {"form": None, "result": None, "types": LICENCE_ZH, "quick": quick,
                                          "quick_error": error, "daily": daily, "fee": fee, "months": months})


@router.post("/loans")
def loans_check(request: Request, ws: WS, who: Who, form: Annotated[LoanForm, Form()]) -> Response:
    try:
        result, error = web_loans.check_form(ws, form), None
    except InputError as e:
        result, error = None, e.zh
    return render(request, "loans.html", {"form": form, "result": result, "error": error, "types": LICENCE_ZH,
                                          "quick": None, "months": 12}, status_code=200 if result else 400)
