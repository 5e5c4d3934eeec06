"""SQL aggregates and batched streams over a case's events, for the documents of a large case.

A case may hold 100,000 events. The documents only print counts, per-number and per-day
aggregates, a bounded number of examples and quotes, and (12321, the catalogue) per-number or
per-file summaries. Counts and aggregates are computed in SQL; where a document really lists
events (calls per number, SMS texts), the rows are streamed in batches as plain column tuples,
never as ORM objects. Everything here is portable between SQLite and PostgreSQL. The results are the plain
dataclasses of ``weiquan.act.case_stats``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, case, distinct, func, select
from sqlalchemy.orm import Session

from weiquan.act.case_stats import (
    MAX_SMS_TIMES,
    MAX_THIRD_PARTY_ROWS,
    OUTGOING,
    STREAM_BATCH,
    CallStats,
    FileStats,
    GroupStats,
    SmsGroup,
    ThirdPartyContact,
    as_utc,
)
from weiquan.store.models import Event, EventSource, Evidence, Finding, FindingEvent


def counterpart_col() -> Any:
    return func.coalesce(Event.counterpart, Event.counterpart_raw)


def finding_filter(case_id: int, states: tuple[str, ...]) -> Any:
    return and_(Finding.case_id == case_id, Finding.review_state.in_(states), Finding.stale.is_(False))


def finding_event_ids(case_id: int, states: tuple[str, ...]) -> Select[Any]:
    """Distinct ids of the events behind the case's chosen findings (a subquery)."""
    return (
        select(FindingEvent.event_id)
        .join(Finding, Finding.id == FindingEvent.finding_id)
        .where(finding_filter(case_id, states))
        .distinct()
    )


def _stats_cols() -> list[Any]:
    return [
        func.count(distinct(Event.id)),
        func.min(Event.start),
        func.max(Event.start),
        func.count(distinct(case((Event.recipient != "borrower", Event.id), else_=None))),
        func.count(distinct(counterpart_col())),
    ]


def _group(row: Any) -> GroupStats:
    return GroupStats(int(row[0] or 0), as_utc(row[1]), as_utc(row[2]), int(row[3] or 0), int(row[4] or 0))


def _stats_by(s: Session, key: Any, case_id: int, states: tuple[str, ...]) -> dict[Any, GroupStats]:
    """Distinct events behind the case's findings, grouped by ``key`` (a finding or a category column)."""
    rows = s.execute(
        select(key, *_stats_cols())
        .select_from(FindingEvent)
        .join(Event, Event.id == FindingEvent.event_id)
        .join(Finding, Finding.id == FindingEvent.finding_id)
        .where(finding_filter(case_id, states))
        .group_by(key)
    )
    return {r[0]: _group(r[1:]) for r in rows}


def stats_by_finding(s: Session, case_id: int, states: tuple[str, ...]) -> dict[int, GroupStats]:
    return _stats_by(s, FindingEvent.finding_id, case_id, states)


def stats_by_category(s: Session, case_id: int, states: tuple[str, ...]) -> dict[str, GroupStats]:
    """Distinct events per category (findings of one category may share events)."""
    return _stats_by(s, Finding.category, case_id, states)


def finding_counts(s: Session, case_id: int, states: tuple[str, ...]) -> dict[str, int]:
    """The counts the documents print, over the distinct events behind the findings."""
    ids = finding_event_ids(case_id, states).subquery()
    in_ids = Event.id.in_(select(ids.c.event_id))
    by_channel = dict(s.execute(select(Event.channel, func.count()).where(in_ids).group_by(Event.channel)).all())
    stats = _group(s.execute(select(*_stats_cols()).where(in_ids)).one())
    people = s.execute(
        select(func.count()).select_from(
            select(Event.recipient, Event.recipient_name)
            .where(in_ids, Event.recipient != "borrower")
            .group_by(Event.recipient, Event.recipient_name)
            .subquery()
        )
    ).scalar_one()
    return {
        "events": stats.count,
        "calls": int(by_channel.get("call", 0)),
        "sms": int(by_channel.get("sms", 0)) + int(by_channel.get("mms", 0)),
        "chat": int(by_channel.get("chat", 0)),
        "numbers": stats.numbers,
        "third_party": stats.third_party,
        "third_party_people": int(people or 0),
    }


