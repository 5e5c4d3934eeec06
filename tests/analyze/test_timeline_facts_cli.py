"""Facts on the timeline (issue #15 item 3), end to end: a case built with the CLI in a temporary home from an
imported phone export (tests/fixtures/collection_timeline.py) and visits added with ``weiquan add-event``, analysed
with ``weiquan analyze``; the findings and the case's contact figures read back through the service layer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tests.fixtures import collection_timeline as fx
from weiquan.cli import app
from weiquan.config import load_settings
from weiquan.services.analysis import FindingOut, list_findings
from weiquan.services.cases import get_case_row
from weiquan.store.models import Event
from weiquan.workspace import Workspace

runner = CliRunner()


def cli(home: Path, *args: str) -> Any:
    res = runner.invoke(app, ["--home", str(home), *args, "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.output)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The case, built and analysed once with the CLI."""
    tmp = tmp_path_factory.mktemp("facts")
    home = tmp / "home"
    case_id = cli(home, "case", "new", "--name", "时间线事实", "--lender", "某某贷")["id"]
    imported = cli(home, "import", "-c", str(case_id), *map(str, fx.write(tmp / "export")))
    assert all(not f.get("error") for f in imported)
    visit = cli(home, "add-event", "-c", str(case_id), "--channel", "visit", "--time", fx.VISIT["time"],
                "--text", fx.VISIT["text"])["id"]  # fmt: skip
    note = cli(home, "add-event", "-c", str(case_id), "--channel", "other", "--time", fx.VISIT_NOTE["time"],
               "--text", fx.VISIT_NOTE["text"])["id"]  # fmt: skip
    cli(home, "analyze", "--case", str(case_id))
    ws = Workspace(load_settings(home))
    try:
        with ws.db.read_session() as s:
            events = list(s.execute(select(Event).where(Event.case_id == case_id)).scalars())
            by_text = {e.text: e.id for e in events if e.text}
            mum = {e.id for e in events if e.counterpart and e.counterpart.endswith(fx.MUM)}
            outgoing = {e.id for e in events if e.direction == "outgoing"}
            figures = get_case_row(s, case_id).extra["contact_figures"]
        findings = {f.key: f for f in list_findings(ws, case_id)}
    finally:
        ws.close()
    return {"visit": visit, "note": note, "by_text": by_text, "mum": mum, "outgoing": outgoing,
            "figures": figures, "findings": findings}  # fmt: skip


def _event_ids(f: FindingOut) -> set[int]:
    return {e.event_id for e in f.events}


def test_a_recorded_visit_is_one_conduct_finding_with_its_provision(built: dict[str, Any]) -> None:
    fs: dict[str, FindingOut] = built["findings"]
    v = fs[f"visit:{built['visit']}"]
    assert v.category == "home_visit" and v.category_zh == "上门催收" and v.detector == "pattern.visit"
    assert "行为，而非威胁" in (v.explanation or "") and "上门" in (v.summary or "")
    ids = [p["id"] for p in v.provisions]
    assert ids[0] == "cba_guideline-conduct" and len(ids) == len(set(ids))  # its own rule first, each once
    # the note's words read as a retelling say the same act: one finding of the visit, not a second "threat"
    on_visit = [f for f in fs.values() if built["visit"] in _event_ids(f) and "visit" in f.category]
    assert [f.key for f in on_visit] == [v.key]
    # ... and it keeps the words' span
    (link,) = v.events
    assert link.spans and link.quotes and link.quotes[0] in fx.VISIT["text"]


def test_a_visit_told_in_a_note_is_found(built: dict[str, Any]) -> None:
    f = built["findings"][f"visit:{built['note']}"]
    assert f.category == "home_visit" and f.category_zh == "上门催收" and "上门" in "".join(f.events[0].quotes)
    assert "cba_guideline-conduct" in [p["id"] for p in f.provisions]
    # one finding each for the visit and the note, neither also a threat (上门恐吓) of its event
    assert not [k for k in built["findings"] if k.startswith("text:threat_visit:") and int(k.split(":")[-1]) in
                (built["visit"], built["note"])]  # fmt: skip


def test_threats_and_announcements_of_a_visit_are_not_visits(built: dict[str, Any]) -> None:
    fs, by_text = built["findings"], built["by_text"]
    threat = by_text["再不还，我们催收人员明天就上门找你"]
    announced = by_text["外访人员拟于3月15日上门核实你的情况"]
    assert f"text:threat_visit:{threat}" in fs  # the threat stays a text finding
    assert f"visit:{threat}" not in fs and f"visit:{announced}" not in fs
    assert {k for k in fs if k.startswith("visit:")} == {f"visit:{built['visit']}", f"visit:{built['note']}"}


def test_reminders_outgoing_contacts_and_saved_contacts_never_count(built: dict[str, Any]) -> None:
    fs: dict[str, FindingOut] = built["findings"]
    # night: only the collector's SMS and missed call; never the lender's late reminders, the borrower's own night
    # messages and call, or the parent's late call
    assert {k for k in fs if k.startswith("night:")} == fx.EXPECTED["nights"]
    # volume: the collector's missed-call flood only; the borrower's 8 calls to the hotline are not a flood, the
    # lender's reminders from four gateway numbers are not a rotation of numbers
    assert {k for k in fs if k.startswith(("volume:", "rotation:"))} == {fx.EXPECTED["attempts"]}
    assert len(fs[fx.EXPECTED["attempts"]].events) == 7
    # contacts after the borrower asked them to stop: collection contacts only
    (after,) = [f for f in fs.values() if f.key.startswith("after_request:")]
    ids = _event_ids(after)
    assert len(built["mum"]) == 2 and not ids & built["mum"] and not ids & built["outgoing"]
    assert len(ids) == fx.EXPECTED["events"]
    for f in fs.values():
        if f.key.startswith(("night:", "volume:", "rotation:", "after_request:", "visit:")):
            assert not _event_ids(f) & (built["mum"] | built["outgoing"]), f.key


def test_contact_figures_count_collection_contacts_only(built: dict[str, Any]) -> None:
    fig = built["figures"]
    got = {k: fig[k] for k in ("events", "sms", "calls", "visits", "other", "night", "numbers")}
    assert got == {k: fx.EXPECTED[k] for k in got}
    assert {n for n, _ in fig["number_list"]} == {"+86" + fx.COLLECTOR_SMS, "+86" + fx.COLLECTOR_CALLS}


def test_every_finding_keeps_its_provisions_and_text_findings_their_spans(built: dict[str, Any]) -> None:
    for f in built["findings"].values():
        assert f.provisions, f.key
        if f.key.startswith("text:"):
            assert all(link.spans and link.quotes for link in f.events), f.key
