"""Hygiene that CI checks before the tests (.ci/run), checked here too so a change that breaks it fails locally:
ruff's lint rules and its formatter (configured in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PATHS = ["src", "tests", "bench", "scripts"]


def _ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, *PATHS], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_lint() -> None:
    r = _ruff("check", "--no-cache", "--output-format", "concise")
    assert r.returncode == 0, r.stdout + r.stderr


def test_ruff_format() -> None:
    r = _ruff("format", "--check", "--no-cache")
    assert r.returncode == 0, r.stdout + r.stderr
