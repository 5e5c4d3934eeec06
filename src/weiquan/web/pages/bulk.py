"""批量分析: read-only pages for finished corpus runs (``weiquan bulk run`` records them in the data home)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from weiquan.services import bulk as svc
from weiquan.services.users import Principal
from weiquan.web.deps import WS, require_admin
from weiquan.web.templating import render

router = APIRouter(include_in_schema=False)
Analyst = Annotated[Principal, Depends(require_admin)]  # corpus data belongs to whoever runs the data home


@router.get("/bulk")
def runs_page(request: Request, ws: WS, who: Analyst) -> Response:
    return render(request, "bulk_runs.html", {"runs": svc.list_runs(ws.home)})


@router.get("/bulk/{run_id}")
def run_page(
    request: Request, ws: WS, who: Analyst, run_id: Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")]
) -> Response:
    return render(request, "bulk_run.html", svc.run_view(run_id, ws.home))
