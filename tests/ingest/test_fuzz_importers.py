"""Issue 19: a small run of bench/fuzz_importers.py (the full run is ≥ 50,000 inputs): no internal errors."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _fuzz():  # type: ignore[no-untyped-def]  # untyped pytest fixtures or test doubles
    spec = importlib.util.spec_from_file_location("fuzz_importers", BENCH / "fuzz_importers.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_mutated_inputs_over_every_importer_raise_no_internal_error() -> None:
    fuzz = _fuzz()
    lines: list[str] = []
    out, _ = fuzz.run(400, seed=7, full_every=40, log=lines.append)
    assert out.inputs == 400 and out.full_imports > 10
    assert not out.internal, "\n".join(lines)
    # every importer was reached, not only refused
    assert len(out.by_importer) >= 12, out.by_importer
