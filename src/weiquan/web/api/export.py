"""API: export the evidence package, download it, verify an uploaded package."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import FileResponse, Response
from starlette.datastructures import UploadFile

from weiquan.errors import InputError
from weiquan.services import export
from weiquan.services.export import PackageFile
from weiquan.web.api.multipart import multipart_body
from weiquan.web.deps import WS, CaseId, Who, csrf_protect
from weiquan.web.jobs import run_heavy
from weiquan.web.pages.imports import max_upload_bytes
from weiquan.web.pages.package import export_audited, package_download

router = APIRouter(tags=["export 证据包"], dependencies=[Depends(csrf_protect)])


@router.post("/cases/{case_id}/export", summary="生成证据包 Export the evidence package")
def export_case(request: Request, ws: WS, who: Who, case_id: CaseId, include_derived: bool = False) -> Any:
    result = export_audited(request, ws, who, case_id, include_derived=include_derived)
    out = jsonable_encoder(result)
    out["path"] = result.path.name
    out["download"] = f"/api/v1/cases/{case_id}/packages/{result.path.name}"
    return out


@router.get("/cases/{case_id}/packages", response_model=list[PackageFile], summary="已生成的证据包 Packages")
def packages(ws: WS, case_id: CaseId) -> list[PackageFile]:
    return export.list_packages(ws, case_id)


@router.get("/cases/{case_id}/packages/{name}", response_class=FileResponse, summary="下载证据包 Download a package")
def download(request: Request, ws: WS, who: Who, case_id: CaseId, name: str) -> Response:
    return package_download(request, ws, who, case_id, name)


@router.post(
    "/verify",
    summary="检查证据包（multipart 字段 package）Verify an uploaded package (field 'package')",
    openapi_extra=multipart_body({"package": {"type": "string", "format": "binary"}}, ["package"]),
)
async def verify(request: Request, ws: WS, who: Who) -> Any:
    form = await request.form(max_files=1, max_fields=5)
    upload = form.get("package")
    if not isinstance(upload, UploadFile):
        raise InputError("请上传证据包（字段 package）", "upload the package in field 'package'")
    result = await run_heavy(
        request, export.verify_upload, ws, upload.file, upload.filename, max_bytes=max_upload_bytes(request)
    )
    await upload.close()
    return jsonable_encoder(result)
