"""The case report counts the events of a category once, however many of its findings share them."""

from __future__ import annotations

import datetime as dt

from tests.fixtures.store_rows import add_finding
from weiquan.services.cases import create_case
from weiquan.store.models import Event
from weiquan.workspace import Workspace


def test_a_categorys_events_are_counted_once(ws: Workspace) -> None:
    from weiquan.report.case_data import load_law
    from weiquan.report.case_report import render_html
    from weiquan.services.case_report import load_report_data
    from weiquan.services.cases import get_case_row
    from weiquan.services.evidence import case_evidence

    case = create_case(ws, "计数测试", lender="某某贷")
    start = dt.datetime(2025, 3, 1, 2, 0, tzinfo=dt.timezone.utc)
    with ws.db.session() as s:
        ids = []
        for i in range(9):
            e = Event(
                case_id=case.id,
                channel="call",
                direction="in",
                start=start + dt.timedelta(minutes=20 * i),
                source_tz="Asia/Shanghai",
                counterpart="+8617000000001",
            )
            s.add(e)
            s.flush()
            ids.append(e.id)
        # a per-number flood (first 6 calls) inside a number-rotation finding (all 9): 9 events, not 15
        for key, eids in (("flood", ids[:6]), ("rotation", ids)):
            add_finding(s, case.id, "harassment_volume", eids, key=key, review="auto")
    law = load_law(ws.law)
    with ws.db.read_session() as s:
        data = load_report_data(s, get_case_row(s, case.id), case_evidence(s, case.id), law)
        html = render_html(data)
    assert [(c, n, ev) for c, _, n, ev, _ in data.by_category] == [("harassment_volume", 2, 9)]
    assert "<td>2</td><td>9</td>" in html.replace("\n", "").replace(" ", "")
