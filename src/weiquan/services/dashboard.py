"""Aggregated figures for a case's dashboard, computed in SQL (fast on 100,000+ events).

Times are stored in UTC. Contacts are bucketed by UTC hour in SQL and shifted to the
case's time zone in Python, which is exact for whole-hour zones without daylight
saving (Asia/Shanghai) and uses each bucket's own offset otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from weiquan.services.cases import CaseOut, get_case_row
from weiquan.store.models import Event, Finding
from weiquan.workspace import Workspace

NIGHT_START_H = 22  # default night window when the law pack is not given: 22:00–08:00
NIGHT_END_H = 8


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


def _hour_bucket(s: Session) -> ColumnElement[str]:
    """The start time truncated to the UTC hour, as text 'YYYY-MM-DD HH'."""
    if s.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m-%d %H", Event.start)
    return func.to_char(func.timezone("UTC", Event.start), "YYYY-MM-DD HH24")


def _local_hours(rows: list[tuple[str, int]], zone: ZoneInfo) -> list[tuple[dt.datetime, int]]:
    out = []
    for bucket, n in rows:
        utc = dt.datetime.strptime(bucket, "%Y-%m-%d %H").replace(tzinfo=dt.timezone.utc)
        out.append((utc.astimezone(zone), int(n)))
    return out


def _night_window() -> tuple[int, int]:
    try:
        from weiquan.law.pack import load_pack

        night = load_pack().conduct.night
        return int(night.start.hour), int(night.end.hour)
    except (ImportError, AttributeError):
        return NIGHT_START_H, NIGHT_END_H


def case_dashboard(ws: Workspace, case_id: int, *, top_numbers: int = 15) -> Dashboard:
    with ws.db.read_session() as s:
        case = get_case_row(s, case_id)
        tz = case.timezone or ws.settings.timezone
        zone = ZoneInfo(tz)
        where = Event.case_id == case_id
        by_channel = {ch: int(n) for ch, n in s.execute(
            select(Event.channel, func.count()).where(where).group_by(Event.channel))}
        total = sum(by_channel.values())
        third = s.scalar(select(func.count()).select_from(Event).where(where, Event.recipient != "borrower")) or 0
        first, last = s.execute(select(func.min(Event.start), func.max(Event.start)).where(where)).one()
        bucket = _hour_bucket(s)
        hours = _local_hours([(b, n) for b, n in s.execute(
            select(bucket, func.count()).where(where).group_by(bucket))], zone)
        numbers_q = (select(Event.counterpart, func.max(Event.signature), func.count(), func.min(Event.start), func.max(Event.start))
                     .where(where, Event.counterpart.is_not(None)).group_by(Event.counterpart)
                     .order_by(func.count().desc(), Event.counterpart).limit(top_numbers))
        numbers = [NumberCount(counterpart=c, signature=sig, count=int(n), first=f, last=la)
                   for c, sig, n, f, la in s.execute(numbers_q)]
        distinct_numbers = s.scalar(select(func.count(func.distinct(Event.counterpart))).where(where)) or 0
        findings = _finding_counts(s, case_id)
    per_day_c: Counter[dt.date] = Counter()
    heat = [[0] * 24 for _ in range(7)]
    ns, ne = _night_window()
    night = 0
    for local, n in hours:
        per_day_c[local.date()] += n
        heat[local.weekday()][local.hour] += n
        if (local.hour >= ns or local.hour < ne) if ns > ne else (ns <= local.hour < ne):
            night += n
    per_day = [DayCount(day=d, count=per_day_c[d]) for d in sorted(per_day_c)]
    busiest = max(per_day, key=lambda d: d.count) if per_day else None
    return Dashboard(case_id=case_id, tz=tz, total_events=total, by_channel=by_channel, third_party=third, night=night,
                     first=first, last=last, busiest_day=busiest, per_day=per_day, heat=heat, numbers=numbers,
                     distinct_numbers=distinct_numbers, findings=findings)


_SEV_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}


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
        if state != "rejected" and _SEV_RANK.get(severity, 0) >= _SEV_RANK.get(sev.get(cat, ""), -1):
            sev[cat] = severity
    out = [CategoryCount(category=c, total=a["total"], confirmed=a["confirmed"], rejected=a["rejected"], pending=a["auto"],
                         max_severity=sev.get(c)) for c, a in acc.items()]
    out.sort(key=lambda c: (-_SEV_RANK.get(c.max_severity or "", -1), -c.total, c.category))
    return out



def case_header(ws: Workspace, case_id: int) -> CaseOut:
    """The case record without counts (cheap; for page headers)."""
    with ws.db.read_session() as s:
        return CaseOut.model_validate(get_case_row(s, case_id))


def case_dashboard_categories(ws: Workspace, case_id: int) -> list[str]:
    """The violation categories with (non-stale) findings in the case."""
    with ws.db.read_session() as s:
        q = select(Finding.category).where(Finding.case_id == case_id, Finding.stale.is_(False)).distinct().order_by(Finding.category)
        return [c for (c,) in s.execute(q)]
