"""Case management, and the lender registry look-ups of the new-case form (CLI ``case new`` and the web alike)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from weiquan.errors import InputError, NotFoundError
from weiquan.store.models import Acquisition, Action, Case, Event, Finding, Job, Loan
from weiquan.workspace import Workspace


class CaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    lender_name: str | None = None
    lender_entity: str | None = None
    licence_type: str | None = None
    borrower_name: str | None = None
    timezone: str
    status: str
    is_sample: bool
    owner_id: int | None = None
    created_at: dt.datetime
    counts: dict[str, int] = {}


class LenderSuggestion(BaseModel):
    id: str
    name: str  # the name that matched (brand, entity or former name)
    entity: str | None
    licence_type: str
    regulator: str
    confidence: str  # of the licence status
    brand_confidence: str
    note_zh: str | None = None
    score: float
    exact: bool = False


def suggest_lenders(ws: Workspace, query: str, *, limit: int = 6) -> list[LenderSuggestion]:
    """Registry entries whose brand, entity or former name resembles ``query`` (best first)."""
    q = query.strip()
    if not q:
        return []
    return [
        LenderSuggestion(
            id=m.lender.id,
            name=m.matched_name,
            entity=m.lender.entity,
            licence_type=m.lender.licence_type,
            regulator=m.lender.regulator,
            confidence=m.lender.confidence,
            brand_confidence=m.lender.brand_confidence,
            note_zh=m.lender.note_zh,
            score=round(float(m.score), 1),
            exact=m.exact,
        )
        for m in ws.law.find_lender(q, limit=limit)
    ]


def lookup_lender(ws: Workspace, name: str) -> LenderSuggestion | None:
    """The registry entry for an exact lender name (after normalisation), else None."""
    best = suggest_lenders(ws, name, limit=1)
    return best[0] if best and best[0].exact else None


def _out(s: Session, case: Case, *, with_counts: bool = False) -> CaseOut:
    out = CaseOut.model_validate(case)
    if with_counts:
        out.counts = {
            "events": s.scalar(
                select(func.count())
                .select_from(Event)
                .where(Event.case_id == case.id, Event.date_unconfirmed.is_(False))
            )
            or 0,
            "dates_to_confirm": s.scalar(
                select(func.count())
                .select_from(Event)
                .where(Event.case_id == case.id, Event.date_unconfirmed.is_(True))
            )
            or 0,
            "findings": s.scalar(select(func.count()).select_from(Finding).where(Finding.case_id == case.id)) or 0,
            "files": s.scalar(select(func.count()).select_from(Acquisition).where(Acquisition.case_id == case.id)) or 0,
            "actions": s.scalar(select(func.count()).select_from(Action).where(Action.case_id == case.id)) or 0,
        }
    return out


def create_case(
    ws: Workspace,
    name: str,
    *,
    lender: str | None = None,
    borrower_name: str | None = None,
    timezone: str | None = None,
    owner_id: int | None = None,
    is_sample: bool = False,
    extra: dict[str, Any] | None = None,
) -> CaseOut:
    """A new case; a lender name the registry knows exactly fills the lender's legal entity and licence type."""
    name = name.strip()
    if not name:
        raise InputError("案件名称不能为空", "case name must not be empty")
    lender = (lender or "").strip() or None
    hit = lookup_lender(ws, lender) if lender else None
    with ws.db.session() as s:
        case = Case(
            name=name,
            lender_name=lender,
            borrower_name=(borrower_name or "").strip() or None,
            timezone=timezone or ws.settings.timezone,
            owner_id=owner_id,
            is_sample=is_sample,
            extra=extra or {},
            # the licence from the lender registry, for an exact match only (CLI and web alike)
            lender_entity=hit.entity if hit is not None else None,
            licence_type=hit.licence_type if hit is not None else None,
        )
        s.add(case)
        s.flush()
        out = _out(s, case)
    ws.vault.record("case_created", case_id=out.id, meta={"sample": is_sample})
    return out


def get_case_row(s: Session, case_id: int) -> Case:
    case = s.get(Case, case_id)
    if case is None:
        raise NotFoundError(f"案件 {case_id} 不存在", f"case {case_id} does not exist")
    return case


def get_case(ws: Workspace, case_id: int) -> CaseOut:
    with ws.db.read_session() as s:
        return _out(s, get_case_row(s, case_id), with_counts=True)


def list_cases(ws: Workspace, *, owner_id: int | None = None, case_ids: set[int] | None = None) -> list[CaseOut]:
    with ws.db.read_session() as s:
        q = select(Case).order_by(Case.id)
        if owner_id is not None:
            q = q.where(Case.owner_id == owner_id)
        if case_ids is not None:
            q = q.where(Case.id.in_(case_ids))
        return [_out(s, c, with_counts=True) for c in s.execute(q).scalars()]


def update_case(ws: Workspace, case_id: int, **fields: Any) -> CaseOut:
    allowed = {
        "name",
        "lender_name",
        "lender_entity",
        "licence_type",
        "borrower_name",
        "status",
        "notes",
        "timezone",
        "borrower_phones",
    }
    bad = set(fields) - allowed
    if bad:
        raise InputError(
            f"不能修改的字段：{', '.join(sorted(bad))}", f"fields cannot be changed: {', '.join(sorted(bad))}"
        )
    with ws.db.session() as s:
        case = get_case_row(s, case_id)
        for k, v in fields.items():
            setattr(case, k, v)
        s.flush()
        return _out(s, case, with_counts=True)


def delete_case(ws: Workspace, case_id: int) -> dict[str, Any]:
    """Delete a case's records. Original blobs and the ledger stay; the deletion is recorded in the ledger."""
    with ws.db.session() as s:
        case = get_case_row(s, case_id)
        summary = {"id": case.id, "name": case.name}
        counts = {
            "events": s.scalar(select(func.count()).select_from(Event).where(Event.case_id == case_id)) or 0,
            "findings": s.scalar(select(func.count()).select_from(Finding).where(Finding.case_id == case_id)) or 0,
        }
        for model in (Job, Finding, Event, Loan, Action):
            s.execute(delete(model).where(model.case_id == case_id))
        s.delete(case)
    ws.vault.record("case_deleted", case_id=case_id, meta=counts)
    return {**summary, **counts, "deleted": True}
