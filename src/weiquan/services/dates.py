"""Dates a source did not show, and the user's confirmation of them.

A screenshot whose messages carry only "22:47" or "3月20日" (no date in its file name, EXIF or
status bar), or a recording with no time in its name, gets its day/year from the import time.
That day is a *proposal*: its events are stored with ``Event.date_unconfirmed`` and

* are shown as 日期待确认 (the timeline, the original's page) instead of a date,
* are left out of every count, chart, analysis, document and deadline (``dated()`` below is the
  one filter every consumer applies),
* until the user confirms the proposed day with one click, or gives the right day, per file.

Confirming a different day moves every event of that file by the same number of days (the
wall-clock times the screen showed are kept); a day in the future is refused.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from weiquan.config import zone_or_default
from weiquan.errors import InputError, NotFoundError
from weiquan.services.cases import get_case_row
from weiquan.services.timeline import count_events
from weiquan.store.provenance import case_names
from weiquan.store.models import Event, EventSource, Evidence
from weiquan.store.types import utcnow
from weiquan.workspace import Workspace


def dated() -> ColumnElement[bool]:
    """The filter of events whose date is known (shown by the source or confirmed by the user)."""
    return Event.date_unconfirmed.is_(False)


class PendingFile(BaseModel):
    """One file whose events wait for a confirmed date."""

    evidence_id: int
    name: str | None  # this case's own name for the file
    media_type: str | None
    is_image: bool
    is_audio: bool
    events: int
    proposed_day: dt.date  # the day the events were given (the import day, or the status bar's day)
    first: dt.datetime  # earliest and latest proposed local times
    last: dt.datetime
    basis: str | None  # where the proposal came from: import_time | status_bar_day


def _zone(s: Session, case_id: int, default: str) -> ZoneInfo:
    return zone_or_default(get_case_row(s, case_id).timezone, default)


def _anchor_day(rows: list[Event], zone: ZoneInfo) -> tuple[dt.date, str | None]:
    """The proposed capture day (the anchor the extractor used), else the earliest event's day."""
    for e in rows:
        extra = e.extra or {}
        anchor = extra.get("anchor") if isinstance(extra, dict) else None
        if isinstance(anchor, str):
            try:
                return dt.datetime.fromisoformat(anchor).date(), extra.get("anchor_basis")
            except ValueError:
                pass
    return min(e.start for e in rows).astimezone(zone).date(), None


def count_pending(ws: Workspace, case_id: int) -> int:
    """Events of the case waiting for a confirmed date."""
    return count_events(ws, case_id, pending=True)


def _pending_by_file(s: Session, case_id: int) -> dict[int, list[Event]]:
    q = (
        select(EventSource.evidence_id, Event)
        .join(Event, Event.id == EventSource.event_id)
        .where(Event.case_id == case_id, Event.date_unconfirmed.is_(True))
        .order_by(Event.start, Event.id)
    )
    out: dict[int, list[Event]] = {}
    for evid, e in s.execute(q):
        out.setdefault(evid, []).append(e)
    return out


def pending_files(ws: Workspace, case_id: int, *, limit: int = 100) -> list[PendingFile]:
    """The case's files whose events wait for a confirmed date, in import order."""
    with ws.db.read_session() as s:
        zone = _zone(s, case_id, ws.settings.timezone)
        groups = _pending_by_file(s, case_id)
        ids = sorted(groups)[:limit]
        names = case_names(s, case_id, ids)
        media = {i: mt for i, mt in s.execute(select(Evidence.id, Evidence.media_type).where(Evidence.id.in_(ids)))}
        out = []
        for evid in ids:
            rows = groups[evid]
            day, basis = _anchor_day(rows, zone)
            mt = media.get(evid) or ""
            out.append(
                PendingFile(
                    evidence_id=evid,
                    name=names.get(evid),
                    media_type=mt or None,
                    is_image=mt.startswith("image/"),
                    is_audio=mt.startswith("audio/"),
                    events=len(rows),
                    proposed_day=day,
                    first=min(e.start for e in rows).astimezone(zone),
                    last=max(e.start for e in rows).astimezone(zone),
                    basis=basis,
                )
            )
        return out


class Confirmed(BaseModel):
    evidence_id: int
    events: int
    day: dt.date
    shifted_days: int


def confirm_file_date(
    ws: Workspace, case_id: int, evidence_id: int, day: dt.date | str | None = None, *, by: str = "local"
) -> Confirmed:
    """Confirm the proposed day of a file's events (``day`` None), or move them to ``day``."""
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day.strip()) if day.strip() else None
        except ValueError as e:
            raise InputError(f"无法识别的日期：{day}（请用 2026-03-20 这样的格式）", f"unrecognised date: {day}") from e
    with ws.db.session() as s:
        zone = _zone(s, case_id, ws.settings.timezone)
        rows = _pending_by_file(s, case_id).get(evidence_id)
        if not rows:
            raise NotFoundError(
                "这个文件没有待确认日期的记录",
                f"evidence {evidence_id} has no events awaiting a date in case {case_id}",
            )
        proposed, _basis = _anchor_day(rows, zone)
        target = day or proposed
        shift = dt.timedelta(days=(target - proposed).days)
        now = utcnow()
        latest = max(e.start for e in rows) + shift
        if latest > now + dt.timedelta(minutes=5):
            raise InputError(
                f"日期不能晚于今天（{now.astimezone(zone):%Y-%m-%d}）：这样会有记录落在将来",
                "the date would put events in the future",
            )
        for e in rows:
            if shift:
                local = e.start.astimezone(zone).replace(tzinfo=None) + shift
                e.start = local.replace(tzinfo=zone).astimezone(dt.timezone.utc)
            extra: dict[str, Any] = dict(e.extra or {})
            extra["date_confirmed"] = {"by": by, "at": now.isoformat(timespec="seconds"), "shifted_days": shift.days}
            e.extra = extra
            e.date_unconfirmed = False
        return Confirmed(evidence_id=evidence_id, events=len(rows), day=target, shifted_days=shift.days)
