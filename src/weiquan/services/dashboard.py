"""Aggregated figures for a case's dashboard, computed in SQL (fast on 100,000+ events).

Times are stored in UTC. Contacts are bucketed by UTC hour in SQL and shifted to the
case's time zone in Python, which is exact for whole-hour zones without daylight
saving (Asia/Shanghai) and uses each bucket's own offset otherwise.
"""

from __future__ import annotations

from typing import Any

import datetime as dt
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from weiquan.errors import NotFoundError
from weiquan.report import charts
from weiquan.services.cases import CaseOut, get_case_row
from weiquan.store.models import Case, Event, Finding
from weiquan.workspace import Workspace
from weiquan.zh.labels import severity_rank

if TYPE_CHECKING:
    from weiquan.law.pack import LawPack


class DayCount(BaseModel):
    day: dt.date
    count: int


class NumberCount(BaseModel):
    counterpart: str
    signature: str | None
    count: int
    first: dt.datetime
    last: dt.datetime


class CategoryCount(BaseModel):
    category: str
    total: int
    confirmed: int
    rejected: int
    pending: int
    max_severity: str | None


@dataclass
class _NumberAcc:
    count: int
    first: dt.datetime
    last: dt.datetime
    signature: str | None

    def add(self, n: int, lo: dt.datetime, hi: dt.datetime, sig: str | None) -> None:
        self.count += n
        self.first = min(self.first, lo)
        self.last = max(self.last, hi)
        self.signature = self.signature or sig


class Dashboard(BaseModel):
    case_id: int
    tz: str
    total_events: int
    by_channel: dict[str, int]
    third_party: int
    night: int
    first: dt.datetime | None
    last: dt.datetime | None
    busiest_day: DayCount | None
    per_day: list[DayCount]
    heat: list[list[int]]  # [weekday 0=Mon][hour 0..23], local time
    numbers: list[NumberCount]
    distinct_numbers: int
    findings: list[CategoryCount]
    # the case's collection-contact figures computed once at analysis (analyze/figures.py): the same counts the
    # report, the plan and the documents print; None before the first analysis
    collection: dict[str, Any] | None = None
    dates_to_confirm: int = 0  # events whose date waits for the user (services.dates), counted nowhere else


def _hour_bucket(s: Session) -> ColumnElement[str]:
    """The start time truncated to the UTC hour, as text 'YYYY-MM-DD HH'."""
    if s.get_bind().dialect.name == "sqlite":
        # SQLite stores UTCDateTime as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC); a prefix is the hour and
        # costs half of strftime() over 100,000 rows
        return func.substr(Event.start, 1, 13)
    return func.to_char(func.timezone("UTC", Event.start), "YYYY-MM-DD HH24")


def _local_hours(rows: list[tuple[str, int]], zone: ZoneInfo) -> list[tuple[dt.datetime, int]]:
    out = []
    for bucket, n in rows:
        # 'YYYY-MM-DD HH' sliced by hand: strptime costs ~15 µs a bucket, thousands of buckets a page
        utc = dt.datetime(
            int(bucket[0:4]), int(bucket[5:7]), int(bucket[8:10]), int(bucket[11:13]), tzinfo=dt.timezone.utc
        )
        out.append((utc.astimezone(zone), int(n)))
    return out


def _night_window(pack: LawPack) -> tuple[int, int]:
    night = pack.conduct.night
    return int(night.start.hour), int(night.end.hour)


