"""指南: short guides, each with 相关推荐 links."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from weiquan.web.deps import WS
from weiquan.web.guide_data import for_pack, get_guide, load_guides
from weiquan.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/guides")
def guide_index(request: Request, ws: WS) -> Response:
    return render(request, "guides.html", {"guides": [for_pack(g, ws.law) for g in load_guides().values()]})


@router.get("/guides/{guide_id}")
def guide(request: Request, ws: WS, guide_id: str) -> Response:
    g = for_pack(get_guide(guide_id), ws.law)
    all_guides = load_guides()
    return render(request, "guide.html", {"g": g, "related": [for_pack(all_guides[r], ws.law) for r in g.related]})
