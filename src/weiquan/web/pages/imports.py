"""导入: drag-and-drop upload of many files with per-file results, then extraction progress and analysis."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from weiquan.errors import InputError, WeiquanError
from weiquan.services import analysis, dashboard, dates, extraction, imports
from weiquan.services.imports import FileResult
from weiquan.services.users import Principal
from weiquan.web.deps import WS, CaseId, Who, audit, csrf_protect, get_config
from weiquan.web.jobs import extract_then_analyze, run_heavy
from weiquan.web.templating import render
from weiquan.workspace import Workspace

router = APIRouter(include_in_schema=False)
_LOCK = threading.Lock()
protected = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


def max_upload_bytes(request: Request) -> int:
    cfg = get_config(request)
    ws: Workspace = request.app.state.ws
    return (cfg.max_upload_mb or ws.settings.max_upload_mb) * 1024 * 1024


def start_background(request: Request, ws: Workspace, case_id: int) -> bool:
    """Start extraction + re-analysis for the case in the app's worker thread unless already running."""
    if not get_config(request).run_extraction:
        return False
    running: dict[int, Future[Any]] = request.app.state.background
    again: set[int] = request.app.state.background_again
    with _LOCK:
        fut = running.get(case_id)
        if fut is not None and not fut.done():
            again.add(case_id)  # a file arrived while the last run was busy: run once more when it ends
            return False
        running[case_id] = request.app.state.executor.submit(_run_until_quiet, ws, case_id, again)
    return True


def _run_until_quiet(ws: Workspace, case_id: int, again: set[int]) -> None:
    """Extraction then analysis, repeated while uploads arrived during the previous pass (their jobs
    would otherwise wait for the next upload)."""
    while True:
        extract_then_analyze(ws, case_id)
        with _LOCK:
            if case_id not in again:
                return
            again.discard(case_id)


async def receive_files(request: Request, ws: Workspace, case_id: int) -> tuple[list[FileResult], str | None]:
    """Parse the multipart body and import each file (one transaction per file)."""
    form = await request.form(max_files=get_config(request).max_files_per_upload, max_fields=20)
    tz_value = form.get("tz")
    tz = tz_value.strip() if isinstance(tz_value, str) and tz_value.strip() else None
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
    if not files:
        raise InputError("没有收到文件，请选择要导入的文件", "no file received")
    limit = max_upload_bytes(request)
    workers = request.app.state.import_workers  # None: import in the worker thread itself
    results: list[FileResult] = []
    for f in files:
        results.extend(
            await run_heavy(
                request,
                imports.import_upload,
                ws,
                case_id,
                f.file,
                f.filename,
                max_bytes=limit,
                tz=tz,
                run=workers.run if workers is not None else None,
            )
        )
        await f.close()
    return results, tz


async def import_upload(request: Request, ws: Workspace, who: Principal, case_id: int) -> list[FileResult]:
    """An upload from the page or the API: import the files, record it, and start recognition and analysis when
    anything was imported."""
    results, _tz = await receive_files(request, ws, case_id)
    audit(request, who, "import", case_id=case_id, target=f"files:{len(results)}")
    if any(r.status in ("queued", "partial", "parsed") for r in results):
        start_background(request, ws, case_id)
    return results


def live_context(request: Request, ws: Workspace, case_id: int) -> dict[str, Any]:
    """What the import page shows that changes after an upload or an extraction (the live region)."""
    counts = dashboard.case_dashboard_finding_counts(ws, case_id)
    return {
        "case": dashboard.case_header(ws, case_id),
        "case_id": case_id,
        "files": imports.case_files(ws, case_id, limit=200),
        "progress": extraction.job_progress(ws, case_id),
        "dates_pending": dates.count_pending(ws, case_id),
        "findings_total": sum(c.total for c in counts),
        "findings_pending": sum(c.pending for c in counts),
    }


def _import_html(request: Request, ws: Workspace, case_id: int, results: list[FileResult] | None) -> Response:
    """The whole import page, with the results of an upload when there was one."""
    return render(
        request,
        "import.html",
        {
            **live_context(request, ws, case_id),
            "active": "import",
            "max_mb": max_upload_bytes(request) // (1024 * 1024),
            "results": results,
        },
    )


@router.get("/cases/{case_id}/import")
def import_page(request: Request, ws: WS, case_id: CaseId) -> Response:
    return _import_html(request, ws, case_id, None)


@router.get("/cases/{case_id}/import/live")
def import_live(request: Request, ws: WS, case_id: CaseId) -> Response:
    return render(request, "_import_live.html", live_context(request, ws, case_id))


@protected.post("/cases/{case_id}/import/upload")
async def upload(request: Request, ws: WS, who: Who, case_id: CaseId) -> Response:
    results = await import_upload(request, ws, who, case_id)
    if request.headers.get("hx-request") == "true":
        return render(request, "_file_results.html", {"results": results, "case_id": case_id})
    return _import_html(request, ws, case_id, results)


@router.get("/cases/{case_id}/import/progress")
def progress(request: Request, ws: WS, case_id: CaseId) -> Response:
    return render(request, "_progress.html", {"progress": extraction.job_progress(ws, case_id), "case_id": case_id})


@protected.post("/cases/{case_id}/import/pause")
def pause(request: Request, ws: WS, who: Who, case_id: CaseId) -> Response:
    """Pause recognition: the background run finishes the file it is on, then stops; nothing is lost."""
    n = extraction.pause_jobs(ws, case_id)
    audit(request, who, "extract_pause", case_id=case_id, target=f"jobs:{n}")
    return _progress_or_back(request, ws, case_id)


@protected.post("/cases/{case_id}/import/resume")
def resume(request: Request, ws: WS, who: Who, case_id: CaseId) -> Response:
    n = extraction.resume_jobs(ws, case_id)
    audit(request, who, "extract_resume", case_id=case_id, target=f"jobs:{n}")
    if n:
        start_background(request, ws, case_id)
    return _progress_or_back(request, ws, case_id)


def _progress_or_back(request: Request, ws: Workspace, case_id: int) -> Response:
    if request.headers.get("hx-request") == "true":
        return render(request, "_progress.html", {"progress": extraction.job_progress(ws, case_id), "case_id": case_id})
    return RedirectResponse(f"/cases/{case_id}/import", status_code=303)


@protected.post("/cases/{case_id}/analyze")
def analyze(request: Request, ws: WS, who: Who, case_id: CaseId) -> Response:
    try:
        analysis.analyze_case(ws, case_id)
        error = None
    except WeiquanError as e:
        error = e.zh
    audit(request, who, "analyze", case_id=case_id, target=f"case:{case_id}")
    if request.headers.get("hx-request") != "true":
        if error:
            raise InputError(error, "analysis failed")
        return RedirectResponse(f"/cases/{case_id}/review", status_code=303)
    d = dashboard.case_dashboard(ws, case_id, top_numbers=1)
    return render(request, "_analysis.html", {"d": d, "case_id": case_id, "error": error})


router.include_router(protected)
