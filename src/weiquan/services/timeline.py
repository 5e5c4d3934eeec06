"""The merged timeline of a case: listing events and adding manual entries."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Select, exists, func, or_, select

from weiquan.errors import InputError
from weiquan.ingest.base import RawEvent
from weiquan.ingest.numbers import normalize_number
from weiquan.ingest.timeutil import TimeOutOfRange, localize, parse_wallclock, zone
from weiquan.ingest.values import MAX_DURATION_S, plausible_duration
from weiquan.ingest.writer import EventWriter
from weiquan.services.cases import get_case_row
from weiquan.store.models import Acquisition, Event, EventSource, Evidence, Finding, FindingEvent
from weiquan.workspace import Workspace
from weiquan.zh.labels import CHANNELS, DIRECTIONS, RECIPIENTS


class EvidenceRef(BaseModel):
    evidence_id: int
    sha256: str
    locator: str
    source_format: str | None = None
    name: str | None = None
    media_type: str | None = None
    kind: str = "original"


class EventOut(BaseModel):
    id: int
    channel: str
    direction: str
    start: dt.datetime  # in the source time zone, ISO 8601 with UTC offset
    start_utc: dt.datetime
    source_tz: str
    time_basis: str | None = None
    wallclock_text: str | None = None
    duration_s: float | None = None
    counterpart: str | None = None
    counterpart_raw: str | None = None
    counterpart_name: str | None = None
    number_kind: str | None = None
    carrier: str | None = None
    region: str | None = None
    signature: str | None = None
    text: str | None = None
    recipient: str
    recipient_name: str | None = None
    origin: str
    confidence: float | None = None
    extra: dict[str, Any] = {}
    evidence: list[EvidenceRef] = []
    date_unconfirmed: bool = (
        False  # the date is a proposal the user has not confirmed (services.dates): show 日期待确认
    )


def _parse_bound(value: dt.datetime | dt.date | str | None, tz: str, *, end: bool) -> tuple[dt.datetime, bool] | None:
    """(instant, exclusive). A date alone means the whole day in the case's zone."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        v = value.strip()
        try:
            parsed: dt.datetime = dt.datetime.fromisoformat(v)
        except ValueError:
            try:
                parsed = parse_wallclock(v)
            except ValueError as e:
                raise InputError(f"无法识别的时间：{value}", f"unrecognised date/time: {value}") from e
        date_only = not any(c in v for c in ":：时")
        value = parsed.date() if date_only else parsed
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=zone(tz))), False
    day = value + dt.timedelta(days=1) if end else value
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone(tz)), end


def _events_query(
    case_id: int,
    tz: str,
    *,
    channel: str | None = None,
    number: str | None = None,
    since: dt.datetime | dt.date | str | None = None,
    until: dt.datetime | dt.date | str | None = None,
    q: str | None = None,
    category: str | None = None,
) -> Select[tuple[Event]]:
    """The events of a case that pass the filters: the CLI's list and the web's pages use this one query."""
    if channel is not None and channel not in CHANNELS:
        raise InputError(f"未知渠道：{channel}（可选 {', '.join(CHANNELS)}）", f"unknown channel: {channel}")
    stmt = select(Event).where(Event.case_id == case_id)
    if channel:
        stmt = stmt.where(Event.channel == channel)
    if number and number.strip():
        key = normalize_number(number).key
        stmt = stmt.where(or_(Event.counterpart == key, Event.counterpart_raw == number.strip()))
    lo, hi = _parse_bound(since, tz, end=False), _parse_bound(until, tz, end=True)
    if lo:
        stmt = stmt.where(Event.start >= lo[0])
    if hi:
        stmt = stmt.where(Event.start < hi[0] if hi[1] else Event.start <= hi[0])
    if lo or hi:  # an unconfirmed date is no date: it never matches a date range
        stmt = stmt.where(Event.date_unconfirmed.is_(False))
    if q:
        stmt = stmt.where(Event.text.contains(q, autoescape=True))
    if category:
        stmt = stmt.where(
            exists().where(
                FindingEvent.event_id == Event.id,
                FindingEvent.finding_id == Finding.id,
                Finding.category == category,
                Finding.stale.is_(False),
            )
        )
    return stmt


