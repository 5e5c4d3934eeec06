"""Case creation for the web (owner + lender registry look-up) and lender-name suggestions."""

from __future__ import annotations

from pydantic import BaseModel

from weiquan.services import cases
from weiquan.services.cases import CaseOut
from weiquan.services.users import Principal
from weiquan.workspace import Workspace


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


def suggest_lenders(query: str, *, limit: int = 6) -> list[LenderSuggestion]:
    """Registry entries whose brand, entity or former name resembles ``query`` (best first)."""
    from weiquan.law.pack import load_pack

    q = query.strip()
    if not q:
        return []
    return [
        LenderSuggestion(
            id=m.lender.id, name=m.matched_name, entity=m.lender.entity, licence_type=m.lender.licence_type,
            regulator=m.lender.regulator, confidence=m.lender.confidence, brand_confidence=m.lender.brand_confidence,
            note_zh=m.lender.note_zh, score=round(float(m.score), 1), exact=m.exact,
        )
        for m in load_pack().find_lender(q, limit=limit)
    ]


def lookup_lender(name: str) -> LenderSuggestion | None:
    """The registry entry for an exact lender name (after normalisation), else None."""
    best = suggest_lenders(name, limit=1)
    return best[0] if best and best[0].exact else None


def create_case_for(ws: Workspace, who: Principal, name: str, *, lender: str | None = None,
                    borrower_name: str | None = None, timezone: str | None = None) -> CaseOut:
    """Create a case owned by ``who`` and fill the lender's entity and licence type from the registry."""
    lender = (lender or "").strip() or None
    return cases.create_case(ws, name, lender=lender, borrower_name=(borrower_name or "").strip() or None,
                             timezone=timezone, owner_id=who.user_id)
