"""Lender identification for corpus rows, against the workspace's lender registry.

The company column (投诉对象) is resolved with the registry's own check (``law.lenders.check_lender``:
brand, app, former and legal names, fuzzy); each distinct name is resolved once per worker. A row without
a company is searched for registry names in its text; it is attributed only when exactly one lender is
named. A name the registry does not know keeps its normalised spelling as the lender and licence type
``unknown`` (with the licence the name claims, e.g. …小额贷款, as ``claimed_licence``, unverified).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick

from weiquan.law.lenders import check_lender, normalise
from weiquan.law.schema import LenderRegistry

UNKNOWN = "unknown"
MIN_TEXT_NAME = 3  # shorter brand names (捷信, 美团) are too often ordinary words to find in free text


@dataclass(frozen=True)
class LenderRef:
    lender: str | None  # legal entity when known, else the normalised name given; None when nothing named
    lender_id: str | None  # registry id
    licence_type: str  # a registry licence type or "unknown"
    claimed_licence: str | None  # what an unregistered name claims to be (unverified)
    match: str  # registry | fuzzy | ambiguous | unregistered | text | none


NONE = LenderRef(None, None, UNKNOWN, None, "none")
_COMPANY_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "股份公司")


def _without_company_form(name: str) -> str:
    """招联消费金融股份有限公司 → 招联消费金融 (how complaints name a company in running text)."""
    for suffix in _COMPANY_FORMS:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


class LenderResolver:
    """Resolves company names and free texts to registry lenders; memoised per distinct name."""

    def __init__(self, registry: LenderRegistry) -> None:
        self.registry = registry
        self._automaton = ahocorasick.Automaton()
        by_name: dict[str, set[str]] = {}
        for lender in registry.lenders:
            for name in lender.names():
                full = unicodedata.normalize("NFKC", name).lower()
                for key in {full, _without_company_form(full)}:
                    if len(key) >= MIN_TEXT_NAME:
                        by_name.setdefault(key, set()).add(lender.id)
        for key, ids in by_name.items():
            self._automaton.add_word(key, frozenset(ids))
        if by_name:
            self._automaton.make_automaton()
        self._has_words = bool(by_name)
        self._lenders = {lender.id: lender for lender in registry.lenders}
        self.resolve_name = lru_cache(maxsize=20_000)(self._resolve_name)  # type: ignore[method-assign]  # the cache wraps the bound method per instance

    def resolve(self, company: object, text: str) -> LenderRef:
        if isinstance(company, str) and company.strip():
            return self.resolve_name(company.strip())
        if company is not None and not isinstance(company, str) and str(company).strip():
            return self.resolve_name(str(company).strip())
        return self.resolve_text(text)

    def _resolve_name(self, name: str) -> LenderRef:
        c = check_lender(self.registry, name, limit=3)
        if c.licence_source == "registry":
            best = c.matches[0]
            return LenderRef(
                best.lender.entity or best.matched_name,
                best.lender.id,
                best.lender.licence_type,
                None,
                "registry" if best.exact else "fuzzy",
            )
        key = normalise(name) or unicodedata.normalize("NFKC", name).strip()
        if c.licence_source == "ambiguous":
            return LenderRef(key, None, UNKNOWN, None, "ambiguous")
        return LenderRef(key, None, UNKNOWN, c.claimed_licence, "unregistered")

    def resolve_text(self, text: str) -> LenderRef:
        if not self._has_words:
            return NONE
        found: set[str] = set()
        for _, ids in self._automaton.iter(unicodedata.normalize("NFKC", text).lower()):
            found |= ids
            if len(found) > 1:
                return NONE
        if len(found) != 1:
            return NONE
        lender = self._lenders[next(iter(found))]
        return LenderRef(lender.entity or lender.names()[0], lender.id, lender.licence_type, None, "text")
