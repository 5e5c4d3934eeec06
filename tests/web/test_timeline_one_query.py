"""The CLI's timeline and the web's timeline pages are one query (services.timeline): the same filters give the
same events, and a filter the CLI rejects is rejected by the page too."""

from __future__ import annotations

import pytest

from weiquan.errors import InputError
from weiquan.services import cases, timeline
from weiquan.services.timeline import TimelineFilters
from weiquan.workspace import Workspace


def test_list_and_page_agree(ws: Workspace) -> None:
    case = cases.create_case(ws, "时间线", lender="某某贷")
    for day, channel, number, text in [
        ("2026-03-01 10:00", "sms", "13800138000", "今天还款"),
        ("2026-03-02 23:30", "sms", "13800138001", "再不还就上门"),
        ("2026-03-03 09:00", "call", "13800138000", None),
        ("2026-03-05 12:00", "sms", "13800138000", "上门找你家人"),
    ]:
        timeline.add_manual_event(ws, case.id, channel=channel, time=day, number=number, text=text)
    filters = [
        {},
        {"channel": "sms"},
        {"number": "138 0013 8000"},
        {"since": "2026-03-02", "until": "2026-03-03"},
        {"q": "上门"},
        {"channel": "sms", "number": "13800138000", "q": "上门"},
    ]
    for f in filters:
        listed = [e.id for e in timeline.list_events(ws, case.id, **f)]
        paged = [it.event.id for it in timeline.timeline_page(ws, case.id, TimelineFilters(**f)).items]
        assert listed == paged, f
    assert len(timeline.list_events(ws, case.id, q="上门")) == 2
    for call in (
        lambda: timeline.list_events(ws, case.id, channel="fax"),
        lambda: timeline.timeline_page(ws, case.id, TimelineFilters(channel="fax")),
    ):
        with pytest.raises(InputError):
            call()
