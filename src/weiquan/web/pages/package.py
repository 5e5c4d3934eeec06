"""证据包: export the evidence package and verify one (upload a package to check it)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, Response
from starlette.datastructures import UploadFile

from weiquan.errors import InputError
from weiquan.services import dashboard, export
from weiquan.services.export import ExportResult
from weiquan.services.users import Principal
from weiquan.web.deps import WS, CaseId, Who, audit, csrf_protect
from weiquan.web.jobs import run_heavy
from weiquan.web.pages.imports import max_upload_bytes
from weiquan.web.templating import render
from weiquan.workspace import Workspace

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


def _page(request: Request, ws: WS, case_id: int, **extra: object) -> Response:
    return render(
        request,
        "package.html",
        {
            "case": dashboard.case_header(ws, case_id),
            "active": "package",
            "packages": export.list_packages(ws, case_id),
            "result": None,
            "verified": None,
            **extra,
        },
    )


def export_audited(
    request: Request, ws: Workspace, who: Principal, case_id: int, *, include_derived: bool = False
) -> ExportResult:
    """Write the case's evidence package for the web, audited: the page's and the API's one step."""
    result = export.export_for_web(ws, case_id, include_derived=include_derived)
    audit(request, who, "export", case_id=case_id, target=f"package:{result.path.name}")
    return result


def package_download(request: Request, ws: Workspace, who: Principal, case_id: int, name: str) -> FileResponse:
    """One of the case's packages as a download, audited: the page's and the API's one step."""
    path = export.package_path(ws, case_id, name)
    audit(request, who, "export_download", case_id=case_id, target=f"package:{name[:150]}")
    return FileResponse(path, media_type="application/zip", filename=path.name)


@router.get("/cases/{case_id}/package")
def package_page(request: Request, ws: WS, case_id: CaseId) -> Response:
    return _page(request, ws, case_id)


@router.post("/cases/{case_id}/package")
def export_package(request: Request, ws: WS, who: Who, case_id: CaseId) -> Response:
    return _page(request, ws, case_id, result=export_audited(request, ws, who, case_id))


@router.get("/cases/{case_id}/package/files/{name}")
def download_package(request: Request, ws: WS, who: Who, case_id: CaseId, name: str) -> Response:
    return package_download(request, ws, who, case_id, name)


@router.post("/cases/{case_id}/package/verify")
async def verify(request: Request, ws: WS, case_id: CaseId) -> Response:
    form = await request.form(max_files=1, max_fields=5)
    upload = form.get("package")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InputError("请选择要检查的证据包（.zip 文件）", "choose a package (.zip) to verify")
    verified = await run_heavy(
        request, export.verify_upload, ws, upload.file, upload.filename, max_bytes=max_upload_bytes(request)
    )
    await upload.close()
    return _page(request, ws, case_id, verified=verified, verified_name=upload.filename)
