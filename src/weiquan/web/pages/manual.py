"""手动记录: a visit, a call to a relative or the employer, a letter — what has no file — entered on a form
and stored by the same service as ``weiquan add-event`` (services.timeline.add_manual_event)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from weiquan.errors import InputError
from weiquan.services import dashboard, timeline
from weiquan.web.deps import WS, CaseId, Who, audit, csrf_protect
from weiquan.web.templating import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
# the kinds of contact the form offers (channel ids), most common without a file first
KINDS = ("visit", "call", "letter", "sms", "chat", "other")


def _now_local(ws: WS, case_id: int) -> str:
    tz = dashboard.case_header(ws, case_id).timezone or ws.settings.timezone
    return dt.datetime.now(ZoneInfo(tz)).strftime("%Y-%m-%dT%H:%M")


def _form(request: Request, ws: WS, case_id: int, **extra: object) -> Response:
    return render(
        request,
        "manual_event.html",
        {
            "case": dashboard.case_header(ws, case_id),
            "active": "import",
            "kinds": KINDS,
            "now": _now_local(ws, case_id),
            "v": {},
            "saved": None,
            "error": None,
            **extra,
        },
        status_code=400 if extra.get("error") else 200,
    )


@router.get("/cases/{case_id}/events/new")
def new_event(request: Request, ws: WS, case_id: CaseId) -> Response:
    return _form(request, ws, case_id)


@router.post("/cases/{case_id}/events/new")
def save_event(
    request: Request,
    ws: WS,
    who: Who,
    case_id: CaseId,
    channel: Annotated[str, Form()],
    time: Annotated[str, Form(max_length=40)],
    recipient: Annotated[str, Form()] = "borrower",
    recipient_name: Annotated[str, Form(max_length=200)] = "",
    number: Annotated[str, Form(max_length=60)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    text: Annotated[str, Form(max_length=20000)] = "",
    witnesses: Annotated[str, Form(max_length=500)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    values = {
        "channel": channel,
        "time": time,
        "recipient": recipient,
        "recipient_name": recipient_name,
        "number": number,
        "name": name,
        "text": text,
        "witnesses": witnesses,
        "note": note,
    }
    if channel not in KINDS:
        return _form(request, ws, case_id, v=values, error="请选择是哪一种联系（上门、电话、信件……）")
    try:
        ev = timeline.add_manual_event(
            ws,
            case_id,
            channel=channel,
            time=time.replace("T", " "),
            number=number.strip() or None,
            name=name.strip() or None,
            text=text.strip() or None,
            recipient=recipient,
            recipient_name=recipient_name.strip() or None,
            note=note.strip() or None,
            witnesses=witnesses,
            direction="incoming",
            entered_by=who.label,
        )
    except InputError as e:
        return _form(request, ws, case_id, v=values, error=e.zh)
    audit(request, who, "event_add", case_id=case_id, target=f"event:{ev.id}")
    return _form(request, ws, case_id, saved=ev)
