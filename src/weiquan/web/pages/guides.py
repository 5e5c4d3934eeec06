"""指南: short guides, each with 相关推荐 links."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from weiquan.web.guide_data import get_guide, load_guides
from weiquan.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/guides")
def guide_index(request: Request) -> Response:
    return render(request, "guides.html", {"guides": list(load_guides().values())})


@router.get("/guides/{guide_id}")
def guide(request: Request, guide_id: str) -> Response:
    g = get_guide(guide_id)
    all_guides = load_guides()
    return render(request, "guide.html", {"g": g, "related": [all_guides[r] for r in g.related]})
