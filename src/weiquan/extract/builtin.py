"""Built-in extractors, announced through the ``weiquan`` entry-point group like any plug-in."""

from __future__ import annotations

from typing import Any

from weiquan.extract.recording import RecordingExtractor
from weiquan.extract.screenshot import ScreenshotExtractor
from weiquan.hookspecs import hookimpl


@hookimpl
def register_extractors() -> list[Any]:
    return [ScreenshotExtractor(), RecordingExtractor()]
