"""Case dashboard (概览): counts, findings by category with the law, charts, next steps and deadlines."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import Response

from weiquan.errors import WeiquanError
from weiquan.services import actions, dashboard, users
from weiquan.services import law as law_svc
from weiquan.services.plan import build_plan
from weiquan.web.charts import cached_chart
from weiquan.web.deps import WS, CaseId, Who
from weiquan.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/cases/{case_id}")
def case_page(request: Request, ws: WS, who: Who, case_id: CaseId) -> Response:
    case = dashboard.case_header(ws, case_id)
    d = request.app.state.dashboard_cache.get(ws, case_id)
    scope = law_svc.case_scope(ws, case_id)  # cite as the documents do: version in force, lender bound
    by_cat = law_svc.category_scopes(ws, case_id, scope)  # each conduct cited for its own days
    cats = {c.category: law_svc.category_info(ws.law, c.category, by_cat.get(c.category, scope)) for c in d.findings}
    days = _continuous_days(d.per_day)
    peak = max((x.count for x in days), default=0)
    heat_max = max((max(r) for r in d.heat), default=0)
    return render(
        request,
        "dashboard.html",
        {
            "case": case,
            "active": "dashboard",
            "d": d,
            "cats": cats,
            "peak": peak,
            "heat_max": heat_max,
            "days": days,
            "actions": actions.list_actions(ws, case_id),
            "shares": users.case_shares(ws, case_id),
            "can_share": users.can_manage_sharing(ws, who, case_id),
        },
    )


MAX_BAR_DAYS = 120


def _continuous_days(per_day: list[dashboard.DayCount]) -> list[dashboard.DayCount]:
    """Every day from the first contact to the last (the latest ``MAX_BAR_DAYS``), days without contact as 0,
    so the bar chart's width is time and a quiet week shows as a gap."""
    if not per_day:
        return []
    counts = {x.day: x.count for x in per_day}
    last = per_day[-1].day
    first = max(per_day[0].day, last - dt.timedelta(days=MAX_BAR_DAYS - 1))
    return [
        dashboard.DayCount(day=first + dt.timedelta(days=i), count=counts.get(first + dt.timedelta(days=i), 0))
        for i in range((last - first).days + 1)
    ]


@router.get("/cases/{case_id}/plan")
def plan_fragment(request: Request, ws: WS, case_id: CaseId) -> Response:
    """The next steps of the plan (loaded after the page, as it reads every finding)."""
    case = dashboard.case_header(ws, case_id)
    try:
        plan, error = build_plan(ws, case_id), None
    except WeiquanError as e:
        plan, error = None, e.zh
    template = "_plan.html" if request.headers.get("hx-request") == "true" else "plan_page.html"
    return render(request, template, {"case": case, "active": "dashboard", "plan": plan, "error": error})


@router.get("/cases/{case_id}/charts/{name}.svg")
def chart(request: Request, ws: WS, case_id: CaseId, name: str) -> Response:
    data = cached_chart(request.app.state.chart_cache, ws, case_id, name, fmt="svg")
    return Response(data, media_type="image/svg+xml", headers={"Cache-Control": "private, no-cache"})