def list_events(
    ws: Workspace,
    case_id: int,
    *,
    channel: str | None = None,
    number: str | None = None,
    since: dt.datetime | dt.date | str | None = None,
    until: dt.datetime | dt.date | str | None = None,
    q: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[EventOut]:
    """Events of a case in time order. ``until`` as a date is inclusive (the whole day)."""
    with ws.db.read_session() as s:
        case = get_case_row(s, case_id)
        tz = case.timezone or ws.settings.timezone
        stmt = _events_query(case_id, tz, channel=channel, number=number, since=since, until=until, q=q)
        stmt = stmt.order_by(Event.start, Event.id).offset(offset)
        if limit is not None:
            stmt = stmt.limit(limit)
        events = list(s.execute(stmt).scalars())
        refs = _evidence_refs(s, [e.id for e in events])
        return [_out(e, refs.get(e.id, [])) for e in events]


def _evidence_refs(s: Any, ids: list[int]) -> dict[int, list[EvidenceRef]]:
    out: dict[int, list[EvidenceRef]] = {}
    for i in range(0, len(ids), 900):
        chunk = ids[i : i + 900]
        stmt = (
            select(
                EventSource.event_id,
                EventSource.locator,
                EventSource.source_format,
                Evidence.id,
                Evidence.sha256,
                Evidence.first_name,
                Evidence.media_type,
                Evidence.kind,
            )
            .join(Evidence, Evidence.id == EventSource.evidence_id)
            .where(EventSource.event_id.in_(chunk))
            .order_by(EventSource.id)
        )
        rows = s.execute(stmt).all()
        names = _case_names(s, chunk, {r[3] for r in rows if r[7] != "derived"})
        for eid, loc, fmt, evid, sha, name, mt, kind in rows:
            # an original is named as this case acquired it (Evidence.first_name may be another case's name)
            shown = name if kind == "derived" else names.get((eid, evid))
            out.setdefault(eid, []).append(
                EvidenceRef(
                    evidence_id=evid, sha256=sha, locator=loc, source_format=fmt, name=shown, media_type=mt, kind=kind
                )
            )
    return out


def _case_names(s: Any, event_ids: list[int], evidence_ids: set[int]) -> dict[tuple[int, int], str]:
    """(event id, evidence id) → the file's first name in the event's case."""
    if not evidence_ids:
        return {}
    case_of = dict(s.execute(select(Event.id, Event.case_id).where(Event.id.in_(event_ids))).all())
    first: dict[tuple[int, int], str] = {}
    for evid, cid, name in s.execute(
        select(Acquisition.evidence_id, Acquisition.case_id, Acquisition.original_name)
        .where(
            Acquisition.evidence_id.in_(evidence_ids),
            Acquisition.case_id.in_(set(case_of.values())),
            Acquisition.original_name.is_not(None),
        )
        .order_by(Acquisition.id)
    ):
        first.setdefault((cid, evid), name)
    return {
        (eid, evid): first[(cid, evid)] for eid, cid in case_of.items() for evid in evidence_ids if (cid, evid) in first
    }


def _out(e: Event, refs: list[EvidenceRef]) -> EventOut:
    try:
        local = e.start.astimezone(zone(e.source_tz))
    except InputError:
        local = e.start
    return EventOut(
        id=e.id,
        channel=e.channel,
        direction=e.direction,
        start=local,
        start_utc=e.start,
        source_tz=e.source_tz,
        time_basis=e.time_basis,
        wallclock_text=e.wallclock_text,
        duration_s=e.duration_s,
        counterpart=e.counterpart,
        counterpart_raw=e.counterpart_raw,
        counterpart_name=e.counterpart_name,
        number_kind=e.number_kind,
        carrier=e.carrier,
        region=e.region,
        signature=e.signature,
        text=e.text,
        recipient=e.recipient,
        recipient_name=e.recipient_name,
        origin=e.origin,
        confidence=e.confidence,
        extra=e.extra or {},
        evidence=refs,
        date_unconfirmed=bool(e.date_unconfirmed),
    )


def count_events(ws: Workspace, case_id: int, *, pending: bool = False) -> int:
    """The case's events whose date is known, or (``pending``) those waiting for a confirmed date."""
    with ws.db.read_session() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(Event)
                .where(Event.case_id == case_id, Event.date_unconfirmed.is_(pending))
            )
            or 0
        )


