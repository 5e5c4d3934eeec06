"""The extractor on screens it did not draw: the independent renderers (scripts/render_phone_screens.py,
scripts/render_phone_chats.py), one screenshot per layout, read with the real OCR engine."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from weiquan.extract.base import ExtractContext
from weiquan.extract.ocr import OcrEngine
from weiquan.extract.scoring import Score, score
from weiquan.extract.screenshot import page_events

pytestmark = pytest.mark.slow
SEED = 99  # a set used by this test only


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, script: Any) -> tuple[Path, list[dict[str, Any]]]:
    out = tmp_path_factory.mktemp("phone-screens")
    calls = script("render_phone_screens").build(out, 1, seed=SEED)
    chats = script("render_phone_chats").build(out, 1, seed=SEED)
    return out, [*calls, *chats]


def test_renderers_are_deterministic_and_independent(
    tmp_path: Path, rendered: tuple[Path, list[dict[str, Any]]], script: Any
) -> None:
    out, records = rendered
    again = script("render_phone_screens").build(tmp_path, 1, seed=SEED)
    assert [r["events"] for r in again] == [r["events"] for r in records[: len(again)]]
    assert all((tmp_path / r["file"]).read_bytes() == (out / r["file"]).read_bytes() for r in again)
    for name in ("render_phone_screens", "render_phone_chats"):  # shares no code with the first renderer
        code = (Path(__file__).parents[2] / "scripts" / f"{name}.py").read_text("utf-8")
        assert "import make_screenshots" not in code and "from make_screenshots" not in code
        assert 'load_script("make_screenshots")' not in code


def test_each_layout_meets_the_goals(rendered: tuple[Path, list[dict[str, Any]]], ocr_engine: OcrEngine) -> None:
    """Issue #18 goals per layout: event F1 ≥ 0.95 and character accuracy ≥ 0.98."""
    out, records = rendered
    imported = dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc)
    for rec in records:
        path = out / rec["file"]
        events = page_events(
            ocr_engine.read(path), ExtractContext(sha256="0" * 64, names=[rec["name"]], path=path, imported_at=imported)
        )
        s: Score = score(rec["events"], events)[0]
        assert s.f1 >= 0.95 and s.char_accuracy >= 0.98, f"{rec['file']}: {s.as_dict()}"
