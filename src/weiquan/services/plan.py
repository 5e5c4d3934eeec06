"""Service: the escalation plan of a case (``weiquan plan``)."""

from __future__ import annotations

import datetime as dt

from weiquan.act.deadlines import calendar_for_home
from weiquan.act.plan import Plan, build
from weiquan.services.case_facts import load_case_facts
from weiquan.workspace import Workspace


def build_plan(ws: Workspace, case_id: int, *, today: dt.date | None = None, include_auto: bool = True) -> Plan:
    """Ordered escalation plan for the case from its findings, lender and actions taken."""
    facts = load_case_facts(ws, case_id, include_auto=include_auto, today=today)
    return build(ws.law, facts, calendar=calendar_for_home(ws.home))