def case_dashboard(ws: Workspace, case_id: int, *, top_numbers: int = 15) -> Dashboard:
    with ws.db.read_session() as s:
        case = get_case_row(s, case_id)
        tz = case.timezone or ws.settings.timezone
        zone = ZoneInfo(tz)
        collection = (case.extra or {}).get("contact_figures")
        where = Event.case_id == case_id
        # One index-only pass (ix_events_case_dashboard holds every column read, in GROUP BY order) over the
        # case's rows grouped by (number, channel, recipient); per-channel counts, third-party count, top
        # numbers, distinct numbers and first/last are summed from these few hundred rows.
        rows = s.execute(
            select(
                Event.counterpart,
                Event.channel,
                Event.recipient,
                Event.date_unconfirmed,
                func.count(),
                func.min(Event.start),
                func.max(Event.start),
                func.max(Event.signature),
            )
            .where(where)
            .group_by(Event.counterpart, Event.channel, Event.recipient, Event.date_unconfirmed)
        ).all()
        by_channel: Counter[str] = Counter()
        third = 0
        per_number: dict[str, _NumberAcc] = {}
        first = last = None
        undated = 0
        for number, ch, recipient, unconfirmed, n, lo, hi, sig in rows:
            if unconfirmed:  # a date the user has not confirmed counts nowhere (services.dates)
                undated += n
                continue
            by_channel[ch] += n
            third += n if recipient is not None and recipient != "borrower" else 0
            first = lo if first is None or lo < first else first
            last = hi if last is None or hi > last else last
            if number is not None:
                acc = per_number.get(number)
                if acc is None:
                    per_number[number] = _NumberAcc(n, lo, hi, sig)
                else:
                    acc.add(n, lo, hi, sig)
        total = sum(by_channel.values())
        bucket = _hour_bucket(s)
        hours = _local_hours(
            [
                (b, n)
                for b, n in s.execute(
                    select(bucket, func.count()).where(where, Event.date_unconfirmed.is_(False)).group_by(bucket)
                )
            ],
            zone,
        )
        top = sorted(per_number.items(), key=lambda kv: (-kv[1].count, kv[0]))[:top_numbers]
        numbers = [
            NumberCount(counterpart=c, signature=a.signature, count=a.count, first=a.first, last=a.last) for c, a in top
        ]
        distinct_numbers = len(per_number)
        findings = _finding_counts(s, case_id)
    per_day_c: Counter[dt.date] = Counter()
    heat = [[0] * 24 for _ in range(7)]
    ns, ne = _night_window(ws.law)
    night = 0
    for local, n in hours:
        per_day_c[local.date()] += n
        heat[local.weekday()][local.hour] += n
        if (local.hour >= ns or local.hour < ne) if ns > ne else (ns <= local.hour < ne):
            night += n
    per_day = [DayCount(day=d, count=per_day_c[d]) for d in sorted(per_day_c)]
    busiest = max(per_day, key=lambda d: d.count) if per_day else None
    if collection:  # one count everywhere (issue 16 item 8): the collection contacts, not every record
        night, third, distinct_numbers = collection["night"], collection["third_party"], collection["numbers"]
    return Dashboard(
        case_id=case_id,
        tz=tz,
        total_events=total,
        by_channel=dict(by_channel),
        third_party=third,
        night=night,
        first=first,
        last=last,
        busiest_day=busiest,
        per_day=per_day,
        heat=heat,
        numbers=numbers,
        distinct_numbers=distinct_numbers,
        findings=findings,
        collection=collection,
        dates_to_confirm=undated,
    )


def _finding_counts(s: Session, case_id: int) -> list[CategoryCount]:
    rows = s.execute(
        select(Finding.category, Finding.severity, Finding.review_state, func.count())
        .where(Finding.case_id == case_id, Finding.stale.is_(False))
        .group_by(Finding.category, Finding.severity, Finding.review_state)
    )
    acc: dict[str, dict[str, int]] = defaultdict(lambda: {"total": 0, "confirmed": 0, "rejected": 0, "auto": 0})
    sev: dict[str, str] = {}
    for cat, severity, state, n in rows:
        a = acc[cat]
        a["total"] += n
        a[state if state in a else "auto"] += n
        if state != "rejected" and (cat not in sev or severity_rank(severity) <= severity_rank(sev[cat])):
            sev[cat] = severity
    out = [
        CategoryCount(
            category=c,
            total=a["total"],
            confirmed=a["confirmed"],
            rejected=a["rejected"],
            pending=a["auto"],
            max_severity=sev.get(c),
        )
        for c, a in acc.items()
    ]
    out.sort(key=lambda c: (severity_rank(c.max_severity), -c.total, c.category))
    return out


def case_header(ws: Workspace, case_id: int) -> CaseOut:
    """The case record without counts (cheap; for page headers)."""
    with ws.db.read_session() as s:
        return CaseOut.model_validate(get_case_row(s, case_id))


