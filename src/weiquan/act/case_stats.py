"""SQL aggregates and batched streams over a case's events, for the documents of a large case.

A case may hold 100,000 events. The documents only print counts, per-number and per-day
aggregates, a bounded number of examples and quotes, and (12321, the catalogue) per-number or
per-file summaries. Counts and aggregates are computed in SQL; where a document really lists
events (calls per number, SMS texts), the rows are streamed in batches as plain column tuples,
never as ORM objects. Everything here is portable between SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, case, distinct, func, select
from sqlalchemy.orm import Session

from weiquan.store.models import Event, EventSource, Finding, FindingEvent

STREAM_BATCH = 2000
MAX_SMS_TIMES = 6  # times kept per (number, text) group; the count is exact


def counterpart_col() -> Any:
    return func.coalesce(Event.counterpart, Event.counterpart_raw)


def finding_filter(case_id: int, states: tuple[str, ...]) -> Any:
    return and_(Finding.case_id == case_id, Finding.review_state.in_(states), Finding.stale.is_(False))


def finding_event_ids(case_id: int, states: tuple[str, ...]) -> Select[Any]:
    """Distinct ids of the events behind the case's chosen findings (a subquery)."""
    return (select(FindingEvent.event_id).join(Finding, Finding.id == FindingEvent.finding_id)
            .where(finding_filter(case_id, states)).distinct())


@dataclass(frozen=True)
class GroupStats:
    """Aggregates over a set of events."""

    count: int = 0
    first: dt.datetime | None = None  # UTC
    last: dt.datetime | None = None
    third_party: int = 0
    numbers: int = 0


def _stats_cols() -> list[Any]:
    return [func.count(distinct(Event.id)), func.min(Event.start), func.max(Event.start),
            func.count(distinct(case((Event.recipient != "borrower", Event.id), else_=None))),
            func.count(distinct(counterpart_col()))]


def as_utc(t: dt.datetime | None) -> dt.datetime | None:
    if t is None:
        return None
    return t.replace(tzinfo=dt.timezone.utc) if t.tzinfo is None else t.astimezone(dt.timezone.utc)


def _group(row: Any) -> GroupStats:
    return GroupStats(int(row[0] or 0), as_utc(row[1]), as_utc(row[2]), int(row[3] or 0), int(row[4] or 0))


def stats_by_finding(s: Session, case_id: int, states: tuple[str, ...]) -> dict[int, GroupStats]:
    rows = s.execute(select(FindingEvent.finding_id, *_stats_cols())
                     .join(Event, Event.id == FindingEvent.event_id).join(Finding, Finding.id == FindingEvent.finding_id)
                     .where(finding_filter(case_id, states)).group_by(FindingEvent.finding_id))
    return {r[0]: _group(r[1:]) for r in rows}


def stats_by_category(s: Session, case_id: int, states: tuple[str, ...]) -> dict[str, GroupStats]:
    """Distinct events per category (findings of one category may share events)."""
    rows = s.execute(select(Finding.category, *_stats_cols())
                     .select_from(FindingEvent).join(Event, Event.id == FindingEvent.event_id)
                     .join(Finding, Finding.id == FindingEvent.finding_id)
                     .where(finding_filter(case_id, states)).group_by(Finding.category))
    return {r[0]: _group(r[1:]) for r in rows}


def finding_counts(s: Session, case_id: int, states: tuple[str, ...]) -> dict[str, int]:
    """The counts the documents print, over the distinct events behind the findings."""
    ids = finding_event_ids(case_id, states).subquery()
    in_ids = Event.id.in_(select(ids.c.event_id))
    by_channel = dict(s.execute(select(Event.channel, func.count()).where(in_ids).group_by(Event.channel)).all())
    stats = _group(s.execute(select(*_stats_cols()).where(in_ids)).one())
    people = s.execute(select(func.count()).select_from(
        select(Event.recipient, Event.recipient_name).where(in_ids, Event.recipient != "borrower")
        .group_by(Event.recipient, Event.recipient_name).subquery())).scalar_one()
    return {"events": stats.count, "calls": int(by_channel.get("call", 0)),
            "sms": int(by_channel.get("sms", 0)) + int(by_channel.get("mms", 0)), "chat": int(by_channel.get("chat", 0)),
            "numbers": stats.numbers, "third_party": stats.third_party, "third_party_people": int(people or 0)}


def finding_period(s: Session, case_id: int, states: tuple[str, ...]) -> tuple[dt.datetime, dt.datetime] | None:
    """First and last contact behind the findings, else of the whole case (UTC)."""
    ids = finding_event_ids(case_id, states).subquery()
    lo, hi = s.execute(select(func.min(Event.start), func.max(Event.start))
                       .where(Event.id.in_(select(ids.c.event_id)))).one()
    if lo is None:
        lo, hi = s.execute(select(func.min(Event.start), func.max(Event.start)).where(Event.case_id == case_id)).one()
    return (as_utc(lo), as_utc(hi)) if lo is not None and hi is not None else None  # type: ignore[return-value]


