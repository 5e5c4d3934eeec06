"""Fixtures for the report/export tests: a small harassment case built in code."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.report.report_case_builder import BuiltCase, build_case
from weiquan.workspace import Workspace


@pytest.fixture
def built(ws: Workspace) -> BuiltCase:
    return build_case(ws)


@pytest.fixture
def export_dir(tmp_path: Path) -> Path:
    d = tmp_path / "out"
    d.mkdir()
    return d
