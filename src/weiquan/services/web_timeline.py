"""The timeline as pages for the web UI and the API: filters (channel, number, date range,
violation category, full-text), one page of events with the findings that touch each event,
and the view of one original (screenshot with OCR boxes, recording with transcript).

The filters mirror ``weiquan.services.timeline.list_events`` and add ``category``; a page is
fetched with LIMIT page_size + 1 (no COUNT over the whole case), so every page costs the same.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import exists, or_, select

from weiquan.errors import InputError, NotFoundError
from weiquan.ingest.base import CHANNELS
from weiquan.ingest.numbers import normalize_number
from weiquan.services import timeline
from weiquan.services.cases import get_case_row
from weiquan.services.timeline import EventOut
from weiquan.store.models import Acquisition, Event, EventSource, Evidence, Finding, FindingEvent
from weiquan.workspace import Workspace

MAX_PAGE_SIZE = 500


class TimelineFilters(BaseModel):
    channel: str | None = None
    number: str | None = None
    since: str | None = None  # date or date-time in the case's zone
    until: str | None = None  # a date is inclusive (the whole day)
    q: str | None = Field(default=None, max_length=200)
    category: str | None = None

    def cleaned(self) -> TimelineFilters:
        return TimelineFilters(**{k: (v.strip() or None) if isinstance(v, str) else v for k, v in self.model_dump().items()})

    def active(self) -> bool:
        return any(self.model_dump().values())


class EventFinding(BaseModel):
    finding_id: int
    category: str
    severity: str
    review_state: str
    spans: list[list[int]] = []


class TimelineItem(BaseModel):
    event: EventOut
    findings: list[EventFinding] = []


class TimelinePage(BaseModel):
    case_id: int
    tz: str
    filters: TimelineFilters
    page: int
    page_size: int
    has_next: bool
    items: list[TimelineItem]


def timeline_page(ws: Workspace, case_id: int, filters: TimelineFilters | None = None, *, page: int = 1,
                  page_size: int = 100) -> TimelinePage:
    f = (filters or TimelineFilters()).cleaned()
    if page < 1:
        raise InputError("页码从 1 开始", "page numbers start at 1")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InputError(f"每页条数应在 1 到 {MAX_PAGE_SIZE} 之间", f"page size must be 1..{MAX_PAGE_SIZE}")
    if f.channel is not None and f.channel not in CHANNELS:
        raise InputError(f"未知渠道：{f.channel}", f"unknown channel: {f.channel}")
    with ws.db.read_session() as s:
        case = get_case_row(s, case_id)
        tz = case.timezone or ws.settings.timezone
        stmt = select(Event).where(Event.case_id == case_id)
        if f.channel:
            stmt = stmt.where(Event.channel == f.channel)
        if f.number:
            key = normalize_number(f.number).key
            stmt = stmt.where(or_(Event.counterpart == key, Event.counterpart_raw == f.number))
        lo = timeline._parse_bound(f.since, tz, end=False)
        hi = timeline._parse_bound(f.until, tz, end=True)
        if lo:
            stmt = stmt.where(Event.start >= lo[0])
        if hi:
            stmt = stmt.where(Event.start < hi[0] if hi[1] else Event.start <= hi[0])
        if lo or hi:  # an unconfirmed date is no date: it never matches a date range
            stmt = stmt.where(Event.date_unconfirmed.is_(False))
        if f.q:
            stmt = stmt.where(Event.text.contains(f.q, autoescape=True))
        if f.category:
            stmt = stmt.where(exists().where(
                FindingEvent.event_id == Event.id, FindingEvent.finding_id == Finding.id,
                Finding.category == f.category, Finding.stale.is_(False)))
        stmt = stmt.order_by(Event.start, Event.id).offset((page - 1) * page_size).limit(page_size + 1)
        rows = list(s.execute(stmt).scalars())
        has_next = len(rows) > page_size
        rows = rows[:page_size]
        ids = [e.id for e in rows]
        refs = timeline._evidence_refs(s, ids)
        found = _findings_for(s, ids)
        items = [TimelineItem(event=timeline._out(e, refs.get(e.id, [])), findings=found.get(e.id, [])) for e in rows]
    return TimelinePage(case_id=case_id, tz=tz, filters=f, page=page, page_size=page_size, has_next=has_next, items=items)


def _findings_for(s: Any, event_ids: list[int]) -> dict[int, list[EventFinding]]:
    out: dict[int, list[EventFinding]] = {}
    if not event_ids:
        return out
    q = (select(FindingEvent.event_id, FindingEvent.spans, Finding.id, Finding.category, Finding.severity, Finding.review_state)
         .join(Finding, Finding.id == FindingEvent.finding_id)
         .where(FindingEvent.event_id.in_(event_ids), Finding.stale.is_(False)).order_by(Finding.id))
    for eid, spans, fid, cat, sev, state in s.execute(q):
        clean = [[int(a), int(b)] for a, b in (spans or []) if isinstance(a, int) and isinstance(b, int)]
        out.setdefault(eid, []).append(EventFinding(finding_id=fid, category=cat, severity=sev, review_state=state, spans=clean))
    return out


# -- one original ---------------------------------------------------------------------

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
    ids = {cid for (cid,) in s.execute(select(Acquisition.case_id).where(Acquisition.evidence_id.in_({ev.id, root.id})))
           if cid is not None}
    ids |= {cid for (cid,) in s.execute(select(Event.case_id).join(EventSource, EventSource.event_id == Event.id)
                                         .where(EventSource.evidence_id == ev.id).distinct())}
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
        raise NotFoundError(f"证据 {evidence_id} 不属于这个案件", f"evidence {evidence_id} is not part of case {case_id}")
    return EvidenceMeta(id=ev.id, sha256=ev.sha256, size=ev.size, media_type=ev.media_type, kind=ev.kind,
                        derivation=ev.derivation, first_name=case_file_name(s, case_id, ev), created_at=ev.created_at)


def case_file_name(s: Any, case_id: int, ev: Evidence) -> str | None:
    """The name this case knows the file by: its first acquisition in the case. Never the name another
    case gave the same bytes (``Evidence.first_name`` is whoever stored them first); a derived file keeps
    the name its content gave it (an MMS attachment's), which only its source's bytes tell."""
    if ev.kind == "derived":
        return ev.first_name
    return s.execute(select(Acquisition.original_name).where(
        Acquisition.evidence_id == ev.id, Acquisition.case_id == case_id, Acquisition.original_name.is_not(None))
        .order_by(Acquisition.id).limit(1)).scalar_one_or_none()


def evidence_file(ws: Workspace, case_id: int, evidence_id: int) -> tuple[EvidenceMeta, bytes]:
    """The stored bytes of an evidence item of the case (for download or display)."""
    with ws.db.read_session() as s:
        ev = _require_in_case(s, case_id, evidence_id)
    return ev, ws.vault.read(ev.sha256)


def original_view(ws: Workspace, case_id: int, evidence_id: int, *, event_id: int | None = None) -> OriginalView:
    with ws.db.read_session() as s:
        ev = _require_in_case(s, case_id, evidence_id)
        acq = s.execute(select(Acquisition).where(Acquisition.evidence_id == ev.id, Acquisition.case_id == case_id)
                        .order_by(Acquisition.id)).scalars().first()
        derived = {d: sha for d, sha in s.execute(select(Evidence.derivation, Evidence.sha256)
                                                  .where(Evidence.derived_from_id == ev.id).order_by(Evidence.id))}
        name = acq.original_name if acq else None
        acquired_at = acq.acquired_at if acq else None  # never when another case stored the bytes
        events = [eid for (eid,) in s.execute(select(EventSource.event_id).join(Event, Event.id == EventSource.event_id)
                                              .where(EventSource.evidence_id == ev.id, Event.case_id == case_id)
                                              .order_by(EventSource.event_id).limit(200))]
        highlight: list[list[int]] = []
        if event_id is not None:
            e = s.get(Event, event_id)
            if e is not None and e.case_id == case_id:
                highlight = [list(b) for b in (e.extra or {}).get("boxes", []) if isinstance(b, list) and len(b) == 4]
    mt = ev.media_type or ""
    view = OriginalView(evidence_id=ev.id, sha256=ev.sha256, name=name or ev.first_name,  # both this case's
                        media_type=ev.media_type, size=ev.size, kind=ev.kind, derivation=ev.derivation,
                        acquired_at=acquired_at, is_image=mt.startswith("image/"),
                        is_audio=mt.startswith("audio/"), events=events)
    if view.is_image and "ocr" in derived:
        view.ocr_available = True
        view.boxes = _boxes(_json(ws, derived["ocr"]), highlight)
    if view.is_audio and "asr" in derived:
        data = _json(ws, derived["asr"])
        view.transcript = [Segment(start=float(x.get("start", 0)), end=float(x.get("end", 0)), text=str(x.get("text", "")))
                           for x in data.get("segments", []) if isinstance(x, dict)]
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
        out.append(OcrBox(left=100 * x0 / w, top=100 * y0 / h, width=100 * (x1 - x0) / w, height=100 * (y1 - y0) / h,
                          text=ln.get("text"), highlight=tuple(int(v) for v in box) in marked))
    return out
