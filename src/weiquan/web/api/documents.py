"""API: the documents that can be drafted, and drafting one as DOCX or PDF."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from weiquan.services import documents
from weiquan.web.deps import WS, CaseId, Who
from weiquan.web.pages.documents import PREVIEW_CSP, document_download

router = APIRouter(tags=["documents 文书"])


@router.get("/documents", summary="可以生成的文书 Document types")
def list_documents() -> list[dict[str, Any]]:
    return [asdict(d) for d in documents.list_documents()]


@router.get("/cases/{case_id}/documents/{doc}.html", response_class=HTMLResponse, summary="预览（HTML）Preview")
def preview(ws: WS, case_id: CaseId, doc: str) -> Response:
    return HTMLResponse(documents.document_html(ws, case_id, doc), headers={"Content-Security-Policy": PREVIEW_CSP})


@router.get(
    "/cases/{case_id}/documents/{doc}.{fmt}",
    response_class=Response,
    summary="生成并下载文书（docx 或 pdf）Draft a document (docx or pdf)",
)
def draft(request: Request, ws: WS, who: Who, case_id: CaseId, doc: str, fmt: str) -> Response:
    return document_download(request, ws, who, case_id, doc, fmt)
