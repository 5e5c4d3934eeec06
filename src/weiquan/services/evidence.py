"""Service: which stored files belong to a case's evidence package (``weiquan.report.evidence.EvidenceItem``).

Originals are numbered ``E001``, ``E002`` … in import order (first acquisition for the
case, the order the 证据目录 uses); derived artefacts are numbered after their source (``E001-D1``).
Text derivations (OCR, transcripts) are always packaged because the case report
quotes them; other derived artefacts (attachments, conversions) only on request.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from weiquan.errors import NotFoundError
from weiquan.report.evidence import EXT_BY_TYPE, TEXT_DERIVATIONS, EvidenceItem, safe_name
from weiquan.store.models import Acquisition, Event, EventSource, Evidence
from weiquan.store.provenance import case_acquisitions
from weiquan.workspace import Workspace


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


# -- one original of a case, as the timeline shows it (screenshot with OCR boxes, recording with transcript)


class OcrBox(BaseModel):
    left: float  # percentages of the image size
    top: float
    width: float
    height: float
    text: str | None = None
    highlight: bool = False


class Segment(BaseModel):
    start: float
    end: float
    text: str


class OriginalView(BaseModel):
    evidence_id: int
    sha256: str
    name: str | None
    media_type: str | None
    size: int
    kind: str
    derivation: str | None
    acquired_at: dt.datetime | None
    is_image: bool
    is_audio: bool
    boxes: list[OcrBox] = []
    ocr_available: bool = False
    transcript: list[Segment] = []
    transcript_text: str | None = None
    events: list[int] = []  # events that cite this evidence


def evidence_case_ids(s: Any, evidence_id: int) -> set[int]:
    """Cases an evidence item belongs to (through its acquisitions, or its source's for derived items)."""
    ev = s.get(Evidence, evidence_id)
    if ev is None:
        return set()
    root = ev
    seen = 0
    while root.derived_from_id is not None and seen < 10:
        root = s.get(Evidence, root.derived_from_id)
        seen += 1
    ids = {
        cid
        for (cid,) in s.execute(select(Acquisition.case_id).where(Acquisition.evidence_id.in_({ev.id, root.id})))
        if cid is not None
    }
    ids |= {
        cid
        for (cid,) in s.execute(
            select(Event.case_id)
            .join(EventSource, EventSource.event_id == Event.id)
            .where(EventSource.evidence_id == ev.id)
            .distinct()
        )
    }
    return ids


class EvidenceMeta(BaseModel):
    id: int
    sha256: str
    size: int
    media_type: str | None
    kind: str
    derivation: str | None
    first_name: str | None
    created_at: dt.datetime


def _require_in_case(s: Any, case_id: int, evidence_id: int) -> EvidenceMeta:
    ev = s.get(Evidence, evidence_id)
    if ev is None or case_id not in evidence_case_ids(s, evidence_id):
        raise NotFoundError(
            f"证据 {evidence_id} 不属于这个案件", f"evidence {evidence_id} is not part of case {case_id}"
        )
    return EvidenceMeta(
        id=ev.id,
        sha256=ev.sha256,
        size=ev.size,
        media_type=ev.media_type,
        kind=ev.kind,
        derivation=ev.derivation,
        first_name=case_file_name(s, case_id, ev),
        created_at=ev.created_at,
    )


def case_file_name(s: Any, case_id: int, ev: Evidence) -> str | None:
    """The name this case knows the file by: its first acquisition in the case. Never the name another
    case gave the same bytes (``Evidence.first_name`` is whoever stored them first); a derived file keeps
    the name its content gave it (an MMS attachment's), which only its source's bytes tell."""
    if ev.kind == "derived":
        return ev.first_name
    return s.execute(
        select(Acquisition.original_name)
        .where(Acquisition.evidence_id == ev.id, Acquisition.case_id == case_id, Acquisition.original_name.is_not(None))
        .order_by(Acquisition.id)
        .limit(1)
    ).scalar_one_or_none()


def evidence_file(ws: Workspace, case_id: int, evidence_id: int) -> tuple[EvidenceMeta, bytes]:
    """The stored bytes of an evidence item of the case (for download or display)."""
    with ws.db.read_session() as s:
        ev = _require_in_case(s, case_id, evidence_id)
    return ev, ws.vault.read(ev.sha256)


def original_view(ws: Workspace, case_id: int, evidence_id: int, *, event_id: int | None = None) -> OriginalView:
    with ws.db.read_session() as s:
        ev = _require_in_case(s, case_id, evidence_id)
        acqs = case_acquisitions(s, case_id, ev.id)
        acq = acqs[0] if acqs else None
        derived = {
            d: sha
            for d, sha in s.execute(
                select(Evidence.derivation, Evidence.sha256)
                .where(Evidence.derived_from_id == ev.id)
                .order_by(Evidence.id)
            )
        }
        name = acq.original_name if acq else None
        acquired_at = acq.acquired_at if acq else None  # never when another case stored the bytes
        events = [
            eid
            for (eid,) in s.execute(
                select(EventSource.event_id)
                .join(Event, Event.id == EventSource.event_id)
                .where(EventSource.evidence_id == ev.id, Event.case_id == case_id)
                .order_by(EventSource.event_id)
                .limit(200)
            )
        ]
        highlight: list[list[int]] = []
        if event_id is not None:
            e = s.get(Event, event_id)
            if e is not None and e.case_id == case_id:
                highlight = [list(b) for b in (e.extra or {}).get("boxes", []) if isinstance(b, list) and len(b) == 4]
    mt = ev.media_type or ""
    view = OriginalView(
        evidence_id=ev.id,
        sha256=ev.sha256,
        name=name or ev.first_name,  # both this case's
        media_type=ev.media_type,
        size=ev.size,
        kind=ev.kind,
        derivation=ev.derivation,
        acquired_at=acquired_at,
        is_image=mt.startswith("image/"),
        is_audio=mt.startswith("audio/"),
        events=events,
    )
    if view.is_image and "ocr" in derived:
        view.ocr_available = True
        view.boxes = _boxes(_json(ws, derived["ocr"]), highlight)
    if view.is_audio and "asr" in derived:
        data = _json(ws, derived["asr"])
        view.transcript = [
            Segment(start=float(x.get("start", 0)), end=float(x.get("end", 0)), text=str(x.get("text", "")))
            for x in data.get("segments", [])
            if isinstance(x, dict)
        ]
        view.transcript_text = data.get("text") if isinstance(data.get("text"), str) else None
    return view


def _json(ws: Workspace, sha: str) -> dict[str, Any]:
    try:
        data = json.loads(ws.vault.read(sha))
    except (ValueError, OSError):
        return {}
    return data if isinstance(data, dict) else {}


def _boxes(ocr: dict[str, Any], highlight: list[list[int]]) -> list[OcrBox]:
    w, h = float(ocr.get("width") or 0), float(ocr.get("height") or 0)
    if w <= 0 or h <= 0:
        return []
    marked = {tuple(b) for b in highlight}
    out = []
    for ln in ocr.get("lines", []):
        box = ln.get("box") if isinstance(ln, dict) else None
        if not (isinstance(box, list) and len(box) == 4):
            continue
        x0, y0, x1, y1 = (float(v) for v in box)
        out.append(
            OcrBox(
                left=100 * x0 / w,
                top=100 * y0 / h,
                width=100 * (x1 - x0) / w,
                height=100 * (y1 - y0) / h,
                text=ln.get("text"),
                highlight=tuple(int(v) for v in box) in marked,
            )
        )
    return out
