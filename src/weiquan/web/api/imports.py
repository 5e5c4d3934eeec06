"""API: import files into a case, list its files, extraction progress, run the analysis."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from weiquan.services import analysis, extraction, imports
from weiquan.services.analysis import AnalysisResult
from weiquan.services.extraction import JobProgress
from weiquan.services.imports import CaseFile, FileResult
from weiquan.web.api.multipart import multipart_body
from weiquan.web.deps import WS, CaseId, Who, audit, csrf_protect
from weiquan.web.handles import shown
from weiquan.web.pages.imports import import_upload

router = APIRouter(prefix="/cases/{case_id}", tags=["import 导入"], dependencies=[Depends(csrf_protect)])


@router.post(
    "/import",
    response_model=list[FileResult],
    summary="导入文件 Import files (multipart field 'files', optional 'tz')",
    openapi_extra=multipart_body(
        {"files": {"type": "array", "items": {"type": "string", "format": "binary"}}, "tz": {"type": "string"}},
        ["files"],
    ),
)
async def import_files(request: Request, ws: WS, who: Who, case_id: CaseId) -> list[FileResult]:
    """Each file is checked by content and imported in its own transaction; refused files come back with status ``refused``."""
    results = await import_upload(request, ws, who, case_id)
    # this case's handle of each file, never the vault's id (web/handles.py)
    return [
        r.model_copy(update={"evidence_id": shown(request, case_id, r.evidence_id)}) if r.evidence_id is not None else r
        for r in results
    ]


@router.get("/files", response_model=list[CaseFile], summary="已导入的文件 Files of the case")
def files(request: Request, ws: WS, case_id: CaseId, limit: int = 500) -> list[CaseFile]:
    return [
        f.model_copy(update={"evidence_id": shown(request, case_id, f.evidence_id)})
        for f in imports.case_files(ws, case_id, limit=max(1, min(limit, 5000)))
    ]


@router.get("/jobs", response_model=JobProgress, summary="截图识别/录音转写进度 Extraction progress")
def jobs(ws: WS, case_id: CaseId) -> JobProgress:
    return extraction.job_progress(ws, case_id)


@router.post("/analyze", response_model=AnalysisResult, summary="分析案件 Run the detectors")
def analyze(request: Request, ws: WS, who: Who, case_id: CaseId) -> AnalysisResult:
    out = analysis.analyze_case(ws, case_id)
    audit(request, who, "analyze", case_id=case_id, target=f"case:{case_id}")
    return out
