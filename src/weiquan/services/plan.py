"""Service: the escalation plan of a case (``weiquan plan``)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

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


def write_plan(ws: Workspace, case_id: int, out_dir: Path, *, formats: tuple[str, ...] = ("docx", "pdf"),
               today: dt.date | None = None) -> list[Path]:
    """Write the plan as ``plan.json`` plus the 维权步骤计划 document (DOCX/PDF) into ``out_dir``."""
    from weiquan.services.documents import draft_document

    plan = build_plan(ws, case_id, today=today)
    out_dir.mkdir(parents=True, exist_ok=True)
    js = out_dir / f"案件{case_id}-维权步骤计划.json"
    js.write_text(json.dumps(plan.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    return [js, *draft_document(ws, case_id, "plan", formats=formats, out_dir=out_dir, today=today)]
