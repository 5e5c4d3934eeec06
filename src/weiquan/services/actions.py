"""Service: actions taken on a case (complaints sent, reports filed) and their deadlines.

An action's body is a channel id of the law pack. When it has been submitted, its due date is
computed from the channel's deadline rule (calendar days, or Chinese working days with the
holiday schedule; estimated when the year's schedule is not known). "Overdue" is computed when
reading: an action that was sent and has no reply by its due date is shown as overdue.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from weiquan.config import DEFAULT_TIMEZONE, zone_or_default
from weiquan.act.deadlines import DeadlineRule, calendar_for_home, estimate_note_zh
from weiquan.act.plan import deadline_rule, resolve_lender
from weiquan.errors import InputError, NotFoundError
from weiquan.services.case_facts import load_case_facts
from weiquan.services.cases import get_case_row
from weiquan.store.models import Action, Case
from weiquan.workspace import Workspace
from weiquan.zh.format import date_zh
from weiquan.zh.labels import ACTION_STATUS_ZH, ACTION_STATUSES, label

OPEN_STATUSES = ("sent", "overdue")  # waiting for the body's answer


class ActionOut(BaseModel):
    id: int
    case_id: int
    body: str
    body_zh: str
    document: str | None = None
    status: str
    status_zh: str
    effective_status: str  # status, or "overdue" when sent and past due
    submitted_at: dt.datetime | None = None
    reference_no: str | None = None
    due_at: dt.date | None = None
    due_estimated: bool = False
    deadline_rule: dict[str, Any] = {}
    deadline_zh: str | None = None
    days_left: int | None = None
    overdue: bool = False
    response: str | None = None
    notes: str | None = None
    created_at: dt.datetime
    updated_at: dt.datetime


def _tz(case: Case) -> ZoneInfo:
    return zone_or_default(case.timezone)


def _today(case: Case, today: dt.date | None) -> dt.date:
    return today or dt.datetime.now(_tz(case)).date()


def _out(a: Action, case: Case, pack: Any, today: dt.date) -> ActionOut:
    ch = pack.channels.get(a.body)
    overdue = a.status in OPEN_STATUSES and a.due_at is not None and today > a.due_at
    eff = "overdue" if overdue else a.status
    rule = a.deadline_rule or {}
    note = None
    if a.due_at is not None:
        r = DeadlineRule.from_mapping(rule) if rule.get("days") else None
        unit = r.describe_zh() if r else ""
        est = (
            estimate_note_zh(r, a.due_estimated, rule.get("estimated_years") or ())
            if r
            else ("节假日安排暂无数据，按周一至周五估算，请以官方公布为准" if a.due_estimated else "")
        )
        note = f"{unit}，{date_zh(a.due_at)}截止" + (f"（{est}）" if est else "")
    return ActionOut(
        id=a.id,
        case_id=a.case_id,
        body=a.body,
        body_zh=ch.name_zh if ch else a.body,
        document=a.document,
        status=a.status,
        status_zh=label(ACTION_STATUS_ZH, a.status),
        effective_status=eff,
        submitted_at=a.submitted_at,
        reference_no=a.reference_no,
        due_at=a.due_at,
        due_estimated=a.due_estimated,
        deadline_rule=rule,
        deadline_zh=note,
        days_left=(a.due_at - today).days if a.due_at is not None and a.status in OPEN_STATUSES else None,
        overdue=overdue,
        response=a.response,
        notes=a.notes,
        created_at=a.created_at,
        updated_at=a.updated_at,
    )


def _check_body(pack: Any, body: str) -> Any:
    ch = pack.channels.get(body)
    if ch is None:
        valid = ", ".join(sorted(pack.channels))
        raise InputError(f"未知的投诉渠道：{body}。可选：{valid}", f"unknown body {body!r}; valid: {valid}")
    return ch


def _check_status(status: str) -> None:
    if status not in ACTION_STATUSES:
        raise InputError(
            f"无效状态：{status}。可选：{', '.join(ACTION_STATUSES)}",
            f"invalid status {status!r}; valid: {', '.join(ACTION_STATUSES)}",
        )


def refuse_future(when: dt.datetime | dt.date | None, tz: str = DEFAULT_TIMEZONE) -> dt.datetime | dt.date | None:
    """A submission time typed by a person (CLI, web form): one in the future is refused (it cannot have been
    submitted yet). A naive time is read in ``tz``; a date is in the future after today in ``tz``."""
    if when is None:
        return None
    zone = ZoneInfo(tz)
    now = dt.datetime.now(zone)
    if isinstance(when, dt.datetime):
        future = (when if when.tzinfo else when.replace(tzinfo=zone)) > now + dt.timedelta(minutes=5)
    else:
        future = when > now.date()
    if future:
        raise InputError(
            f"提交时间在将来：{when}。请填写实际提交的时间（今天是 {now:%Y-%m-%d}）",
            f"the submission time is in the future: {when}",
        )
    return when


def _aware(case: Case, when: dt.datetime | dt.date) -> dt.datetime:
    if isinstance(when, dt.datetime):
        return when if when.tzinfo is not None else when.replace(tzinfo=_tz(case))
    return dt.datetime.combine(when, dt.time(12, 0), tzinfo=_tz(case))


def _compute_due(ws: Workspace, case: Case, action: Action, pack: Any, licence: str | None) -> None:
    ch = pack.channels.get(action.body)
    rule = deadline_rule(ch, licence) if ch is not None else None
    if rule is None or action.submitted_at is None:
        action.due_at, action.due_estimated = None, False
        action.deadline_rule = rule.as_dict() if rule else {}
        return
    start = action.submitted_at.astimezone(_tz(case)).date()
    due = calendar_for_home(ws.home).due_date(start, rule)
    action.due_at, action.due_estimated = due.due, due.estimated
    action.deadline_rule = {**rule.as_dict(), "estimated_years": list(due.estimated_years)}


def _licence(ws: Workspace, case_id: int, pack: Any) -> str | None:
    return resolve_lender(pack, load_case_facts(ws, case_id)).licence_type


def add_action(
    ws: Workspace,
    case_id: int,
    body: str,
    *,
    document: str | None = None,
    submitted_at: dt.datetime | dt.date | None = None,
    reference_no: str | None = None,
    status: str | None = None,
    notes: str | None = None,
    today: dt.date | None = None,
) -> ActionOut:
    """Record an action. With ``submitted_at`` the status defaults to ``sent`` and the due date is computed."""
    pack = ws.law
    _check_body(pack, body)
    status = status or ("sent" if submitted_at is not None else "draft")
    _check_status(status)
    licence = _licence(ws, case_id, pack)
    with ws.db.session() as s:
        case = get_case_row(s, case_id)
        if status in ("sent", "replied", "overdue", "escalated") and submitted_at is None:
            submitted_at = dt.datetime.now(dt.timezone.utc)
        a = Action(
            case_id=case_id,
            body=body,
            document=document,
            status=status,
            reference_no=reference_no,
            notes=notes,
            submitted_at=_aware(case, submitted_at) if submitted_at is not None else None,
        )
        _compute_due(ws, case, a, pack, licence)
        s.add(a)
        s.flush()
        out = _out(a, case, pack, _today(case, today))
    ws.vault.record("action_added", case_id=case_id, meta={"action_id": out.id, "body": body, "status": status})
    return out


def update_action(
    ws: Workspace,
    action_id: int,
    *,
    status: str | None = None,
    submitted_at: dt.datetime | dt.date | None = None,
    reference_no: str | None = None,
    response: str | None = None,
    note: str | None = None,
    document: str | None = None,
    today: dt.date | None = None,
) -> ActionOut:
    """Change an action: status, submission time (recomputes the due date), reference, response, a note."""
    pack = ws.law
    if status is not None:
        _check_status(status)
    with ws.db.read_session() as s:
        a0 = _action_row(s, action_id)
        case_id = a0.case_id
    licence = _licence(ws, case_id, pack)
    with ws.db.session() as s:
        a = _action_row(s, action_id)
        case = get_case_row(s, a.case_id)
        if submitted_at is not None:
            a.submitted_at = _aware(case, submitted_at)
        if status is not None:
            if status in ("sent", "replied", "overdue", "escalated") and a.submitted_at is None:
                a.submitted_at = dt.datetime.now(dt.timezone.utc)
            a.status = status
        if reference_no is not None:
            a.reference_no = reference_no.strip() or None
        if response is not None:
            a.response = response
        if document is not None:
            a.document = document
        if note:
            stamp = dt.datetime.now(_tz(case)).strftime("%Y-%m-%d %H:%M")
            a.notes = ((a.notes + "\n") if a.notes else "") + f"[{stamp}] {note}"
        if submitted_at is not None or (status is not None and a.due_at is None):
            _compute_due(ws, case, a, pack, licence)
        s.flush()
        out = _out(a, case, pack, _today(case, today))
    ws.vault.record("action_updated", case_id=case_id, meta={"action_id": action_id, "status": out.status})
    return out


def _action_row(s: Session, action_id: int) -> Action:
    a = s.get(Action, action_id)
    if a is None:
        raise NotFoundError(f"行动 {action_id} 不存在", f"action {action_id} does not exist")
    return a


def list_actions(ws: Workspace, case_id: int, *, today: dt.date | None = None) -> list[ActionOut]:
    """The case's actions, due first; ``overdue`` and ``days_left`` computed for ``today``."""
    pack = ws.law
    with ws.db.read_session() as s:
        case = get_case_row(s, case_id)
        t = _today(case, today)
        rows = s.execute(select(Action).where(Action.case_id == case_id).order_by(Action.id)).scalars().all()
        outs = [_out(a, case, pack, t) for a in rows]
    return sorted(outs, key=lambda o: (o.due_at is None, o.due_at or dt.date.max, o.id))


