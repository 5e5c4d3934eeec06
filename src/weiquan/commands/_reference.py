"""Generate the reference parts of the documentation from the code, so they cannot drift (datasette style).

``python -m weiquan.commands._reference`` (``make docs``) rewrites every generated block — the text between
``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` — of README.md and docs/*.md: the CLI reference (from
``--help``), the settings table (from the pydantic fields of ``weiquan.config.Settings``), the plug-in hooks
(``weiquan.hookspecs``), the registered detectors and text-rule ids, and the registered documents.
``--check`` only compares and exits 1 when a block is stale; tests/test_docs.py runs the same comparison.
"""

from __future__ import annotations

from collections.abc import Iterator
import inspect
import os
from pathlib import Path
import sys
from typing import Any

import typer
import typer.main
from typer.testing import CliRunner

from weiquan import hookspecs
from weiquan.analyze.rules import default_rules
from weiquan.cli import app
from weiquan.config import Settings
from weiquan.law.pack import PACK_DIR
from weiquan.law.sources import load_sources
from weiquan.plugins import collect
from weiquan.services.documents import document_specs

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
    return [p for p, _ in iter_commands(typer.main.get_command(app))]


def render_cli() -> str:
    """The CLI reference (every command's ``--help``): the body of README.md's ``cli-reference`` block."""
    runner = CliRunner()
    root = typer.main.get_command(app)
    parts = [
        "",
        "_Generated from `--help` by `python -m weiquan.commands._reference`; do not edit by hand._",
        "",
    ]
    env = {"COLUMNS": "100", "TERM": "dumb", "NO_COLOR": "1"}
    for path, _cmd in iter_commands(root):
        title = " ".join(("weiquan", *path))
        result = runner.invoke(app, [*path, "--help"], env=env, prog_name="weiquan", terminal_width=100)
        if result.exit_code != 0:
            raise RuntimeError(f"{title} --help failed: {result.output}")
        parts += [f"### `{title}`", "", "```", result.output.rstrip(), "```", ""]
    return "\n".join(parts)


def render_reference() -> str:
    """README.md's CLI reference block, markers included."""
    return f"{START}\n{render_cli()}\n{END}"


ROOT = Path(__file__).resolve().parents[3]


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def render_settings() -> str:
    rows = ["| setting | environment variable | default | meaning |", "|---|---|---|---|"]
    for name, f in Settings.model_fields.items():
        extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
        default = extra.get("default_doc") or f"`{f.default}`"
        rows.append(f"| `{name}` | `{Settings.env_var(name)}` | {_cell(str(default))} | {_cell(f.description or '')} |")
    return "\n".join(rows)


def render_hooks() -> str:
    out = []
    for name, fn in vars(hookspecs).items():
        if callable(fn) and hasattr(fn, "weiquan_spec"):
            sig = str(inspect.signature(fn)).replace("'", "")
            out += [f"- `{name}{sig}`: {_cell(inspect.getdoc(fn) or '')}"]
    return "\n".join(out)


def render_detectors() -> str:
    out = ["| detector id | kind | what it finds |", "|---|---|---|"]
    for d in collect("register_detectors"):
        doc = (inspect.getdoc(type(d)) or "").split("\n\n", 1)[0]
        if doc.startswith(f"{type(d).__name__}("):  # a dataclass's generated docstring says nothing
            doc = ""
        first = _cell(doc).split(". ", 1)[0].rstrip(".")
        out.append(f"| `{d.id}` | {getattr(d, 'kind', '')} | {first + '.' if first else '—'} |")
    out += ["", "| rule id | category | what it matches |", "|---|---|---|"]
    out += [f"| `{r.id}` | `{r.category}` | {_cell(r.label or '')} |" for r in default_rules().rules]
    return "\n".join(out)


def render_documents() -> str:
    out = ["| document id | title | sent to (channel id) | what it is |", "|---|---|---|---|"]
    for d in document_specs().values():
        out.append(
            f"| `{d.id}` | {d.title_zh} | {f'`{d.channel}`' if d.channel else '—'} | {_cell(d.description_zh)} |"
        )
    return "\n".join(out)


def render_law_sources() -> str:
    out: list[str] = []
    for s in load_sources(PACK_DIR).values():
        status = (
            "the tool's own rule, not a legal fact"
            if s.kind == "rule"
            else "confirmed by a primary text"
            if s.confirmed
            else "no primary text seen: printed as 〔未核实〕"
        )
        out += [f"### {s.id}", f"**{s.title_zh}** — {status}.", f"Primary: {s.primary}.", f"Read: {s.read}.", ""]
    return "\n".join(out).rstrip()


# (file, block name, renderer): every generated block of the documentation
BLOCKS = [
    ("README.md", "cli-reference", render_cli),
    ("README.md", "settings", render_settings),
    ("docs/architecture.md", "hooks", render_hooks),
    ("docs/detection.md", "detectors", render_detectors),
    ("docs/action.md", "documents", render_documents),
    ("docs/sources.md", "law-sources", render_law_sources),
]


def update_block(path: Path, name: str, body: str, *, check: bool = False) -> bool:
    """Replace the text between the block's markers; True when it already matched (or was updated)."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = path.read_text(encoding="utf-8")
    if start not in text or end not in text:
        raise SystemExit(f"{path}: missing {start} … {end} markers")
    before, rest = text.split(start, 1)
    _, after = rest.split(end, 1)
    new = f"{before}{start}\n{body}\n{end}{after}"
    if new == text:
        return True
    if not check:
        path.write_text(new, encoding="utf-8")
    return not check


def stale_blocks(root: Path = ROOT, *, check: bool = True) -> list[str]:
    """Generated blocks that do not match the code (all of them rewritten when ``check`` is False)."""
    stale: list[str] = []
    for file, name, render in BLOCKS:
        if not update_block(root / file, name, render(), check=check):
            stale.append(f"{file} {name}")
    return stale


if __name__ == "__main__":
    os.environ.setdefault("COLUMNS", "100")
    stale = stale_blocks(check="--check" in sys.argv)
    if stale:
        print(
            "stale generated documentation: " + ", ".join(stale) + " — run `python -m weiquan.commands._reference`",
            file=sys.stderr,
        )
    sys.exit(1 if stale else 0)
