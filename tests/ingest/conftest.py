"""Fixtures for the ingest tests (builders live in tests/fixtures/ingest_formats.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fixtures"))

from weiquan.services import cases  # noqa: E402
from weiquan.workspace import Workspace  # noqa: E402


@pytest.fixture
def case_id(ws: Workspace) -> int:
    return cases.create_case(ws, "测试案件").id


@pytest.fixture
def files(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    return d