def require_action_in_case(ws: Workspace, case_id: int, action_id: int) -> None:
    """An action of another case is not found from this one (the page's and the API's check)."""
    with ws.db.read_session() as s:
        if _action_row(s, action_id).case_id != case_id:
            raise NotFoundError(f"记录 {action_id} 不属于这个案件", f"action {action_id} is not part of case {case_id}")


def get_action(ws: Workspace, action_id: int, *, today: dt.date | None = None) -> ActionOut:
    pack = ws.law
    with ws.db.read_session() as s:
        a = _action_row(s, action_id)
        case = get_case_row(s, a.case_id)
        return _out(a, case, pack, _today(case, today))


def due_actions(
    ws: Workspace, *, within_days: int = 7, today: dt.date | None = None, case_ids: set[int] | None = None
) -> list[ActionOut]:
    """Open actions across cases that are overdue or due within ``within_days`` (advocate overview)."""
    pack = ws.law
    out: list[ActionOut] = []
    with ws.db.read_session() as s:
        q = select(Action).where(Action.status.in_(OPEN_STATUSES), Action.due_at.is_not(None)).order_by(Action.due_at)
        if case_ids is not None:
            q = q.where(Action.case_id.in_(case_ids))
        cases: dict[int, Case] = {}
        for a in s.execute(q).scalars():
            case = cases.setdefault(a.case_id, get_case_row(s, a.case_id))
            o = _out(a, case, pack, _today(case, today))
            if o.overdue or (o.days_left is not None and o.days_left <= within_days):
                out.append(o)
    return out
