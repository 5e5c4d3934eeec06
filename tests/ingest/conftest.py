"""Fixtures for the ingest tests (builders live in tests/fixtures/ingest_formats.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from weiquan.services import cases
from weiquan.workspace import Workspace


@pytest.fixture
def case_id(ws: Workspace) -> int:
    return cases.create_case(ws, "测试案件").id


@pytest.fixture
def files(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    return d
