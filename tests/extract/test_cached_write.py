"""The write path on SQLite and PostgreSQL, fed from a stored OCR result (the content cache): no OCR needed."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image
from sqlalchemy import select

from weiquan.extract.ocr import ENGINE_ID, OcrLine, OcrPage
from weiquan.services import cases, extraction
from weiquan.store.models import Event, Job
from weiquan.workspace import Workspace

RED = (234, 94, 86)


def _page() -> OcrPage:
    def line(text: str, box: tuple[int, int, int, int], ink: tuple[int, int, int] = (20, 20, 20)) -> OcrLine:
        return OcrLine(text=text, box=box, score=0.98, ink=ink, bg=(255, 255, 255))

    return OcrPage(
        1080,
        2340,
        [
            line("21:47", (34, 14, 129, 56)),
            line("5G 87%", (919, 14, 1043, 54)),
            line("通话记录", (133, 115, 364, 180)),
            line("170 1234 5678 (3)", (57, 385, 445, 441), RED),
            line("21:40", (925, 422, 1025, 464)),
            line("未接来电", (53, 457, 209, 505)),
            line("0755-12345678", (55, 581, 394, 628)),
            line("09:12", (924, 612, 1026, 658)),
            line("呼入2分15秒", (55, 652, 276, 695)),
        ],
    )


def test_cached_result_is_written_once(any_ws: Workspace, tmp_path: Path) -> None:
    ws = any_ws
    c = cases.create_case(ws, "缓存")
    img = tmp_path / "Screenshot_20261030-214733.png"
    Image.new("RGB", (1080, 2340), "white").save(img)
    ev = ws.vault.add(img, case_id=c.id).evidence
    ws.vault.add_derived(
        json.dumps(_page().to_json()).encode(),
        source_sha256=ev.sha256,
        derivation="ocr",
        metadata={"engine": ENGINE_ID, "extractor": "screenshot"},
    )
    extraction.queue_for_evidence(ws, c.id, ev.id, "ocr")
    summary = extraction.run_jobs(ws, case_id=c.id)
    assert (summary.done, summary.cached, summary.events_added) == (1, 1, 4), summary
    with ws.db.read_session() as s:
        events = s.execute(select(Event).order_by(Event.start, Event.id)).scalars().all()
        assert [(e.direction, e.counterpart, e.duration_s) for e in events] == [
            ("incoming", "+8675512345678", 135.0),
            ("missed", "+8617012345678", None),
            ("missed", "+8617012345678", None),
            ("missed", "+8617012345678", None),
        ]
        grouped = [e for e in events if e.extra.get("time_is_latest_of_group")]
        assert sorted(src.locator.split("@")[0] for e in grouped for src in e.sources) == [
            "calls/row[0]#1",
            "calls/row[0]#2",
            "calls/row[0]#3",
        ]
    with ws.db.session() as s:
        for job in s.execute(select(Job)).scalars():
            job.status = "pending"
    again = extraction.run_jobs(ws, case_id=c.id)
    assert (again.done, again.events_added, again.events_merged) == (1, 0, 0)
    with ws.db.read_session() as s:
        assert len(s.execute(select(Event)).scalars().all()) == 4
