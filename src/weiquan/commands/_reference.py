"""Generate the CLI reference (Markdown) from ``--help``, and keep README.md in sync.

``python -m weiquan.commands._reference`` rewrites the block between the
``<!-- cli-reference:start -->`` and ``<!-- cli-reference:end -->`` markers of
README.md; ``--check`` only compares and exits 1 when the README is stale.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer
import typer.main
from typer.testing import CliRunner

START = "<!-- cli-reference:start -->"
END = "<!-- cli-reference:end -->"


def iter_commands(cmd: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, cmd
    if hasattr(cmd, "list_commands"):
        for name in cmd.list_commands(typer.Context(cmd)):
            sub = cmd.get_command(typer.Context(cmd), name)
            if sub is not None and not getattr(sub, "hidden", False):
                yield from iter_commands(sub, (*path, name))


def command_paths() -> list[tuple[str, ...]]:
    from weiquan.cli import app

    return [p for p, _ in iter_commands(typer.main.get_command(app))]


def render_reference() -> str:
    from weiquan.cli import app

    runner = CliRunner()
    root = typer.main.get_command(app)
    parts = [START, "", "_Generated from `--help` by `python -m weiquan.commands._reference`; do not edit by hand._", ""]
    env = {"COLUMNS": "100", "TERM": "dumb", "NO_COLOR": "1"}
    for path, _cmd in iter_commands(root):
        title = " ".join(("weiquan", *path))
        result = runner.invoke(app, [*path, "--help"], env=env, prog_name="weiquan", terminal_width=100)
        if result.exit_code != 0:
            raise RuntimeError(f"{title} --help failed: {result.output}")
        parts += [f"### `{title}`", "", "```", result.output.rstrip(), "```", ""]
    parts.append(END)
    return "\n".join(parts)


def update_readme(readme: Path, *, check: bool = False) -> bool:
    """Return True when README.md already matched (or was updated)."""
    text = readme.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise SystemExit(f"{readme}: missing {START} … {END} markers")
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    new = before + render_reference() + after
    if new == text:
        return True
    if check:
        return False
    readme.write_text(new, encoding="utf-8")
    return True


if __name__ == "__main__":
    os.environ.setdefault("COLUMNS", "100")
    readme = Path(__file__).resolve().parents[3] / "README.md"
    ok = update_readme(readme, check="--check" in sys.argv)
    if not ok:
        print("README.md CLI reference is stale: run `python -m weiquan.commands._reference`", file=sys.stderr)
    sys.exit(0 if ok else 1)
