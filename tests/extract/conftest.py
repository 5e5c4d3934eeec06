"""Fixtures for the extraction tests: generated screenshots (with expected events) and one OCR engine."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


def load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # dataclasses look their module up while the script loads
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """The screenshot fixture set rendered once per session: (folder, expected records)."""
    mod = load_script("make_screenshots")
    out = tmp_path_factory.mktemp("shots")
    records = mod.build(out)
    assert json.loads((out / "expected.json").read_text("utf-8")) == records
    return out, records


@pytest.fixture(scope="session")
def script() -> Callable[[str], ModuleType]:
    """Load a script of scripts/ by name (the renderers are scripts, not package modules)."""
    return load_script


@pytest.fixture(scope="session")
def ocr_engine() -> Iterator[Any]:
    from weiquan.extract.ocr import OcrEngine

    yield OcrEngine()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``shot_index``: one test per screenshot fixture."""
    if "shot_index" in metafunc.fixturenames:
        metafunc.parametrize("shot_index", range(len(load_script("make_screenshots").fixtures())))