def add_manual_event(
    ws: Workspace,
    case_id: int,
    *,
    channel: str,
    time: dt.datetime | str,
    number: str | None = None,
    name: str | None = None,
    text: str | None = None,
    direction: str = "incoming",
    recipient: str = "borrower",
    recipient_name: str | None = None,
    duration_s: float | None = None,
    tz: str | None = None,
    note: str | None = None,
    entered_by: str | None = None,
    witnesses: str | None = None,
) -> EventOut:
    """Record something that has no file (a home visit, a call to the borrower's mother).

    The entry as typed is stored in the vault as a small JSON original (hash-chained like any
    other evidence) and the event points at it, so manual entries have provenance too.
    """
    if channel not in CHANNELS:
        raise InputError(
            f"未知渠道：{channel}（可选 {', '.join(CHANNELS)}）",
            f"unknown channel: {channel} (one of {', '.join(CHANNELS)})",
        )
    if direction not in DIRECTIONS:
        raise InputError(f"未知方向：{direction}（可选 {', '.join(DIRECTIONS)}）", f"unknown direction: {direction}")
    if recipient not in RECIPIENTS:
        raise InputError(
            f"未知对象：{recipient}（可选 {', '.join(RECIPIENTS)}）",
            f"unknown recipient: {recipient} (one of {', '.join(RECIPIENTS)})",
        )
    if not plausible_duration(duration_s):
        raise InputError(
            f"通话时长无效：{duration_s}（应为 0 到 {MAX_DURATION_S:.0f} 秒）",
            f"invalid duration: {duration_s} (0 to {MAX_DURATION_S:.0f} seconds)",
        )
    with ws.db.read_session() as s:
        case = get_case_row(s, case_id)
        source_tz = tz or case.timezone or ws.settings.timezone
    zone(source_tz)
    wallclock: str | None = None
    try:
        if isinstance(time, str):
            wallclock = time.strip()
            try:
                parsed = dt.datetime.fromisoformat(wallclock)
            except ValueError:
                parsed = parse_wallclock(wallclock)
        else:
            parsed = time
        start = parsed.astimezone(dt.timezone.utc) if parsed.tzinfo else localize(parsed, source_tz)
    except ValueError as e:
        if isinstance(e, TimeOutOfRange):
            raise InputError(f"时间超出合理范围：{time}", f"time out of range: {time}") from e
        raise InputError(
            f"无法识别的时间：{time}（例：2024-03-01 22:15）", f"unrecognised time: {time} (e.g. 2024-03-01 22:15)"
        ) from e
    if not (number or text or note or recipient_name):
        raise InputError("请至少填写号码、内容或备注之一", "give at least a number, a text or a note")
    entered_at = dt.datetime.now(dt.timezone.utc)
    if start > entered_at + dt.timedelta(minutes=5):
        raise InputError(f"时间在将来：{time}。请填写事情实际发生的时间", f"the time is in the future: {time}")
    witnesses = (witnesses or "").strip() or None
    entry = {
        "type": "manual_event",
        "channel": channel,
        "time": wallclock or parsed.isoformat(),
        "tz": source_tz,
        "number": number,
        "name": name,
        "text": text,
        "direction": direction,
        "recipient": recipient,
        "recipient_name": recipient_name,
        "duration_s": duration_s,
        "note": note,
        "witnesses": witnesses,
        "entered_by": entered_by,
        "entered_at": entered_at.isoformat(),
    }
    blob = json.dumps(entry, ensure_ascii=False, indent=1).encode("utf-8")
    add = ws.vault.add(
        blob,
        case_id=case_id,
        original_name=f"manual-entry-{entered_at:%Y%m%dT%H%M%S%f}.json",
        metadata={"via": "manual"},
    )
    raw = RawEvent(
        channel=channel,
        start=start,
        locator="manual-entry",
        direction=direction,
        source_tz=source_tz,
        time_basis="manual",
        wallclock_text=wallclock,
        duration_s=duration_s,
        counterpart_raw=number,
        counterpart_name=name,
        text=text if text is not None else note,
        recipient=recipient,
        recipient_name=recipient_name,
        origin="manual",
        extra={**({"note": note} if note and text else {}), **({"witnesses": witnesses} if witnesses else {})},
    )
    with ws.db.session() as s:
        writer = EventWriter(
            s,
            ws.vault.blobs,
            case_id=case_id,
            evidence_id=add.evidence.id,
            evidence_sha256=add.evidence.sha256,
            source_format="manual",
        )
        writer.add(raw)
        writer.flush()
        event_id = writer.stats.event_ids[0]
        acq = s.get(Acquisition, add.acquisition.id) if add.acquisition else None
        if acq is not None:
            acq.parse_status, acq.parse_format = "parsed", "manual"
    with ws.db.read_session() as s:
        ev = s.get(Event, event_id)
        assert ev is not None
        return _out(ev, _evidence_refs(s, [event_id]).get(event_id, []))


