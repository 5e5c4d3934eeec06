"""The extraction job runner: queueing, events with provenance, content cache, errors, merging."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from weiquan.errors import InputError, NotFoundError
from weiquan.ingest.base import RawEvent
from weiquan.ingest.writer import EventWriter
from weiquan.services import cases, extraction
from weiquan.store.models import Acquisition, Event, EventSource, Evidence, Job, LedgerEntry
from weiquan.workspace import Workspace

SMALL = [
    "Screenshot_20261030_214733_com.android.mms.png",
    "Screenshot_20261030-120000.png",
    "Screenshot_20261030_214733_com.android.contacts.jpg",
    "微信图片_20261030214733.jpg",
]


def _add(ws: Workspace, case_id: int, folder: Path, names: list[str]) -> list[int]:
    ids = []
    for n in names:
        ev = ws.vault.add(folder / n, case_id=case_id).evidence
        extraction.queue_for_evidence(ws, case_id, ev.id, "ocr")
        ids.append(ev.id)
    return ids


def _expected_count(records: list[dict[str, Any]], names: list[str]) -> int:
    return sum(len(r["events"]) for r in records if r["file"] in names)


def test_queue_is_idempotent_and_validated(ws: Workspace, tmp_path: Path) -> None:
    c = cases.create_case(ws, "队列")
    img = tmp_path / "a.png"
    img.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    ev = ws.vault.add(img, case_id=c.id).evidence
    j1 = extraction.queue_for_evidence(ws, c.id, ev.id, "ocr")
    j2 = extraction.queue_for_evidence(ws, c.id, ev.id, "ocr")
    assert j1.id == j2.id and j1.status == "pending"
    with pytest.raises(InputError):
        extraction.queue_for_evidence(ws, c.id, ev.id, "video")
    with pytest.raises(NotFoundError):
        extraction.queue_for_evidence(ws, c.id, 9999, "ocr")
    with pytest.raises(NotFoundError):
        extraction.queue_for_evidence(ws, 9999, ev.id, "ocr")
    assert [j.id for j in extraction.list_jobs(ws, case_id=c.id)] == [j1.id]


def test_queue_case_finds_images_and_audio(ws: Workspace, tmp_path: Path) -> None:
    c = cases.create_case(ws, "全部")
    (tmp_path / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"1" * 50)
    (tmp_path / "b.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt " + b"2" * 50)
    (tmp_path / "c.txt").write_text("hello")
    for n in ("a.png", "b.wav", "c.txt"):
        ws.vault.add(tmp_path / n, case_id=c.id)
    assert extraction.queue_case(ws, c.id) == 2
    assert extraction.queue_case(ws, c.id) == 0
    assert sorted(j.kind for j in extraction.list_jobs(ws, case_id=c.id)) == ["asr", "ocr"]


@pytest.mark.slow
def test_run_writes_events_caches_by_content_and_is_idempotent(
    ws: Workspace, shots: tuple[Path, list[dict[str, Any]]]
) -> None:
    folder, records = shots
    a = cases.create_case(ws, "甲")
    ids = _add(ws, a.id, folder, SMALL)
    seen: list[extraction.ProgressEvent] = []
    summary = extraction.run_jobs(ws, case_id=a.id, workers=2, progress=seen.append)  # 4 items: process pool
    assert (summary.total, summary.done, summary.failed, summary.cached) == (4, 4, 0, 0), summary
    assert summary.events_added == _expected_count(records, SMALL)
    assert [p.done for p in seen] == [1, 2, 3, 4] and {p.status for p in seen} == {"done"}
    with ws.db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Event).where(Event.case_id == a.id)) == summary.events_added
        derived = s.execute(select(Evidence).where(Evidence.derivation == "ocr")).scalars().all()
        assert sorted(d.derived_from_id for d in derived) == sorted(ids)
        assert all(d.extra["engine"].startswith("rapidocr-") for d in derived)
        assert s.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.action == "derived")) == 4
        for job in s.execute(select(Job)).scalars():
            assert job.status == "done" and job.result_evidence_id in {d.id for d in derived}
        for src in s.execute(select(EventSource)).scalars():
            assert src.evidence_id in ids and "@" in src.locator and src.raw["boxes"]
        assert {acq.parse_status for acq in s.execute(select(Acquisition)).scalars()} == {"parsed"}
        assert {e.origin for e in s.execute(select(Event)).scalars()} == {"screenshot"}

    again = extraction.run_jobs(ws, case_id=a.id)
    assert again.total == 0
    # Re-queue a finished job by hand and run: the same events are not written twice.
    with ws.db.session() as s:
        for job in s.execute(select(Job)).scalars():
            job.status = "pending"
    rerun = extraction.run_jobs(ws, case_id=a.id)
    assert (rerun.done, rerun.cached, rerun.events_added) == (4, 4, 0)

    b = cases.create_case(ws, "乙")
    _add(ws, b.id, folder, SMALL[:2])
    other = extraction.run_jobs(ws, case_id=b.id)
    assert (other.done, other.cached) == (2, 2)  # the same images in another case: never OCR'd again
    assert other.events_added == _expected_count(records, SMALL[:2])
    with ws.db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Evidence).where(Evidence.derivation == "ocr")) == 4


@pytest.mark.slow
def test_bad_item_is_reported_and_the_rest_continue(
    ws: Workspace, shots: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    folder, records = shots
    c = cases.create_case(ws, "坏文件")
    bad = tmp_path / "Screenshot_20261030-000000.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 300)  # a PNG signature and nothing decodable
    _add(ws, c.id, tmp_path, [bad.name])
    _add(ws, c.id, folder, SMALL[1:2])
    summary = extraction.run_jobs(ws, case_id=c.id, workers=1)
    assert (summary.done, summary.failed) == (1, 1)
    (err,) = summary.errors
    assert err.name == bad.name and "无法读取图片" in err.error and "cannot read image" in err.error
    assert summary.events_added == _expected_count(records, SMALL[1:2])
    for attempt in range(2, extraction.MAX_ATTEMPTS + 1):
        s2 = extraction.run_jobs(ws, case_id=c.id)
        assert s2.failed == 1
        assert [j.attempts for j in extraction.list_jobs(ws, status="failed")] == [attempt]
    assert extraction.run_jobs(ws, case_id=c.id).total == 0  # given up after MAX_ATTEMPTS …
    assert extraction.run_jobs(ws, case_id=c.id, retry_failed=True).failed == 1  # … unless asked


@pytest.mark.slow
def test_screenshot_merges_with_the_same_exported_message(
    ws: Workspace, shots: tuple[Path, list[dict[str, Any]]], tmp_path: Path
) -> None:
    folder, _ = shots
    c = cases.create_case(ws, "合并")
    export = ws.vault.add(b"<smses/>", case_id=c.id, original_name="sms.xml").evidence
    with ws.db.session() as s:
        w = EventWriter(
            s,
            ws.vault.blobs,
            case_id=c.id,
            evidence_id=export.id,
            evidence_sha256=export.sha256,
            source_format="synctech_sms",
        )
        w.add(
            RawEvent(
                channel="sms",
                direction="incoming",
                locator="/smses/sms[1]",
                counterpart_raw="+8613800138000",
                start=dt.datetime(2026, 10, 30, 0, 0, 25, tzinfo=dt.timezone.utc),
                text="别逼我们上门。",
            )
        )
        w.flush()
    _add(ws, c.id, folder, SMALL[:1])
    summary = extraction.run_jobs(ws, case_id=c.id)
    assert summary.events_merged == 1 and summary.events_added == 3
    with ws.db.read_session() as s:
        merged = s.execute(select(Event).where(Event.text == "别逼我们上门。")).scalars().one()
        assert merged.origin == "export"
        assert sorted(src.source_format for src in merged.sources) == ["screenshot_ocr", "synctech_sms"]
