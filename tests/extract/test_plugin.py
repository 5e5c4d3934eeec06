"""The built-in extractors are registered through the plug-in hook and cross process boundaries."""

from __future__ import annotations

import pickle

from weiquan.extract.base import Extractor
from weiquan.extract.recording import RecordingExtractor
from weiquan.extract.screenshot import ScreenshotExtractor
from weiquan.plugins import collect
from weiquan.services.extraction import extractor_for


def test_builtins_are_registered_as_plugins() -> None:
    kinds = {(type(e).__name__, e.kind) for e in collect("register_extractors") if isinstance(e, Extractor)}
    assert {("ScreenshotExtractor", "ocr"), ("RecordingExtractor", "asr")} <= kinds
    assert isinstance(extractor_for("ocr", "image/jpeg"), ScreenshotExtractor)
    assert isinstance(extractor_for("asr", "audio/mp4"), RecordingExtractor)
    assert extractor_for("ocr", "audio/mp4") is None and extractor_for("asr", None) is None


def test_extractors_pickle_without_their_models() -> None:
    shot = pickle.loads(pickle.dumps(ScreenshotExtractor()))
    rec = pickle.loads(pickle.dumps(RecordingExtractor(model="small")))
    assert shot._engine is None and rec._engine is None and rec.model == "small"
    assert shot.engine_id.startswith("rapidocr-3.10.0") and "/small/int8/" in rec.engine_id
