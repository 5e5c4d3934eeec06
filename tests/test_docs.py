"""Documentation cannot drift: CLI reference generated from --help, every command and setting documented."""

from __future__ import annotations

import re
from pathlib import Path

from weiquan.commands._reference import command_paths, render_reference
from weiquan.config import SETTINGS_DOC, Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_starts_with_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    head = text[: text.index("## Data location")]
    assert "make demo" in head and "make test" in head


def test_cli_reference_is_current() -> None:
    text = README.read_text(encoding="utf-8")
    block = text[text.index("<!-- cli-reference:start -->") : text.index("<!-- cli-reference:end -->") + len("<!-- cli-reference:end -->")]
    assert block == render_reference(), "README CLI reference is stale: run `python -m weiquan.commands._reference`"


def test_every_command_is_documented() -> None:
    text = README.read_text(encoding="utf-8")
    documented = set(re.findall(r"^### `(weiquan[^`]*)`", text, flags=re.M))
    for path in command_paths():
        assert " ".join(("weiquan", *path)) in documented


def test_every_setting_is_documented() -> None:
    text = README.read_text(encoding="utf-8")
    assert set(SETTINGS_DOC) == set(Settings.model_fields)
    for name, (env, _desc) in SETTINGS_DOC.items():
        assert f"`{name}`" in text and f"`{env}`" in text


def test_every_importer_is_documented_and_labelled() -> None:
    from weiquan.services.imports import importers
    from weiquan.web.labels import FORMAT_ZH

    formats = (README.parent / "docs" / "ingest.md").read_text(encoding="utf-8")
    for imp in importers():
        assert f"`{imp.name}`" in formats, f"{imp.name} missing from the format table in docs/ingest.md"
        assert imp.name in FORMAT_ZH, f"{imp.name} has no Chinese label in web/labels.py"