def case_dashboard_finding_counts(ws: Workspace, case_id: int) -> list[CategoryCount]:
    """Findings per category and review state (cheap: no event pass)."""
    with ws.db.read_session() as s:
        get_case_row(s, case_id)
        return _finding_counts(s, case_id)


def case_dashboard_categories(ws: Workspace, case_id: int) -> list[str]:
    """The violation categories with (non-stale) findings in the case."""
    with ws.db.read_session() as s:
        q = (
            select(Finding.category)
            .where(Finding.case_id == case_id, Finding.stale.is_(False))
            .distinct()
            .order_by(Finding.category)
        )
        return [c for (c,) in s.execute(q)]


def case_state(ws: Workspace, case_id: int) -> tuple[object, ...]:
    """A cheap fingerprint of what the dashboard shows: event count and newest id (index-only), findings state."""
    with ws.db.read_session() as s:
        ev = s.execute(
            select(func.count(), func.max(Event.id), func.count().filter(Event.date_unconfirmed.is_(True))).where(
                Event.case_id == case_id
            )
        ).one()
        fi = s.execute(select(func.count(), func.max(Finding.updated_at)).where(Finding.case_id == case_id)).one()
        tz = s.execute(select(Case.timezone).where(Case.id == case_id)).scalar()
    return (*ev, *fi, tz)


class DashboardCache:
    """Per-app memo of :func:`case_dashboard`, keyed by :func:`case_state`; entries also expire after ``ttl_s``
    so an in-place edit of an event (which does not change the fingerprint) shows within that time."""

    def __init__(self, size: int = 16, ttl_s: float = 120.0) -> None:
        self._items: dict[int, tuple[tuple[object, ...], float, Dashboard]] = {}
        self._size, self._ttl = size, ttl_s
        self._lock = threading.Lock()

    def get(self, ws: Workspace, case_id: int) -> Dashboard:
        state = case_state(ws, case_id)
        now = time.monotonic()
        with self._lock:
            hit = self._items.get(case_id)
            if hit is not None and hit[0] == state and now - hit[1] < self._ttl:
                return hit[2]
        d = case_dashboard(ws, case_id)
        with self._lock:
            if len(self._items) >= self._size and case_id not in self._items:
                self._items.pop(next(iter(self._items)))
            self._items[case_id] = (state, now, d)
        return d


# -- chart images of a case (the web's overview page caches them by ``chart_state``, web/charts.py)

ChartName = Literal["per_day", "heatmap", "numbers"]
CHART_NAMES: tuple[str, ...] = ("per_day", "heatmap", "numbers")


def _night(pack: LawPack) -> tuple[dt.time, dt.time] | None:
    n = pack.conduct.night
    return (n.start, n.end)


def chart_state(ws: Workspace, case_id: int) -> tuple[object, ...]:
    """What a case's charts depend on (zone, lender, event count and newest id): the web caches charts by it."""
    with ws.db.read_session() as s:
        case = get_case_row(s, case_id)
        count, newest = s.execute(
            select(func.count(), func.max(Event.id)).where(Event.case_id == case_id, Event.date_unconfirmed.is_(False))
        ).one()
        return (case.timezone, case.lender_name, count, newest)


def case_chart(ws: Workspace, case_id: int, name: str, *, fmt: charts.Fmt = "svg") -> bytes:
    """One chart of the case (``CHART_NAMES``) drawn by ``weiquan.report.charts`` from all its events."""
    if name not in CHART_NAMES:
        raise NotFoundError(f"没有这种图表：{name}", f"no such chart: {name}")
    with ws.db.read_session() as s:
        case = get_case_row(s, case_id)
        tz, lender = case.timezone, case.lender_name
        rows = s.execute(
            select(Event.start, Event.channel, Event.recipient, Event.counterpart, Event.signature)
            .where(Event.case_id == case_id, Event.date_unconfirmed.is_(False))
            .execution_options(yield_per=5000)
        )
        stats = charts.aggregate(charts.events_from_rows(rows), tz=tz, default_group=lender)
    if name == "per_day":
        data = charts.contacts_per_day(stats, fmt=fmt)
    elif name == "heatmap":
        data = charts.hour_weekday_heatmap(stats, night=_night(ws.law), fmt=fmt)
    else:
        data = charts.numbers_over_time(stats, fmt=fmt)
    return data
