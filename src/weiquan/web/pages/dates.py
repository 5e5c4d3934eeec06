"""确认日期: the files whose events carry a date the source did not show, each beside its image
(or recording), with one click to confirm the proposed day or a date field to correct it
(services.dates). Confirming re-runs the analysis so the events count from then on."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from weiquan.errors import WeiquanError
from weiquan.services import analysis, dashboard, dates
from weiquan.web.deps import WS, CaseId, Who, audit, csrf_protect
from weiquan.web.handles import evidence_of
from weiquan.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


@router.get("/cases/{case_id}/dates")
def dates_page(request: Request, ws: WS, case_id: CaseId) -> Response:
    case = dashboard.case_header(ws, case_id)
    today = dt.datetime.now(ZoneInfo(case.timezone or ws.settings.timezone)).date()
    return render(
        request,
        "dates.html",
        {
            "case": case,
            "active": "timeline",
            "files": dates.pending_files(ws, case_id),
            "pending": dates.count_pending(ws, case_id),
            "today": today.isoformat(),
        },
    )


@router.post("/cases/{case_id}/dates/{handle}")
def confirm(
    request: Request, ws: WS, who: Who, case_id: CaseId, handle: int, day: Annotated[str, Form(max_length=20)] = ""
) -> Response:
    evidence_id = evidence_of(request, case_id, handle)
    done = dates.confirm_file_date(ws, case_id, evidence_id, day or None, by=who.label)
    audit(request, who, "date_confirm", case_id=case_id, target=f"evidence:{evidence_id}")
    error = None
    try:
        analysis.analyze_case(ws, case_id)  # the confirmed events count from now on
    except WeiquanError as e:
        error = e.zh
    if request.headers.get("hx-request") == "true":
        return render(
            request,
            "_date_done.html",
            {"done": done, "error": error, "pending": dates.count_pending(ws, case_id), "case_id": case_id},
        )
    return RedirectResponse(f"/cases/{case_id}/dates", status_code=303)
