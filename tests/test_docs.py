"""Documentation cannot drift: the CLI reference, the settings table, the plug-in hooks, the detector and rule ids
and the document ids are generated from the code (``make docs``) and must match it; every one is documented."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from weiquan.commands._reference import command_paths, render_reference, stale_blocks
from weiquan.config import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_starts_with_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    head = text[: text.index("## Data location")]
    assert "make demo" in head and "make test" in head


def test_cli_reference_is_current() -> None:
    text = README.read_text(encoding="utf-8")
    block = text[
        text.index("<!-- cli-reference:start -->") : text.index("<!-- cli-reference:end -->")
        + len("<!-- cli-reference:end -->")
    ]
    assert block == render_reference(), "README CLI reference is stale: run `python -m weiquan.commands._reference`"


def test_every_command_is_documented() -> None:
    text = README.read_text(encoding="utf-8")
    documented = set(re.findall(r"^### `(weiquan[^`]*)`", text, flags=re.M))
    for path in command_paths():
        assert " ".join(("weiquan", *path)) in documented


def test_every_setting_is_documented() -> None:
    text = README.read_text(encoding="utf-8")
    for name, field in Settings.model_fields.items():
        assert field.description, f"setting {name} has no description"
        assert f"`{name}` | `{Settings.env_var(name)}`" in text, f"setting {name} missing from README"


def test_generated_documentation_is_current() -> None:
    """Settings (README), hooks (docs/architecture.md), detector and rule ids (docs/detection.md), document ids
    (docs/action.md): each block equals what the code generates today."""
    assert stale_blocks(README.parent) == [], "run `make docs` (python -m weiquan.commands._reference)"


def test_every_hook_detector_rule_and_document_is_documented() -> None:
    import inspect

    from weiquan import hookspecs
    from weiquan.analyze.rules import default_rules
    from weiquan.plugins import collect
    from weiquan.services.documents import document_specs

    docs = "\n".join(p.read_text(encoding="utf-8") for p in (README.parent / "docs").glob("*.md"))
    hooks = [n for n, f in vars(hookspecs).items() if callable(f) and hasattr(f, "weiquan_spec")]
    assert hooks and all(f"`{n}{inspect.signature(getattr(hookspecs, n))}`".replace("'", "") in docs for n in hooks)
    assert all(f"| `{d.id}` |" in docs for d in collect("register_detectors"))
    assert all(f"| `{r.id}` | `{r.category}` |" in docs for r in default_rules().rules)
    assert all(f"| `{d}` |" in docs for d in document_specs())


def test_every_importer_is_documented_and_labelled() -> None:
    from weiquan.services.imports import importers

    formats = (README.parent / "docs" / "ingest.md").read_text(encoding="utf-8")
    for imp in importers():
        assert f"`{imp.name}`" in formats, f"{imp.name} missing from the format table in docs/ingest.md"
        assert imp.label_zh, f"importer {imp.name} has no label_zh (the words the web shows for its format)"
        # each built-in format names its public reference (docs/sources.md#format-…) or, for the tool's own
        # format, docs/ingest.md, in its module's docstring
        module = sys.modules[type(imp).__module__]
        if module.__name__.startswith("weiquan."):
            assert re.search(r"docs/(sources\.md#format-[a-z-]+|ingest\.md)", module.__doc__ or ""), module.__name__


# The team's notes outside the repository (../shared): code and data cite docs/sources.md, law/cn/sources.yaml or a
# doc in docs/ instead, so anyone with the repository can check them.
NOTES = r"cn-law|fact-?check|formats\.md|design\.md|deps\.md|anchors\.md|shared/research|research/"
# code and data also never name the real messages kept for measuring (docs name them in the command that measures)
OUTSIDE_NOTES = re.compile(NOTES + r"|collection-messages-dev")


def test_code_cites_sources_in_the_repository() -> None:
    """Code and data (every text file under src/: Python, YAML, templates, data) cite docs/sources.md (each legal
    fact's primary source, each format's reference), law/cn/sources.yaml or docs/, never notes that live outside
    the repository; every cited anchor and doc exists."""
    root = README.parent
    sources = (root / "docs" / "sources.md").read_text(encoding="utf-8")
    anchors = set(re.findall(r"^### ([a-z0-9-]+)$", sources, flags=re.M))
    anchors |= {h.lower().replace(" ", "-") for h in re.findall(r"^## ([A-Za-z ]+)$", sources, flags=re.M)}
    offenders, missing, cited_docs = [], [], set()
    for p in (root / "src" / "weiquan").rglob("*"):
        if not p.is_file() or "__pycache__" in p.parts:
            continue
        try:
            text = p.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary data (models, fonts)
        missing += [
            f"{p.relative_to(root)}: #{a}"
            for a in re.findall(r"docs/sources\.md#([a-z0-9-]+)", text)
            if a not in anchors
        ]
        cited_docs |= set(re.findall(r"\bdocs/([\w-]+\.md)", text))
        offenders += [
            f"{p.relative_to(root)}:{n}: {line.strip()[:80]}"
            for n, line in enumerate(text.splitlines(), 1)
            if OUTSIDE_NOTES.search(line)
        ]
    assert offenders == [], offenders
    assert missing == [], missing
    assert {d for d in cited_docs if not (root / "docs" / d).is_file()} == set()


def test_docs_benchmarks_and_scripts_cite_no_outside_notes() -> None:
    """The documentation, benchmarks and scripts cite the repository too. Left out: the audits (dated records of
    what a reviewer read) and the one-time script that rewrote the law pack's note references (it names what it
    replaced)."""
    root = README.parent
    files = [root / "README.md", *(root / "docs").rglob("*.md"), *(root / "bench").rglob("*.py")]
    files += [p for p in (root / "scripts").rglob("*.py") if p.name != "rewrite_law_sources.py"]
    offenders = [
        f"{p.relative_to(root)}:{n}"
        for p in files
        if "audits" not in p.parts
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(NOTES, line)
    ]
    assert offenders == [], offenders
