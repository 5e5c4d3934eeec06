"""Service: the escalation plan of a case (``weiquan plan``)."""

from __future__ import annotations

import datetime as dt

from weiquan.act.deadlines import calendar_for_home
from weiquan.act.facts import load_case_facts
from weiquan.act.plan import Plan, build
from weiquan.workspace import Workspace


def load_law_pack():  # type: ignore[no-untyped-def]
    """The law pack (imported lazily so the CLI starts fast)."""
    from weiquan.law.pack import load_pack

    return load_pack()


def build_plan(ws: Workspace, case_id: int, *, today: dt.date | None = None, include_auto: bool = True) -> Plan:
    """Ordered escalation plan for the case from its findings, lender and actions taken."""
    facts = load_case_facts(ws, case_id, include_auto=include_auto, today=today)
    return build(load_law_pack(), facts, calendar=calendar_for_home(ws.home))
