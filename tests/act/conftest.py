"""Fixtures for the action area: cases built directly in the store, and drafted documents."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.act.act_builders import TODAY, Built, build_case
from weiquan.config import load_settings
from weiquan.workspace import Workspace


@pytest.fixture
def threat_case(ws: Workspace) -> Built:
    return build_case(ws, threats=True)


@pytest.fixture
def calm_case(ws: Workspace) -> Built:
    return build_case(ws, threats=False)


def _draft_all(tmp: Path, *, threats: bool, extra: dict | None = None) -> tuple[Built, dict[str, list[Path]]]:
    from weiquan.services.documents import draft_all

    ws = Workspace(load_settings(tmp / "home"))
    try:
        built = build_case(ws, threats=threats, extra=extra)
        files = draft_all(ws, built.case_id, out_dir=tmp / "out", today=TODAY)
    finally:
        ws.close()
    return built, files


@pytest.fixture(scope="module")
def drafted_threat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Built, dict[str, list[Path]]]]:
    yield _draft_all(tmp_path_factory.mktemp("threat"), threats=True, extra={"claims": {"mental_damages": 5000}})


@pytest.fixture(scope="module")
def drafted_calm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Built, dict[str, list[Path]]]]:
    yield _draft_all(tmp_path_factory.mktemp("calm"), threats=False)
