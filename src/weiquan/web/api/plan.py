"""API: the escalation plan of a case."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.encoders import jsonable_encoder

from weiquan.services.plan import build_plan
from weiquan.web.deps import WS, CaseId

router = APIRouter(prefix="/cases/{case_id}", tags=["plan 计划"])


@router.get("/plan", summary="维权步骤 The escalation plan")
def plan(ws: WS, case_id: CaseId) -> Any:
    return jsonable_encoder(build_plan(ws, case_id))
