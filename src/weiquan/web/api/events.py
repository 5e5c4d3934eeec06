"""API: the timeline (filtered pages), manual entries, and the originals behind events."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from weiquan.services import timeline
from weiquan.services.evidence import OriginalView, original_view
from weiquan.services.timeline import EventOut, TimelineFilters, TimelinePage, timeline_page
from weiquan.web.deps import WS, CaseId, Who, audit, csrf_protect
from weiquan.web.handles import evidence_of, shown
from weiquan.web.limits import OptionalIdQuery
from weiquan.web.pages.timeline import raw as raw_page

router = APIRouter(prefix="/cases/{case_id}", tags=["events 时间线"], dependencies=[Depends(csrf_protect)])


class ManualEventIn(BaseModel):
    channel: str
    time: str = Field(description="当地时间 local time, e.g. 2025-01-31 21:05")
    number: str | None = None
    name: str | None = None
    text: str | None = Field(default=None, max_length=20000)
    direction: str = "incoming"
    recipient: str = "borrower"
    recipient_name: str | None = None
    duration_s: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    note: str | None = Field(default=None, max_length=2000)
    witnesses: str | None = Field(default=None, max_length=500)


@router.get(
    "/events",
    response_model=TimelinePage,
    summary="时间线 Timeline page (filters: channel, number, since, until, q, category)",
)
def events(
    request: Request,
    ws: WS,
    case_id: CaseId,
    filters: Annotated[TimelineFilters, Depends()],
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 100,
) -> TimelinePage:
    """Each event's ``evidence[].evidence_id`` is this case's handle of the file (as in the evidence URLs)."""
    tp = timeline_page(ws, case_id, filters, page=page, page_size=page_size)
    for item in tp.items:
        for ref in item.event.evidence:
            ref.evidence_id = shown(request, case_id, ref.evidence_id)
    return tp


@router.post("/events", response_model=EventOut, status_code=201, summary="手动添加记录 Add a manual entry")
def add_event(request: Request, ws: WS, who: Who, case_id: CaseId, body: ManualEventIn) -> EventOut:
    out = timeline.add_manual_event(ws, case_id, entered_by=who.label, **body.model_dump())
    audit(request, who, "event_add", case_id=case_id, target=f"event:{out.id}")
    return out


@router.get(
    "/evidence/{handle}", response_model=OriginalView, summary="原件信息（OCR 框、转写）Original: OCR boxes, transcript"
)
def evidence(request: Request, ws: WS, case_id: CaseId, handle: int, event: OptionalIdQuery = None) -> OriginalView:
    """``handle``: the file's ``evidence_id`` as this case's answers show it (a per-case handle, never a vault id)."""
    view = original_view(ws, case_id, evidence_of(request, case_id, handle), event_id=event)
    return view.model_copy(update={"evidence_id": handle})


@router.get("/evidence/{handle}/raw", summary="原件文件 The original file", response_class=Response)
def evidence_raw(request: Request, ws: WS, case_id: CaseId, handle: int, download: bool = True) -> Response:
    return raw_page(request, ws, case_id, handle, download=download)
