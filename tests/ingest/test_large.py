"""A large export is streamed: peak memory does not grow with file size (slow)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "import_sms.py"


def _peak(path: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, str(BENCH), "--child", str(path)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_memory_flat_on_large_file(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("import_sms", BENCH)  # the benchmark's own generator
    assert spec is not None and spec.loader is not None
    import_sms = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(import_sms)

    small, large = tmp_path / "small.xml", tmp_path / "large.xml"
    import_sms.generate(small, 10_000)
    import_sms.generate(large, 80_000)  # ~29 MB
    a, b = _peak(small), _peak(large)
    assert a["added"] == 10_000 and b["added"] == 80_000
    assert b["peak_rss_mb"] - a["peak_rss_mb"] < 25, (a, b)
