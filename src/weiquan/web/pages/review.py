"""审核: each finding with the highlighted span, the original and the provisions; confirm / reject / note."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from weiquan.errors import InputError
from weiquan.services import analysis, dashboard
from weiquan.services import law as law_svc
from weiquan.services.analysis import FindingOut
from weiquan.services.users import Principal
from weiquan.web.deps import WS, CaseId, Who, audit, csrf_protect
from weiquan.web.templating import render
from weiquan.workspace import Workspace

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
PAGE = 50
STATES = ("auto", "confirmed", "rejected")


def review_audited(
    request: Request, ws: Workspace, who: Principal, case_id: int, finding_id: int, state: str, note: str | None
) -> FindingOut:
    """Review one finding of this case, audited: the page's and the API's one step."""
    analysis.require_finding_in_case(ws, case_id, finding_id)
    out = analysis.review_finding(ws, finding_id, state, reviewer=who.label, note=note)
    audit(request, who, "review", case_id=case_id, target=f"finding:{finding_id}:{state}")
    return out


@router.get("/cases/{case_id}/review")
def review_page(
    request: Request, ws: WS, case_id: CaseId, state: str | None = None, page: Annotated[int, Query(ge=1)] = 1
) -> Response:
    if state is not None and state not in STATES:
        state = None
    findings = analysis.list_findings(ws, case_id, state=state)
    everything = analysis.list_findings(ws, case_id) if state else findings
    chunk = findings[(page - 1) * PAGE : page * PAGE]
    return render(
        request,
        "review.html",
        {
            "case": dashboard.case_header(ws, case_id),
            "active": "review",
            "groups": analysis.group_by_category(
                analysis.review_items(ws.law, chunk, law_svc.case_scope(ws, case_id)), everything
            ),
            "state": state,
            "counts": _counts(everything),
            "page": page,
            "has_next": len(findings) > page * PAGE,
        },
    )


def _counts(findings: list[analysis.FindingOut]) -> dict[str, int]:
    counts = {s: 0 for s in STATES}
    for f in findings:
        counts[f.review_state] = counts.get(f.review_state, 0) + 1
    return counts


@router.post("/cases/{case_id}/findings/{finding_id}/review")
def review(
    request: Request,
    ws: WS,
    who: Who,
    case_id: CaseId,
    finding_id: int,
    state: Annotated[str, Form()],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    if state not in STATES:
        raise InputError(f"未知的审核结果：{state}", f"unknown review state: {state}")
    review_audited(request, ws, who, case_id, finding_id, state, note.strip() or None)
    if request.headers.get("hx-request") == "true":
        everything = analysis.list_findings(ws, case_id)
        f = next(x for x in everything if x.id == finding_id)
        # the card, plus the counters elsewhere on the page (out-of-band swaps): they change with every click
        return render(
            request,
            "_finding.html",
            {
                "it": analysis.review_items(ws.law, [f], law_svc.case_scope(ws, case_id))[0],
                "case": dashboard.case_header(ws, case_id),
                "just_saved": True,
                "oob": {
                    "counts": _counts(everything),
                    "state": request.query_params.get("state"),
                    "group": analysis.group_pending(everything, f.category),
                    "category": f.category,
                },
            },
        )
    return RedirectResponse(f"/cases/{case_id}/review#f{finding_id}", status_code=303)
