"""Dates a source did not show (services.dates) and per-case file names (store.provenance), through
the services and the pages, on SQLite and PostgreSQL.

Events are written as the screenshot extractor writes them (``extra.date_unconfirmed``), so these
tests need no OCR engine; the extractor's flagging is tested in tests/extract/test_layout.py.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient

from tests.web.web_builders import THREAT, sms_backup_xml
from weiquan.ingest.base import RawEvent
from weiquan.services import analysis, cases, dashboard, dates, timeline
from weiquan.services.extraction_write import insert_unmerged
from weiquan.store.models import Event
from weiquan.workspace import Workspace

CST = dt.timezone(dt.timedelta(hours=8))
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # only stored and served, never decoded here


def _screenshot(
    ws: Workspace,
    case_id: int,
    name: str,
    *,
    when: dt.datetime,
    texts: list[str],
    unconfirmed: bool = True,
    payload: bytes = PNG,
) -> int:
    """Store an image for the case and the events its OCR gave, dated (or not) as the extractor would."""
    add = ws.vault.add(payload, case_id=case_id, original_name=name)
    raws = []
    for i, text in enumerate(texts):
        extra = {"anchor_basis": "import_time", "anchor": when.replace(tzinfo=None).isoformat(sep=" ")}
        if unconfirmed:
            extra.update(needs_review=True, date_unconfirmed=True)
        raws.append(
            RawEvent(
                channel="sms",
                direction="incoming",
                start=when + dt.timedelta(minutes=i),
                locator=f"sms/bubble[{i}]",
                source_tz="Asia/Shanghai",
                wallclock_text=f"{when:%H}:{i:02d}",
                counterpart_raw="13800138000",
                text=text,
                origin="screenshot",
                extra=extra,
            )
        )
    with ws.db.session() as s:
        insert_unmerged(s, case_id=case_id, evidence_id=add.evidence.id, source_format="screenshot", raws=raws)
    return add.evidence.id


def test_unconfirmed_dates_count_nowhere_until_confirmed(ws: Workspace) -> None:
    case = cases.create_case(ws, "日期")
    shot = _screenshot(
        ws, case.id, "IMG_0042.png", when=dt.datetime(2026, 3, 5, 22, 47, tzinfo=CST), texts=[THREAT, "明天上门找你"]
    )
    assert dates.count_pending(ws, case.id) == 2
    d = dashboard.case_dashboard(ws, case.id)
    assert (d.total_events, d.dates_to_confirm, d.per_day, d.first) == (0, 2, [], None)
    assert cases.get_case(ws, case.id).counts["events"] == 0
    assert timeline.count_events(ws, case.id) == 0
    assert timeline.list_events(ws, case.id, since="2026-03-01") == []  # a proposed date matches no date range
    analysis.analyze_case(ws, case.id)
    assert analysis.list_findings(ws, case.id) == []  # nothing is evidence of anything yet
    assert b"2026" not in dashboard.case_chart(ws, case.id, "per_day")

    (pending,) = dates.pending_files(ws, case.id)
    assert (pending.evidence_id, pending.name, pending.events, pending.proposed_day) == (
        shot,
        "IMG_0042.png",
        2,
        dt.date(2026, 3, 5),
    )
    done = dates.confirm_file_date(ws, case.id, shot, "2026-03-02", by="tester")
    assert (done.events, done.shifted_days) == (2, -3)
    assert dates.count_pending(ws, case.id) == 0
    evs = timeline.list_events(ws, case.id)
    assert [e.start.astimezone(CST).replace(tzinfo=None) for e in evs] == [
        dt.datetime(2026, 3, 2, 22, 47),
        dt.datetime(2026, 3, 2, 22, 48),
    ]
    assert all(not e.date_unconfirmed and e.extra["date_confirmed"]["by"] == "tester" for e in evs)
    d = dashboard.case_dashboard(ws, case.id)
    assert (d.total_events, d.dates_to_confirm, d.per_day[0].day) == (2, 0, dt.date(2026, 3, 2))
    analysis.analyze_case(ws, case.id)
    assert analysis.list_findings(ws, case.id)  # the threat counts now


def test_confirming_a_future_date_is_refused(ws: Workspace) -> None:
    from weiquan.errors import InputError, NotFoundError

    case = cases.create_case(ws, "将来")
    now = dt.datetime.now(CST).replace(second=0, microsecond=0) - dt.timedelta(hours=1)
    shot = _screenshot(ws, case.id, "a.png", when=now, texts=["还钱"])
    tomorrow = (now + dt.timedelta(days=2)).date().isoformat()
    with pytest.raises(InputError):
        dates.confirm_file_date(ws, case.id, shot, tomorrow)
    with pytest.raises(InputError):
        dates.confirm_file_date(ws, case.id, shot, "3月2日")
    assert dates.count_pending(ws, case.id) == 1
    dates.confirm_file_date(ws, case.id, shot)  # the proposed day, one click
    with pytest.raises(NotFoundError):
        dates.confirm_file_date(ws, case.id, shot)


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_pages_show_date_pending_and_confirm_in_one_click(client: TestClient, ws: Workspace) -> None:
    case = cases.create_case(ws, "网页")
    shot = _screenshot(ws, case.id, "聊天.png", when=dt.datetime(2026, 3, 5, 22, 47, tzinfo=CST), texts=[THREAT])
    tl = client.get(f"/cases/{case.id}/timeline").text
    assert "日期待确认" in tl and "2026-03-05" not in tl and f"/cases/{case.id}/dates" in tl
    home = client.get(f"/cases/{case.id}").text
    assert "1 条记录的日期待确认" in _text(home).replace("\n", "")
    page = client.get(f"/cases/{case.id}/dates").text
    shot = _shown(client, case.id, shot)  # the page's per-case handle of the file
    assert f'src="/cases/{case.id}/evidence/{shot}/raw"' in page and "推测日期" in page and "2026年3月5日" in page
    r = client.post(f"/cases/{case.id}/dates/{shot}", headers={"hx-request": "true"})
    assert r.status_code == 200 and "已确认" in r.text and 'data-dates-left="0"' in r.text
    tl = client.get(f"/cases/{case.id}/timeline").text
    assert "日期待确认" not in tl and "2026-03-05 22:47" in tl
    assert client.get(f"/cases/{case.id}/review").text.count('class="card finding') >= 1  # re-analysed on confirm


def test_future_date_refused_on_the_page(client: TestClient, ws: Workspace) -> None:
    case = cases.create_case(ws, "网页将来")
    shot = _shown(
        client,
        case.id,
        _screenshot(ws, case.id, "x.png", when=dt.datetime(2026, 3, 5, 22, 47, tzinfo=CST), texts=["还钱"]),
    )
    r = client.post(f"/cases/{case.id}/dates/{shot}", data={"day": "2999-01-01"}, headers={"hx-request": "true"})
    assert r.status_code == 400 and "不能晚于今天" in r.text
    assert dates.count_pending(ws, case.id) == 1


def test_migration_carries_the_extractor_flag(ws: Workspace) -> None:
    """Rows written before migration 0004 keep their flag in ``extra``; the column is set from it."""
    from sqlalchemy import select

    case = cases.create_case(ws, "迁移")
    _screenshot(ws, case.id, "old.png", when=dt.datetime(2026, 3, 5, 22, 47, tzinfo=CST), texts=["还钱"])
    with ws.db.read_session() as s:
        (flag,) = s.execute(select(Event.date_unconfirmed).where(Event.case_id == case.id)).one()
    assert flag is True


def _shown(client: TestClient, case_id: int, evidence_id: int) -> int:
    """The per-case handle the web shows for a file (web/handles.py)."""
    return int(client.app.state.handles.handle(case_id, evidence_id))  # type: ignore[attr-defined]  # TestClient.app is the ASGI app, typed loosely


# -- per-case provenance ----------------------------------------------------------------------------


def test_each_case_keeps_its_own_file_name(ws: Workspace, client: TestClient) -> None:
    a = cases.create_case(ws, "甲")
    b = cases.create_case(ws, "乙")
    data = sms_backup_xml(5)
    from weiquan.services import imports

    tmp = ws.home / "in"
    tmp.mkdir()
    (tmp / "张三的短信-私密.xml").write_bytes(data)
    imports.import_paths(ws, a.id, [tmp / "张三的短信-私密.xml"])
    (tmp / "sms.xml").write_bytes(data)
    imports.import_paths(ws, b.id, [tmp / "sms.xml"])
    from weiquan.services.imports import case_files

    (fa,), (fb,) = case_files(ws, a.id), case_files(ws, b.id)
    assert fa.evidence_id == fb.evidence_id  # the vault stores the bytes once
    assert (fa.name, fb.name) == ("张三的短信-私密.xml", "sms.xml") and fb.acquired_at > fa.acquired_at
    refs = {r.name for e in timeline.list_events(ws, b.id) for r in e.evidence}
    assert refs == {"sms.xml"}
    handle = _shown(client, b.id, fb.evidence_id)
    for path in (f"/cases/{b.id}/timeline", f"/cases/{b.id}/import", f"/cases/{b.id}/evidence/{handle}"):
        html = client.get(path).text
        assert "张三" not in html and "sms.xml" in html, path
    r = client.get(f"/cases/{b.id}/evidence/{handle}/raw?download=1")
    assert "sms.xml" in r.headers["content-disposition"] and "%E5%BC%A0" not in r.headers["content-disposition"]


def test_dates_page_in_server_mode_names_only_the_users_own_file(server, ws: Workspace) -> None:  # type: ignore[no-untyped-def]  # untyped pytest fixtures or test doubles
    """The same screenshot bytes in two users' cases: each 确认日期 page shows its own file name only."""
    alice, bob = server.client("alice"), server.client("bob")
    a = alice.post("/api/v1/cases", json={"name": "甲"}).json()["id"]
    b = bob.post("/api/v1/cases", json={"name": "乙"}).json()["id"]
    when = dt.datetime(2026, 3, 5, 22, 47, tzinfo=CST)
    _screenshot(ws, a, "张三和催收员的聊天-身份证号.png", when=when, texts=["还钱"])
    shot = _screenshot(ws, b, "IMG_0042.png", when=when, texts=["还钱"])
    page = bob.get(f"/cases/{b}/dates").text
    assert "IMG_0042.png" in page and "张三" not in page and f"/evidence/{_shown(bob, b, shot)}/raw" in page
    assert bob.get(f"/cases/{a}/dates").status_code in (403, 404)
