"""Bulk tests need the ``bulk`` extra (dask, distributed, pyarrow): skipped with the reason where it is not
installed, but never in CI (``make test`` installs it), where a missing extra fails loudly."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

_missing = [m for m in ("dask", "distributed", "pyarrow") if importlib.util.find_spec(m) is None]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not _missing:
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"the bulk extra is missing in CI: {', '.join(_missing)} (pip install -e '.[bulk]')")
    skip = pytest.mark.skip(reason=f"bulk extra not installed ({', '.join(_missing)}): pip install -e '.[bulk]'")
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(skip)
