"""API: lender registry look-up (fuzzy), as on the new-case form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from weiquan.services import cases
from weiquan.services.cases import LenderSuggestion
from weiquan.web.deps import WS, Who

router = APIRouter(prefix="/lenders", tags=["lenders 放贷机构"])


@router.get("", response_model=list[LenderSuggestion], summary="查找放贷机构 Find a lender by name")
def lenders(
    ws: WS,
    who: Who,
    q: Annotated[str, Query(min_length=1, max_length=100)],
    limit: Annotated[int, Query(ge=1, le=20)] = 6,
) -> list[LenderSuggestion]:
    return cases.suggest_lenders(ws, q, limit=limit)
