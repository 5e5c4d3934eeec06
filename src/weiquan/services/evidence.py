"""Service: which stored files belong to a case's evidence package (``weiquan.report.evidence.EvidenceItem``).

Originals are numbered ``E001``, ``E002`` … in import order (first acquisition for the
case, the order the 证据目录 uses); derived artefacts are numbered after their source (``E001-D1``).
Text derivations (OCR, transcripts) are always packaged because the case report
quotes them; other derived artefacts (attachments, conversions) only on request.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from weiquan.report.evidence import EXT_BY_TYPE, TEXT_DERIVATIONS, EvidenceItem, safe_name
from weiquan.store.models import Acquisition, Event, EventSource, Evidence


def case_evidence(s: Session, case_id: int, *, include_derived: bool = False) -> list[EvidenceItem]:
    """Originals of the case (acquired for it or cited by its events) and their derived artefacts."""
    first_acq: dict[int, Acquisition] = {}
    names: dict[int, list[str]] = {}
    acqs = s.execute(select(Acquisition).where(Acquisition.case_id == case_id).order_by(Acquisition.id)).scalars()
    for a in acqs:
        first_acq.setdefault(a.evidence_id, a)
        if a.original_name and a.original_name not in names.setdefault(a.evidence_id, []):
            names[a.evidence_id].append(a.original_name)
    cited = set(
        s.execute(
            select(EventSource.evidence_id)
            .join(Event, Event.id == EventSource.event_id)
            .where(Event.case_id == case_id)
            .distinct()
        ).scalars()
    )
    ids = set(first_acq) | cited
    rows = {e.id: e for e in s.execute(select(Evidence).where(Evidence.id.in_(ids))).scalars()} if ids else {}
    # An event may cite a derived artefact (an OCR'd screen): package it under its original.
    for eid in list(rows):
        e = rows[eid]
        while e.kind == "derived" and e.derived_from_id is not None and e.derived_from_id not in rows:
            src = s.get(Evidence, e.derived_from_id)
            if src is None:
                break
            rows[src.id] = src
            e = src
    originals = [e for e in rows.values() if e.kind == "original"]
    # Import order (first acquisition for the case), as the 证据目录 numbers them; cited-only files last.
    originals.sort(key=lambda e: (first_acq[e.id].id if e.id in first_acq else 1 << 62, e.id))

    items: list[EvidenceItem] = []
    by_id: dict[int, EvidenceItem] = {}
    for n, e in enumerate(originals, 1):
        label = f"E{n:03d}"
        acq = first_acq.get(e.id)
        nm = names.get(e.id) or []  # this case's names only: first_name may be another case's
        item = EvidenceItem(
            label=label,
            evidence_id=e.id,
            sha256=e.sha256,
            size=e.size,
            media_type=e.media_type,
            kind="original",
            path=f"originals/{label}_{safe_name(nm[0] if nm else None, e.sha256[:12])}",
            names=nm,
            acquired_at=_acq_time(acq, e),
            source_device=acq.source_device if acq else None,
            ledger_seq=(acq.ledger_seq if acq and acq.ledger_seq else e.ledger_seq),
        )
        items.append(item)
        by_id[e.id] = item
    items.extend(_derived(s, by_id, cited, include_derived))
    return items


def _derived(s: Session, by_id: dict[int, EvidenceItem], cited: set[int], include_all: bool) -> list[EvidenceItem]:
    out: list[EvidenceItem] = []
    counters: dict[str, int] = {}
    frontier = list(by_id)
    while frontier:
        children = (
            s.execute(
                select(Evidence)
                .where(Evidence.derived_from_id.in_(frontier), Evidence.kind == "derived")
                .order_by(Evidence.id)
            )
            .scalars()
            .all()
        )
        frontier = []
        for d in children:
            if d.id in by_id:
                continue
            is_text = (d.derivation or "") in TEXT_DERIVATIONS
            if not (is_text or include_all or d.id in cited):
                continue
            parent = by_id[d.derived_from_id]  # type: ignore[index]  # a derived file's source is already in by_id (breadth-first)
            root = parent.label.split("-", 1)[0]
            counters[root] = counters.get(root, 0) + 1
            label = f"{root}-D{counters[root]}"
            ext = EXT_BY_TYPE.get((d.media_type or "").split(";")[0], "")
            base = (
                safe_name(d.first_name, f"{d.derivation or 'derived'}{ext}")
                if d.first_name
                else f"{d.derivation or 'derived'}{ext}"
            )
            item = EvidenceItem(
                label=label,
                evidence_id=d.id,
                sha256=d.sha256,
                size=d.size,
                media_type=d.media_type,
                kind="derived",
                path=f"derived/{label}_{base}",
                names=[d.first_name] if d.first_name else [],
                acquired_at=d.created_at,
                ledger_seq=d.ledger_seq,
                derivation=d.derivation,
                source_label=parent.label,
                source_sha256=parent.sha256,
            )
            out.append(item)
            by_id[d.id] = item
            frontier.append(d.id)
    return out


def _acq_time(acq: Acquisition | None, e: Evidence) -> dt.datetime:
    return acq.acquired_at if acq is not None else e.created_at
