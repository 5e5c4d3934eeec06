"""Hygiene that CI checks before the tests (.ci/run), checked here too so a change that breaks it fails locally:
ruff's lint rules and its formatter (configured in pyproject.toml), and every ``noqa`` / ``type: ignore`` says
why it is there."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

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


# A suppression says why on its own line: a noqa with " - why" after its codes, a type-ignore with "  # why" after it.
_NOQA = re.compile(r"#\s*noqa(?::\s*[A-Z0-9, ]+)?(?P<why>\s+-\s+\S.*)?$")
_IGNORE = re.compile(r"#\s*type:\s*ignore(?:\[[^\]]*\])?(?P<why>\s*#\s*\S.*)?$")


def test_every_suppression_says_why() -> None:
    bare = []
    for base in PATHS:
        for p in (ROOT / base).rglob("*.py"):
            for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1):
                for rx in (_NOQA, _IGNORE):
                    m = rx.search(line)
                    if m and not m.group("why"):
                        bare.append(f"{p.relative_to(ROOT)}:{n}: {line.strip()[-60:]}")
    assert bare == [], "\n".join(bare)


def test_no_absolute_paths_of_a_developer_machine() -> None:
    """Tracked files name paths relative to the repository, never a checkout's own location."""
    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.splitlines()
    if not files:
        pytest.skip("not a git checkout")
    pattern = re.compile("/" + "work/")  # split so this file does not match itself
    offenders = []
    for name in files:
        path = ROOT / name
        if not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        text = path.read_bytes().decode("utf-8", "ignore")
        offenders += [f"{name}:{i}" for i, line in enumerate(text.splitlines(), 1) if pattern.search(line)]
    assert offenders == []