def finding_numbers(s: Session, case_id: int, states: tuple[str, ...]) -> list[tuple[str, int]]:
    """Counterpart numbers of the finding events, most used first."""
    ids = finding_event_ids(case_id, states).subquery()
    cp = counterpart_col()
    rows = s.execute(select(cp, func.count()).where(Event.id.in_(select(ids.c.event_id)), cp.is_not(None))
                     .group_by(cp).order_by(func.count().desc(), cp))
    return [(str(n), int(c)) for n, c in rows]


@dataclass
class FileStats:
    """What the events imported from one evidence file show (for the 证据目录)."""

    channels: Counter[str] = field(default_factory=Counter)
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    categories: set[str] = field(default_factory=set)


def stats_by_evidence(s: Session, case_id: int, states: tuple[str, ...]) -> dict[int, FileStats]:
    out: dict[int, FileStats] = {}
    rows = s.execute(select(EventSource.evidence_id, Event.channel, func.count(), func.min(Event.start), func.max(Event.start))
                     .join(Event, Event.id == EventSource.event_id).where(Event.case_id == case_id)
                     .group_by(EventSource.evidence_id, Event.channel))
    for evid, channel, n, lo, hi in rows:
        fs = out.setdefault(evid, FileStats())
        fs.channels[channel] += int(n)
        lo, hi = as_utc(lo), as_utc(hi)
        fs.first = lo if fs.first is None or (lo and lo < fs.first) else fs.first
        fs.last = hi if fs.last is None or (hi and hi > fs.last) else fs.last
    cats = s.execute(select(EventSource.evidence_id, Finding.category)
                     .join(FindingEvent, FindingEvent.event_id == EventSource.event_id)
                     .join(Finding, Finding.id == FindingEvent.finding_id)
                     .where(finding_filter(case_id, states)).distinct())
    for evid, cat in cats:
        out.setdefault(evid, FileStats()).categories.add(cat)
    return out


@dataclass
class CallStats:
    number: str | None
    count: int = 0
    first: dt.datetime | None = None  # local
    last: dt.datetime | None = None
    per_day: Counter[dt.date] = field(default_factory=Counter)


@dataclass
class SmsGroup:
    number: str | None
    text: str
    signature: str | None
    recipient: str
    times: list[dt.datetime]  # local, the first MAX_SMS_TIMES
    count: int


def _stream(s: Session, stmt: Select[Any]) -> Iterator[Any]:
    yield from s.execute(stmt.execution_options(yield_per=STREAM_BATCH))


def call_stats(s: Session, case_id: int, states: tuple[str, ...], tz: ZoneInfo) -> list[CallStats]:
    """Calls behind the findings per number (local days), streamed as (number, start) tuples."""
    ids = finding_event_ids(case_id, states).subquery()
    by: dict[str | None, CallStats] = {}
    stmt = (select(counterpart_col(), Event.start).where(Event.id.in_(select(ids.c.event_id)), Event.channel == "call")
            .order_by(Event.start, Event.id))
    for number, start in _stream(s, stmt):
        local = as_utc(start).astimezone(tz)  # type: ignore[union-attr]
        c = by.get(number)
        if c is None:
            c = by[number] = CallStats(number, first=local)
        c.count += 1
        c.last = local
        c.per_day[local.date()] += 1
    return sorted(by.values(), key=lambda c: -c.count)


def sms_groups(s: Session, case_id: int, states: tuple[str, ...], tz: ZoneInfo) -> list[SmsGroup]:
    """Messages behind the findings, identical texts from one number grouped, in time order."""
    ids = finding_event_ids(case_id, states).subquery()
    groups: dict[tuple[str, str], SmsGroup] = {}
    stmt = (select(counterpart_col(), Event.text, Event.start, Event.signature, Event.recipient)
            .where(Event.id.in_(select(ids.c.event_id)), Event.channel.in_(("sms", "mms")), Event.text.is_not(None))
            .order_by(Event.start, Event.id))
    for number, text, start, signature, recipient in _stream(s, stmt):
        if not text:
            continue
        key = (number or "", text)
        g = groups.get(key)
        if g is None:
            g = groups[key] = SmsGroup(number, text, signature, recipient or "borrower", [], 0)
        g.count += 1
        if len(g.times) < MAX_SMS_TIMES:
            g.times.append(as_utc(start).astimezone(tz))  # type: ignore[union-attr]
    return list(groups.values())
