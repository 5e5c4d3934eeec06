"""文书: generate each document, preview it, download DOCX/PDF; record that it was sent → deadline tracking."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from weiquan.errors import InputError, NotFoundError
from weiquan.services import actions, dashboard, documents
from weiquan.services.users import Principal
from weiquan.web.deps import WS, CaseId, Who, audit, csrf_protect
from weiquan.web.templating import render
from weiquan.workspace import Workspace

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
MEDIA = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "pdf": "application/pdf"}
PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; sandbox"


def document_bytes(ws: Workspace, case_id: int, doc: str, fmt: str) -> tuple[bytes, str]:
    """Draft one document in one format into a temporary folder; (bytes, file name)."""
    if fmt not in MEDIA:
        raise NotFoundError(f"不支持的格式：{fmt}", f"unsupported format: {fmt}")
    with tempfile.TemporaryDirectory(prefix="weiquan-doc-") as tmp:
        paths = documents.draft_document(ws, case_id, doc, formats=(fmt,), out_dir=Path(tmp))
        path = next(p for p in paths if p.suffix == f".{fmt}")
        return path.read_bytes(), path.name


def download_response(data: bytes, name: str, media_type: str) -> Response:
    suffix = Path(name).suffix
    ascii_name = name if name.isascii() else f"weiquan-document{suffix}"
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"},
    )


def document_download(request: Request, ws: Workspace, who: Principal, case_id: int, doc: str, fmt: str) -> Response:
    """One document drafted in one format, audited, as a download: the page's and the API's one step."""
    data, name = document_bytes(ws, case_id, doc, fmt)
    audit(request, who, "document", case_id=case_id, target=f"document:{doc}.{fmt}")
    return download_response(data, name, MEDIA[fmt])


def _channels(ws: Workspace) -> list[tuple[str, str]]:
    pack = ws.law
    return [(c.id, c.name_zh) for c in sorted(pack.channels.values(), key=lambda c: c.order)]


@router.get("/cases/{case_id}/documents")
def documents_page(request: Request, ws: WS, case_id: CaseId) -> Response:
    return render(
        request,
        "documents.html",
        {
            "case": dashboard.case_header(ws, case_id),
            "active": "documents",
            "docs": documents.list_documents(),
            "actions": actions.list_actions(ws, case_id),
            "channels": _channels(ws),
            "today": dt.date.today().isoformat(),
        },
    )


@router.get("/cases/{case_id}/documents/{doc}/preview")
def preview(ws: WS, case_id: CaseId, doc: str) -> Response:
    html = documents.document_html(ws, case_id, doc)
    return Response(html, media_type="text/html; charset=utf-8", headers={"Content-Security-Policy": PREVIEW_CSP})


@router.get("/cases/{case_id}/documents/{doc}/view")
def preview_page(request: Request, ws: WS, case_id: CaseId, doc: str) -> Response:
    info = next((d for d in documents.list_documents() if d.id == doc), None)
    if info is None:
        raise NotFoundError(f"没有这种文书：{doc}", f"no such document: {doc}")
    return render(
        request,
        "document_view.html",
        {
            "case": dashboard.case_header(ws, case_id),
            "active": "documents",
            "doc": info,
            "channels": _channels(ws),
            "today": dt.date.today().isoformat(),
        },
    )


@router.get("/cases/{case_id}/documents/{doc}.{fmt}")
def download(request: Request, ws: WS, who: Who, case_id: CaseId, doc: str, fmt: str) -> Response:
    return document_download(request, ws, who, case_id, doc, fmt)


@router.post("/cases/{case_id}/actions")
def add_action(
    request: Request,
    ws: WS,
    who: Who,
    case_id: CaseId,
    body: Annotated[str, Form(max_length=80)],
    document: Annotated[str, Form(max_length=40)] = "",
    submitted_on: Annotated[str, Form(max_length=20)] = "",
    reference_no: Annotated[str, Form(max_length=120)] = "",
    notes: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    when = actions.refuse_future(_date(submitted_on), dashboard.case_header(ws, case_id).timezone)
    out = actions.add_action(
        ws,
        case_id,
        body,
        document=document or None,
        submitted_at=when,
        reference_no=reference_no.strip() or None,
        notes=notes.strip() or None,
    )
    audit(request, who, "action_add", case_id=case_id, target=f"action:{out.id}")
    return RedirectResponse(f"/cases/{case_id}/documents#actions", status_code=303)


@router.post("/cases/{case_id}/actions/{action_id}")
def update_action(
    request: Request,
    ws: WS,
    who: Who,
    case_id: CaseId,
    action_id: int,
    status: Annotated[str, Form(max_length=20)] = "",
    reference_no: Annotated[str, Form(max_length=120)] = "",
    response: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    actions.require_action_in_case(ws, case_id, action_id)
    actions.update_action(
        ws,
        action_id,
        status=status or None,
        reference_no=reference_no.strip() or None,
        response=response.strip() or None,
    )
    audit(request, who, "action_update", case_id=case_id, target=f"action:{action_id}")
    return RedirectResponse(f"/cases/{case_id}/documents#actions", status_code=303)


def _date(value: str) -> dt.date | None:
    v = value.strip()
    if not v:
        return None
    try:
        return dt.date.fromisoformat(v)
    except ValueError:
        raise InputError(f"日期格式不对：{v}（应为 2025-01-31）", f"bad date: {v} (expected YYYY-MM-DD)") from None
