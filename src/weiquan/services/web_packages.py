"""Evidence packages for the web: export into the case's output folder, list and find them, verify an upload."""

from __future__ import annotations

import datetime as dt
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

from pydantic import BaseModel

from weiquan.errors import NotFoundError
from weiquan.services import export
from weiquan.services.export import ExportResult, VerifyResult
from weiquan.services.web_uploads import staged
from weiquan.workspace import Workspace


class PackageFile(BaseModel):
    name: str
    size: int
    created: dt.datetime


def package_dir(ws: Workspace, case_id: int) -> Path:
    p = ws.output_dir / f"case-{case_id}" / "packages"
    p.mkdir(parents=True, exist_ok=True)
    return p


def export_for_web(ws: Workspace, case_id: int, *, include_derived: bool = False) -> ExportResult:
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
    out = package_dir(ws, case_id) / f"evidence-case{case_id}-{stamp}.zip"
    n = 1
    while out.exists():
        n += 1
        out = out.with_name(f"evidence-case{case_id}-{stamp}-{n}.zip")
    return export.export_case(ws, case_id, out, include_derived=include_derived)


def list_packages(ws: Workspace, case_id: int) -> list[PackageFile]:
    out = []
    for p in package_dir(ws, case_id).glob("*.zip"):
        st = p.stat()
        out.append(PackageFile(name=p.name, size=st.st_size, created=dt.datetime.fromtimestamp(st.st_mtime, dt.timezone.utc)))
    return sorted(out, key=lambda x: x.created, reverse=True)


def package_path(ws: Workspace, case_id: int, name: str) -> Path:
    """The path of a package listed for the case (the name is matched against the listing, never joined blindly)."""
    for p in package_dir(ws, case_id).glob("*.zip"):
        if p.name == name:
            return p
    raise NotFoundError(f"证据包不存在：{name}", f"no such package: {name}")


def verify_upload(ws: Workspace, src: BinaryIO, name: str | None, *, max_bytes: int) -> VerifyResult:
    """Verify an uploaded package; the upload is removed afterwards."""
    with staged(ws, src, name or "package.zip", max_bytes=max_bytes) as path:
        try:
            result = export.verify_package(path)
        except (zipfile.BadZipFile, zlib.error, EOFError) as e:
            # a damaged archive is a verification failure, not a crash
            return VerifyResult(ok=False, package=path.name, files_checked=0, merkle_root=None, problems=[{
                "kind": "corrupt", "path": path.name,
                "zh": f"证据包已损坏，无法读取（{type(e).__name__}）：文件被改动过或不完整",
                "en": f"the package is damaged and cannot be read ({type(e).__name__}: {e})"}])
        result.package = path.name
        return result
