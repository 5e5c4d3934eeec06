"""首页: the case list, creating a case (with lender suggestions), sharing and deleting."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from weiquan.errors import WeiquanError
from weiquan.services import cases, users
from weiquan.services.users import Principal
from weiquan.web.deps import WS, CaseId, Forbidden, Who, audit, csrf_protect
from weiquan.web.templating import render
from weiquan.workspace import Workspace

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


@router.get("/")
def home(request: Request, ws: WS, who: Who) -> Response:
    ids = users.accessible_case_ids(ws, who)
    items = cases.list_cases(ws, case_ids=ids)
    return render(request, "home.html", {"cases": items})


@router.get("/lenders/suggest")
def lender_suggest(request: Request, ws: WS, who: Who, lender: str = "") -> Response:
    try:
        hits = cases.suggest_lenders(ws, lender[:100]) if len(lender.strip()) >= 2 else []
        error = None
    except WeiquanError as e:
        hits, error = [], e.zh
    return render(request, "_lender_suggest.html", {"hits": hits, "error": error, "q": lender})


@router.post("/cases")
def create_case(
    request: Request,
    ws: WS,
    who: Who,
    name: Annotated[str, Form(max_length=200)],
    lender: Annotated[str, Form(max_length=200)] = "",
    borrower_name: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    out = cases.create_case(ws, name, lender=lender, borrower_name=borrower_name, owner_id=who.user_id)
    audit(request, who, "case_create", case_id=out.id, target=f"case:{out.id}")
    return RedirectResponse(f"/cases/{out.id}/import", status_code=303)


def change_sharing(
    request: Request, ws: Workspace, who: Principal, case_id: int, username: str, *, share: bool
) -> None:
    """Share the case with ``username`` or stop sharing it, audited: one step for the page and the API."""
    if share:
        users.share_case(ws, who, case_id, username)
    else:
        users.unshare_case(ws, who, case_id, username)
    audit(request, who, "case_share" if share else "case_unshare", case_id=case_id, target=f"user:{username[:80]}")


@router.post("/cases/{case_id}/share")
def share(
    request: Request, ws: WS, who: Who, case_id: CaseId, username: Annotated[str, Form(max_length=100)]
) -> Response:
    change_sharing(request, ws, who, case_id, username, share=True)
    return RedirectResponse(f"/cases/{case_id}#share", status_code=303)


@router.post("/cases/{case_id}/unshare")
def unshare(
    request: Request, ws: WS, who: Who, case_id: CaseId, username: Annotated[str, Form(max_length=100)]
) -> Response:
    change_sharing(request, ws, who, case_id, username, share=False)
    return RedirectResponse(f"/cases/{case_id}#share", status_code=303)


def delete_case_audited(request: Request, ws: Workspace, who: Principal, case_id: int) -> dict[str, object]:
    """Delete a case, audited, if ``who`` owns it or is an admin: one step for the page and the API."""
    if not users.can_manage_sharing(ws, who, case_id):
        raise Forbidden("只有案件所有人或管理员可以删除案件", "only the case owner or an admin can delete a case")
    out = cases.delete_case(ws, case_id)
    audit(request, who, "case_delete", case_id=case_id, target=f"case:{case_id}")
    return out


@router.post("/cases/{case_id}/delete")
def delete(request: Request, ws: WS, who: Who, case_id: CaseId) -> Response:
    delete_case_audited(request, ws, who, case_id)
    return RedirectResponse("/", status_code=303)
