"""The dashboard's SQL aggregates and the timeline filters give the same answers on SQLite and PostgreSQL.

Events are written directly with known times so every figure can be checked by hand: local-time
buckets (Asia/Shanghai, UTC+8) cross midnight and the week, third parties and signatures are counted.
"""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from tests.fixtures.store_rows import add_finding
from weiquan.services import cases, dashboard
from weiquan.store.models import Event
from weiquan.workspace import Workspace

API = "/api/v1"
UTC = dt.timezone.utc


def _event(
    case_id: int,
    start: dt.datetime,
    *,
    channel: str = "sms",
    number: str | None = "+8613800000001",
    recipient: str = "borrower",
    signature: str | None = None,
    text: str | None = "请还款",
) -> Event:
    return Event(
        case_id=case_id,
        channel=channel,
        direction="incoming",
        start=start,
        source_tz="Asia/Shanghai",
        counterpart=number,
        text=text if channel != "call" else None,
        recipient=recipient,
        origin="export",
        signature=signature,
        extra={},
        duration_s=30.0 if channel == "call" else None,
    )


def _case(ws: Workspace) -> int:
    cid = cases.create_case(ws, "聚合测试", timezone="Asia/Shanghai").id
    with ws.db.session() as s:
        s.add_all(
            [
                # Sunday 2025-03-02 15:30 UTC = Sunday 23:30 local: night, weekday 6, hour 23
                _event(cid, dt.datetime(2025, 3, 2, 15, 30, tzinfo=UTC), signature="【示例贷】"),
                # Sunday 16:10 UTC = Monday 00:10 local: night, next day, weekday 0, hour 0
                _event(cid, dt.datetime(2025, 3, 2, 16, 10, tzinfo=UTC), recipient="relative"),
                # Monday 02:00 UTC = Monday 10:00 local, a call from another number to a colleague
                _event(
                    cid,
                    dt.datetime(2025, 3, 3, 2, 0, tzinfo=UTC),
                    channel="call",
                    number="+8613900000002",
                    recipient="colleague",
                ),
                _event(cid, dt.datetime(2025, 3, 3, 2, 20, tzinfo=UTC), channel="call", number="+8613900000002"),
                # no number at all (a visit)
                _event(cid, dt.datetime(2025, 3, 4, 1, 0, tzinfo=UTC), channel="visit", number=None, text=None),
            ]
        )
    other = cases.create_case(ws, "别的案件").id
    with ws.db.session() as s:  # another case's events must not leak into the figures
        s.add(_event(other, dt.datetime(2025, 3, 2, 15, 30, tzinfo=UTC), number="+8613800000001"))
    return cid


def test_dashboard_figures_on_both_backends(ws: Workspace) -> None:
    cid = _case(ws)
    d = dashboard.case_dashboard(ws, cid)
    assert d.total_events == 5
    assert d.by_channel == {"sms": 2, "call": 2, "visit": 1}
    assert d.third_party == 2
    assert d.night == 2
    assert d.distinct_numbers == 2
    assert d.first == dt.datetime(2025, 3, 2, 15, 30, tzinfo=UTC) and d.last == dt.datetime(
        2025, 3, 4, 1, 0, tzinfo=UTC
    )
    assert [(x.day, x.count) for x in d.per_day] == [
        (dt.date(2025, 3, 2), 1),
        (dt.date(2025, 3, 3), 3),
        (dt.date(2025, 3, 4), 1),
    ]
    assert d.busiest_day is not None and d.busiest_day.day == dt.date(2025, 3, 3)
    assert d.heat[6][23] == 1 and d.heat[0][0] == 1 and d.heat[0][10] == 2 and d.heat[1][9] == 1
    assert sum(map(sum, d.heat)) == 5
    by_number = {n.counterpart: n for n in d.numbers}
    assert by_number["+8613800000001"].count == 2 and by_number["+8613800000001"].signature == "【示例贷】"
    assert by_number["+8613900000002"].count == 2 and by_number["+8613900000002"].signature is None
    assert by_number["+8613800000001"].last == dt.datetime(2025, 3, 2, 16, 10, tzinfo=UTC)
    assert d.findings == []


def test_dashboard_findings_and_timeline_filters(ws: Workspace, client: TestClient) -> None:
    cid = _case(ws)
    with ws.db.session() as s:
        first = s.query(Event).filter(Event.case_id == cid).order_by(Event.start).first()
        assert first is not None
        add_finding(s, cid, "night_contact", [first.id], review="auto", summary="夜间联系")
    [cat] = dashboard.case_dashboard(ws, cid).findings
    assert (cat.category, cat.total, cat.pending, cat.max_severity) == ("night_contact", 1, 1, "medium")

    def ids(**params: str) -> list[int]:
        r = client.get(f"{API}/cases/{cid}/events", params=params)
        assert r.status_code == 200, r.text
        return [it["event"]["id"] for it in r.json()["items"]]

    assert len(ids()) == 5
    assert len(ids(channel="call")) == 2
    assert len(ids(number="13900000002")) == 2
    # dates are local: 2025-03-03 local holds the 00:10 message and both calls
    assert len(ids(since="2025-03-03", until="2025-03-03")) == 3
    assert ids(category="night_contact") == [first.id]
    assert len(ids(q="还款")) == 2
    page = client.get("/cases/%d/timeline" % cid, params={"channel": "sms", "since": "2025-03-01"})
    assert page.status_code == 200 and "请还款" in page.text
    assert client.get(f"/cases/{cid}").status_code == 200