def finding_period(s: Session, case_id: int, states: tuple[str, ...]) -> tuple[dt.datetime, dt.datetime] | None:
    """First and last contact behind the findings, else of the whole case (UTC)."""
    ids = finding_event_ids(case_id, states).subquery()
    lo, hi = s.execute(
        select(func.min(Event.start), func.max(Event.start)).where(Event.id.in_(select(ids.c.event_id)))
    ).one()
    if lo is None:
        lo, hi = s.execute(
            select(func.min(Event.start), func.max(Event.start)).where(
                Event.case_id == case_id, Event.date_unconfirmed.is_(False)
            )
        ).one()
    return (as_utc(lo), as_utc(hi)) if lo is not None and hi is not None else None  # type: ignore[return-value]  # both bounds are set here


def finding_numbers(s: Session, case_id: int, states: tuple[str, ...]) -> list[tuple[str, int]]:
    """Counterpart numbers of the finding events, most used first."""
    ids = finding_event_ids(case_id, states).subquery()
    cp = counterpart_col()
    rows = s.execute(
        select(cp, func.count())
        .where(Event.id.in_(select(ids.c.event_id)), cp.is_not(None))
        .group_by(cp)
        .order_by(func.count().desc(), cp)
    )
    return [(str(n), int(c)) for n, c in rows]


def stats_by_evidence(s: Session, case_id: int, states: tuple[str, ...]) -> dict[int, FileStats]:
    out: dict[int, FileStats] = {}
    rows = s.execute(
        select(
            EventSource.evidence_id,
            Event.channel,
            Event.origin,
            EventSource.source_format,
            func.count(),
            func.min(Event.start),
            func.max(Event.start),
        )
        .join(Event, Event.id == EventSource.event_id)
        .where(Event.case_id == case_id, Event.date_unconfirmed.is_(False))  # no unconfirmed dates
        .group_by(EventSource.evidence_id, Event.channel, Event.origin, EventSource.source_format)
    )
    for evid, channel, origin, fmt, n, lo, hi in rows:
        fs = out.setdefault(evid, FileStats())
        fs.channels[channel] += int(n)
        fs.origins[origin or "export"] += int(n)
        if fmt:
            fs.formats[fmt] += int(n)
        lo, hi = as_utc(lo), as_utc(hi)
        fs.first = lo if fs.first is None or (lo and lo < fs.first) else fs.first
        fs.last = hi if fs.last is None or (hi and hi > fs.last) else fs.last
    cats = s.execute(
        select(EventSource.evidence_id, Finding.category)
        .join(FindingEvent, FindingEvent.event_id == EventSource.event_id)
        .join(Finding, Finding.id == FindingEvent.finding_id)
        .where(finding_filter(case_id, states))
        .distinct()
    )
    for evid, cat in cats:
        out.setdefault(evid, FileStats()).categories.add(cat)
    for evid, start, channel, text, extra in s.execute(
        select(EventSource.evidence_id, Event.start, Event.channel, Event.text, Event.extra)
        .join(Event, Event.id == EventSource.event_id)
        .where(Event.case_id == case_id, Event.origin == "manual", Event.date_unconfirmed.is_(False))
        .order_by(Event.start, Event.id)
    ):
        note = extra.get("note") if isinstance(extra, dict) else None
        out.setdefault(evid, FileStats()).statements.append((as_utc(start) or start, channel, text or "", note or ""))
    ids = list(out)
    for k in range(0, len(ids), 500):
        for src, derivation in s.execute(
            select(Evidence.derived_from_id, Evidence.derivation).where(
                Evidence.derived_from_id.in_(ids[k : k + 500]), Evidence.kind == "derived"
            )
        ):
            if derivation:
                out[src].derivations.add(derivation)
    return out


def _to_borrower() -> Any:
    """Events received by the borrower themself (not a third party, not the borrower's own outgoing ones)."""
    return and_(func.coalesce(Event.recipient, "borrower") == "borrower", Event.direction.not_in(OUTGOING))


def _stream(s: Session, stmt: Select[Any]) -> Iterator[Any]:
    yield from s.execute(stmt.execution_options(yield_per=STREAM_BATCH))


