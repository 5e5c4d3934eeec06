"""Loan checks attached to a case: run ``check_loan`` and keep the input and result in the ``loans`` table.

Used by the web UI, the action area (documents cite the verdict and amounts) and the report.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from weiquan.errors import NotFoundError
from weiquan.loans.check import check_loan
from weiquan.services.cases import get_case_row
from weiquan.store.models import Loan
from weiquan.workspace import Workspace


class LoanOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int
    lender: str | None = None
    legal_entity: str | None = None
    licence_type: str | None = None
    contract_date: dt.date | None = None
    principal: float | None = None
    apr: float | None = None
    verdict: str | None = None
    cash_flows: dict[str, Any]
    result: dict[str, Any]
    created_at: dt.datetime


def check_only(ws: Workspace, data: dict[str, Any], *, today: dt.date | None = None) -> dict[str, Any]:
    """Check a loan with the law pack of this data home (its imported LPR fixings included); nothing is stored."""
    return check_loan(data, pack=ws.law, today=today)


def add_loan(ws: Workspace, case_id: int, data: dict[str, Any], *, today: dt.date | None = None) -> LoanOut:
    """Check a loan (raises InputError on bad input, nothing stored) and store input + result on the case."""
    result = check_loan(data, pack=ws.law, today=today)
    entity = None
    if data.get("lender"):
        matches = ws.law.find_lender(str(data["lender"]), limit=1)
        if matches and matches[0].score >= 90 and matches[0].lender.entity:
            entity = matches[0].lender.entity
    with ws.db.session() as s:
        case = get_case_row(s, case_id)
        # the loan's lender type becomes the case's licence type when the case has none (issue 16 item 9)
        if not case.licence_type and data.get("lender_type"):
            case.licence_type = str(data["lender_type"])
            if entity and not case.lender_entity:
                case.lender_entity = entity
        if not case.lender_name and data.get("lender"):
            case.lender_name = str(data["lender"])
        row = Loan(
            case_id=case_id,
            lender=data.get("lender"),
            legal_entity=entity,
            licence_type=data["lender_type"],
            contract_date=dt.date.fromisoformat(result["contract_date"]),
            principal=float(result["principal"]),
            cash_flows=dict(data),
            apr=result["apr"],
            verdict=result["verdict"],
            result=result,
        )
        s.add(row)
        s.flush()
        out = LoanOut.model_validate(row)
    ws.vault.record("loan_checked", case_id=case_id, meta={"loan_id": out.id, "verdict": out.verdict})
    return out


def list_loans(ws: Workspace, case_id: int) -> list[LoanOut]:
    with ws.db.read_session() as s:
        get_case_row(s, case_id)
        rows = s.scalars(select(Loan).where(Loan.case_id == case_id).order_by(Loan.id)).all()
        return [LoanOut.model_validate(r) for r in rows]


def recheck_loan(ws: Workspace, loan_id: int, *, as_of: dt.date | None = None) -> LoanOut:
    """Re-run the check of a stored loan (e.g. at a later date or after an LPR update) and store the new result."""
    with ws.db.session() as s:
        row = s.get(Loan, loan_id)
        if row is None:
            raise NotFoundError(f"借款记录 {loan_id} 不存在", f"loan {loan_id} does not exist")
        data = dict(row.cash_flows)
        if as_of is not None:
            data["as_of"] = as_of.isoformat()
        result = check_loan(data, pack=ws.law)
        row.cash_flows = data
        row.apr = result["apr"]
        row.verdict = result["verdict"]
        row.result = result
        s.flush()
        return LoanOut.model_validate(row)
