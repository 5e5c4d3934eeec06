"""时间线: filterable, paginated events; each event links to its original."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from weiquan.services import dashboard, dates
from weiquan.services import law as law_svc
from weiquan.services.evidence import evidence_file, original_view
from weiquan.services.imports import safe_leaf_name
from weiquan.services.timeline import TimelineFilters, timeline_page
from weiquan.web.deps import WS, CaseId, get_config
from weiquan.web.handles import evidence_of
from weiquan.web.limits import OptionalIdQuery
from weiquan.web.templating import render

router = APIRouter(include_in_schema=False)
INLINE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "audio/", "application/pdf")


@router.get("/cases/{case_id}/timeline")
def timeline(
    request: Request,
    ws: WS,
    case_id: CaseId,
    filters: Annotated[TimelineFilters, Depends()],
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
) -> Response:
    cfg = get_config(request)
    tp = timeline_page(ws, case_id, filters, page=page, page_size=cfg.timeline_page_size)
    case = dashboard.case_header(ws, case_id)
    cats = dashboard.case_dashboard_categories(ws, case_id)
    names = {c: law_svc.category_info(ws.law, c).name_zh for c in cats}
    for item in tp.items:
        for fnd in item.findings:
            names.setdefault(fnd.category, law_svc.category_info(ws.law, fnd.category).name_zh)
    query = {k: v for k, v in tp.filters.model_dump().items() if v}

    def page_url(n: int) -> str:
        return f"/cases/{case_id}/timeline?" + urlencode({**query, "page": n})

    return render(
        request,
        "timeline.html",
        {
            "case": case,
            "active": "timeline",
            "tp": tp,
            "cats": cats,
            "cat_names": names,
            "page_url": page_url,
            "dates_pending": dates.count_pending(ws, case_id),
        },
    )


@router.get("/cases/{case_id}/evidence/{handle}")
def original(request: Request, ws: WS, case_id: CaseId, handle: int, event: OptionalIdQuery = None) -> Response:
    view = original_view(ws, case_id, evidence_of(request, case_id, handle), event_id=event)
    return render(
        request,
        "original.html",
        {"case": dashboard.case_header(ws, case_id), "active": "timeline", "v": view, "event_id": event},
    )


@router.get("/cases/{case_id}/evidence/{handle}/raw")
def raw(request: Request, ws: WS, case_id: CaseId, handle: int, download: bool = False) -> Response:
    ev, data = evidence_file(ws, case_id, evidence_of(request, case_id, handle))
    mt = ev.media_type or "application/octet-stream"
    inline = not download and mt.startswith(INLINE_TYPES)
    name = safe_leaf_name(ev.first_name, fallback=f"evidence-{handle}")
    disp = "inline" if inline else "attachment"
    return Response(
        data,
        media_type=mt if inline else "application/octet-stream",
        headers={
            "Content-Disposition": f"{disp}; filename=\"evidence-{handle}\"; filename*=UTF-8''{quote(name)}",
            "Content-Security-Policy": "default-src 'none'; img-src 'self'; media-src 'self'; sandbox",
            "X-Evidence-SHA256": ev.sha256,
        },
    )