# -- pages of the timeline (web UI and API): the same filters plus a violation category, with the findings that
# touch each event; a page is fetched with LIMIT page_size + 1 (no COUNT over the whole case), so every page costs
# the same.

MAX_PAGE_SIZE = 500


class TimelineFilters(BaseModel):
    channel: str | None = None
    number: str | None = None
    since: str | None = None  # date or date-time in the case's zone
    until: str | None = None  # a date is inclusive (the whole day)
    q: str | None = Field(default=None, max_length=200)
    category: str | None = None

    def cleaned(self) -> TimelineFilters:
        return TimelineFilters(
            **{k: (v.strip() or None) if isinstance(v, str) else v for k, v in self.model_dump().items()}
        )

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


def timeline_page(
    ws: Workspace, case_id: int, filters: TimelineFilters | None = None, *, page: int = 1, page_size: int = 100
) -> TimelinePage:
    f = (filters or TimelineFilters()).cleaned()
    if page < 1:
        raise InputError("页码从 1 开始", "page numbers start at 1")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InputError(f"每页条数应在 1 到 {MAX_PAGE_SIZE} 之间", f"page size must be 1..{MAX_PAGE_SIZE}")
    with ws.db.read_session() as s:
        case = get_case_row(s, case_id)
        tz = case.timezone or ws.settings.timezone
        stmt = _events_query(
            case_id, tz, channel=f.channel, number=f.number, since=f.since, until=f.until, q=f.q, category=f.category
        )
        stmt = stmt.order_by(Event.start, Event.id).offset((page - 1) * page_size).limit(page_size + 1)
        rows = list(s.execute(stmt).scalars())
        has_next = len(rows) > page_size
        rows = rows[:page_size]
        ids = [e.id for e in rows]
        refs = _evidence_refs(s, ids)
        found = _findings_for(s, ids)
        items = [TimelineItem(event=_out(e, refs.get(e.id, [])), findings=found.get(e.id, [])) for e in rows]
    return TimelinePage(
        case_id=case_id, tz=tz, filters=f, page=page, page_size=page_size, has_next=has_next, items=items
    )


def _findings_for(s: Any, event_ids: list[int]) -> dict[int, list[EventFinding]]:
    out: dict[int, list[EventFinding]] = {}
    if not event_ids:
        return out
    q = (
        select(
            FindingEvent.event_id,
            FindingEvent.spans,
            Finding.id,
            Finding.category,
            Finding.severity,
            Finding.review_state,
        )
        .join(Finding, Finding.id == FindingEvent.finding_id)
        .where(FindingEvent.event_id.in_(event_ids), Finding.stale.is_(False))
        .order_by(Finding.id)
    )
    for eid, spans, fid, cat, sev, state in s.execute(q):
        clean = [[int(a), int(b)] for a, b in (spans or []) if isinstance(a, int) and isinstance(b, int)]
        out.setdefault(eid, []).append(
            EventFinding(finding_id=fid, category=cat, severity=sev, review_state=state, spans=clean)
        )
    return out
