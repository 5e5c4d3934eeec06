"""Built-in detectors, registered through the ``weiquan`` entry-point group like any plug-in."""

from __future__ import annotations

from typing import Any

from weiquan.analyze.lawrules import default_conduct
from weiquan.analyze.patterns import builtin_case_detectors
from weiquan.analyze.text import default_text_detector
from weiquan.hookspecs import hookimpl


@hookimpl
def register_detectors() -> list[Any]:
    return [default_text_detector(), *builtin_case_detectors(default_conduct())]