def call_stats(s: Session, case_id: int, states: tuple[str, ...], tz: ZoneInfo) -> list[CallStats]:
    """Calls to the borrower behind the findings per number (local days), streamed as (number, start) tuples.

    Calls to third parties (``recipient`` other than the borrower) and the borrower's own outgoing calls are
    not counted here: they did not reach the borrower's number (see :func:`third_party_contacts`).
    """
    ids = finding_event_ids(case_id, states).subquery()
    by: dict[str | None, CallStats] = {}
    stmt = (
        select(counterpart_col(), Event.start, Event.origin)
        .where(Event.id.in_(select(ids.c.event_id)), Event.channel == "call", _to_borrower())
        .order_by(Event.start, Event.id)
    )
    for number, start, origin in _stream(s, stmt):
        local = as_utc(start).astimezone(tz)  # type: ignore[union-attr]  # the columns are NOT NULL for these rows
        c = by.get(number)
        if c is None:
            c = by[number] = CallStats(number, first=local)
        c.count += 1
        c.last = local
        c.per_day[local.date()] += 1
        c.origins[origin or "export"] += 1
    return sorted(by.values(), key=lambda c: -c.count)


def sms_groups(s: Session, case_id: int, states: tuple[str, ...], tz: ZoneInfo) -> list[SmsGroup]:
    """Messages to the borrower behind the findings, identical texts from one number grouped, in time order.

    Messages to third parties and the borrower's own replies are not listed here (see :func:`third_party_contacts`).
    """
    ids = finding_event_ids(case_id, states).subquery()
    groups: dict[tuple[str, str], SmsGroup] = {}
    stmt = (
        select(counterpart_col(), Event.text, Event.start, Event.signature, Event.recipient, Event.origin)
        .where(
            Event.id.in_(select(ids.c.event_id)),
            Event.channel.in_(("sms", "mms")),
            Event.text.is_not(None),
            _to_borrower(),
        )
        .order_by(Event.start, Event.id)
    )
    for number, text, start, signature, recipient, origin in _stream(s, stmt):
        if not text:
            continue
        key = (number or "", text)
        g = groups.get(key)
        if g is None:
            g = groups[key] = SmsGroup(number, text, signature, recipient or "borrower", [], 0)
        g.count += 1
        g.origins[origin or "export"] += 1
        if len(g.times) < MAX_SMS_TIMES:
            g.times.append(as_utc(start).astimezone(tz))  # type: ignore[union-attr]  # the columns are NOT NULL for these rows
    return list(groups.values())


def third_party_contacts(
    s: Session, case_id: int, states: tuple[str, ...], tz: ZoneInfo, limit: int = MAX_THIRD_PARTY_ROWS
) -> tuple[list[ThirdPartyContact], int]:
    """Contacts behind the findings to people other than the borrower: the first ``limit`` in time order, and
    how many there are in all."""
    ids = finding_event_ids(case_id, states).subquery()
    where = (
        Event.id.in_(select(ids.c.event_id)),
        func.coalesce(Event.recipient, "borrower") != "borrower",
        Event.direction.not_in(OUTGOING),
    )
    total = int(s.execute(select(func.count()).select_from(Event).where(*where)).scalar_one() or 0)
    rows = s.execute(
        select(
            Event.start,
            Event.channel,
            counterpart_col(),
            Event.recipient,
            Event.recipient_name,
            Event.origin,
            Event.text,
            Event.extra,
        )
        .where(*where)
        .order_by(Event.start, Event.id)
        .limit(limit)
    )
    out = [
        ThirdPartyContact(
            as_utc(start).astimezone(tz),
            channel,
            number,
            recipient,
            name,  # type: ignore[union-attr]  # the columns are NOT NULL for these rows
            origin or "export",
            text,
            (extra or {}).get("text_from") if isinstance(extra, dict) else None,
        )
        for start, channel, number, recipient, name, origin, text, extra in rows
    ]
    return out, total


def quote_repeats(
    s: Session, case_id: int, states: tuple[str, ...], category: str, texts: list[str]
) -> dict[tuple[str | None, str], int]:
    """How many distinct events of a category's findings carry each of ``texts``, per counterpart number.

    Used to print an SMS that was sent many times once, with the exact number of times it was sent."""
    out: dict[tuple[str | None, str], int] = {}
    wanted = sorted(set(texts))
    cp = counterpart_col()
    for k in range(0, len(wanted), 200):
        rows = s.execute(
            select(cp, Event.text, func.count(distinct(Event.id)))
            .select_from(FindingEvent)
            .join(Event, Event.id == FindingEvent.event_id)
            .join(Finding, Finding.id == FindingEvent.finding_id)
            .where(finding_filter(case_id, states), Finding.category == category, Event.text.in_(wanted[k : k + 200]))
            .group_by(cp, Event.text)
        )
        for number, text, n in rows:
            out[(number, text)] = int(n)
    return out
