"""OCR on the generated screenshot set: offline models only, event-level results, overall accuracy."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest

from weiquan.errors import MissingComponent
from weiquan.extract.base import ExtractContext
from weiquan.extract.ocr import BUNDLED_MODELS, OcrEngine, OcrPage, bundled_model_dir
from weiquan.extract.scoring import Score, score
from weiquan.extract.screenshot import page_events

pytestmark = pytest.mark.slow
IMPORTED = dt.datetime(2026, 11, 28, 4, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def pages(shots: tuple[Path, list[dict[str, Any]]], ocr_engine: OcrEngine) -> dict[str, OcrPage]:
    folder, records = shots
    return {r["file"]: ocr_engine.read(folder / r["file"]) for r in records}


def _events(folder: Path, rec: dict[str, Any], page: OcrPage) -> list[Any]:
    ctx = ExtractContext(sha256="0" * 64, names=[rec["file"]], path=folder / rec["file"], imported_at=IMPORTED)
    return page_events(page, ctx)


def test_ocr_never_downloads(monkeypatch: pytest.MonkeyPatch, shots: tuple[Path, list[dict[str, Any]]]) -> None:
    """Model files are passed explicitly; any network use or download attempt fails the test."""
    from rapidocr.utils import download_file

    def no_network(*_a: object, **_k: object) -> None:
        raise AssertionError("OCR tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(download_file.DownloadFile, "run", classmethod(lambda cls, *a, **k: no_network()))
    folder, records = shots
    page = OcrEngine().read(folder / records[0]["file"])
    assert any("速易贷" in ln.text for ln in page.lines)


def test_refuses_a_tampered_model(tmp_path: Path) -> None:
    models = tmp_path / "models"
    shutil.copytree(bundled_model_dir(), models)
    rec = models / BUNDLED_MODELS["rec"][0]
    data = bytearray(rec.read_bytes())
    data[-1] ^= 0xFF
    rec.write_bytes(bytes(data))
    with pytest.raises(MissingComponent, match="checksum"):
        OcrEngine(model_dir=models)


def test_page_round_trips_through_json(pages: dict[str, OcrPage]) -> None:
    for page in pages.values():
        assert OcrPage.from_json(page.to_json()) == page


def test_fixture_events(shot_index: int, shots: tuple[Path, list[dict[str, Any]]], pages: dict[str, OcrPage]) -> None:
    """Each screenshot gives exactly its expected events (number, direction, time, text)."""
    folder, records = shots
    rec = records[shot_index]
    events = _events(folder, rec, pages[rec["file"]])
    s, pairs = score(rec["events"], events)
    missing = [e for e, got in pairs if got is None]
    assert not missing, f"{rec['file']}: missing {missing}"
    assert s.predicted == s.expected, f"{rec['file']}: {s.predicted} events for {s.expected} expected"
    for ev in events:
        assert ev.origin == "screenshot" and ev.extra["boxes"] and 0 < (ev.confidence or 0) <= 1
        assert ev.extra["anchor_basis"] == rec["anchor_basis"]


def test_overall_accuracy(shots: tuple[Path, list[dict[str, Any]]], pages: dict[str, OcrPage]) -> None:
    """Goals of issue 8: character accuracy ≥ 98 % and event F1 ≥ 0.95 over the fixture set."""
    folder, records = shots
    total = Score()
    for rec in records:
        s, _ = score(rec["events"], _events(folder, rec, pages[rec["file"]]))
        total.add(s)
    assert total.expected >= 40
    assert total.f1 >= 0.95, total.as_dict()
    assert total.char_accuracy >= 0.98, total.as_dict()
