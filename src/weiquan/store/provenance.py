"""Per-case provenance of stored files: each case's own file name and import time.

The vault keeps one blob per content (SHA-256), so a file imported into two cases is one
``Evidence`` row with two ``Acquisition`` rows. ``Evidence.first_name`` is the name the bytes
had the first time *anyone* gave them to weiquan — possibly another case, another user. Every
place that shows or writes a file name for a case asks here instead: the case's own earliest
acquisition of the file (a derived artefact, e.g. an OCR result, resolves to its original).
A file the case never acquired has no name for it (None): callers show a neutral label.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from weiquan.store.models import Acquisition, Evidence

_MAX_DEPTH = 10


@dataclass(frozen=True)
class CaseProvenance:
    name: str | None
    acquired_at: dt.datetime | None
    source_device: str | None = None


def _roots(s: Session, ids: set[int]) -> dict[int, int]:
    """evidence id -> id of the original it derives from (itself for an original)."""
    root = {i: i for i in ids}
    parent: dict[int, int | None] = {}
    todo = set(ids)
    for _ in range(_MAX_DEPTH):
        if not todo:
            break
        rows = {i: p for i, p in s.execute(select(Evidence.id, Evidence.derived_from_id).where(Evidence.id.in_(todo)))}
        parent.update(rows)
        todo = {p for p in rows.values() if p is not None and p not in parent}
    for i in ids:
        cur, seen = i, 0
        while parent.get(cur) is not None and seen < _MAX_DEPTH:
            cur = parent[cur]  # type: ignore[assignment]  # a derived file always has a parent id here
            seen += 1
        root[i] = cur
    return root


def case_provenance(s: Session, case_id: int, evidence_ids: Iterable[int]) -> dict[int, CaseProvenance]:
    """For each evidence id: the case's own file name and first import time (None when not acquired by the case)."""
    ids = {int(i) for i in evidence_ids}
    if not ids:
        return {}
    roots = _roots(s, ids)
    first: dict[int, CaseProvenance] = {}
    q = (
        select(Acquisition.evidence_id, Acquisition.original_name, Acquisition.acquired_at, Acquisition.source_device)
        .where(Acquisition.case_id == case_id, Acquisition.evidence_id.in_(set(roots.values())))
        .order_by(Acquisition.id)
    )
    for evid, name, at, device in s.execute(q):
        prev = first.get(evid)
        if prev is None:
            first[evid] = CaseProvenance(name, at, device)
        elif prev.name is None and name:
            first[evid] = CaseProvenance(name, prev.acquired_at, prev.source_device)
    return {i: first.get(roots[i], CaseProvenance(None, None)) for i in ids}


def case_names(s: Session, case_id: int, evidence_ids: Iterable[int]) -> dict[int, str | None]:
    """The case's own name of each file (derived items: their original's name)."""
    return {k: v.name for k, v in case_provenance(s, case_id, evidence_ids).items()}


def case_acquisitions(s: Session, case_id: int, evidence_id: int) -> list[Acquisition]:
    """The case's own acquisitions of one stored file, oldest first (another case's never show)."""
    q = (
        select(Acquisition)
        .where(Acquisition.evidence_id == evidence_id, Acquisition.case_id == case_id)
        .order_by(Acquisition.id)
    )
    return list(s.execute(q).scalars())
