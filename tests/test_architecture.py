"""The layers hold: the import-linter contracts of pyproject.toml are kept, and no module imports itself back
through others (an import cycle — even through an import inside a function — is how a domain module ended up
depending on the services that call it)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import grimp
from importlinter.application.use_cases import lint_imports
from importlinter.configuration import configure

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_are_kept() -> None:
    configure()  # what the `lint-imports` command does first: register the readers of the configuration
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), cache_dir=None, no_logo=True), (
        "an import breaks the layers: run `lint-imports` for the details"
    )


def _cycles(package: str) -> list[list[str]]:
    """Strongly connected components of more than one module in the import graph (Tarjan)."""
    graph = grimp.build_graph(package, exclude_type_checking_imports=True)
    adj = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in adj[v]:
            if w not in adj:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for v in adj:
            if v not in index:
                visit(v)
    finally:
        sys.setrecursionlimit(limit)
    return out


def test_no_import_cycles() -> None:
    assert _cycles("weiquan") == []


def test_test_helpers_are_imported_as_a_package() -> None:
    """Helpers are ``tests.<area>.<module>`` imports of packages, not ``sys.path`` inserts (nor pytest's insert of
    a test directory that is not a package, which a bare ``import helper`` relies on)."""
    inserts = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "tests").rglob("*.py")
        if p.name != "test_architecture.py" and "sys.path.insert" in p.read_text(encoding="utf-8")
    ]
    assert inserts == []
    helpers = {
        p.stem for p in (ROOT / "tests").rglob("*.py") if not p.name.startswith(("test_", "conftest", "__init__"))
    }
    bare = []
    for p in (ROOT / "tests").rglob("*.py"):
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module]
                if isinstance(node, ast.ImportFrom) and node.module and not node.level
                else []
            )
            bare += [f"{p.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in helpers]
    assert bare == [], "import test helpers as tests.<area>.<module>"
    not_packages = [
        str(d.relative_to(ROOT))
        for d in [ROOT / "tests", *(ROOT / "tests").iterdir()]
        if d.is_dir() and any(d.glob("*.py")) and not (d / "__init__.py").is_file()
    ]
    assert not_packages == []


def test_every_weiquan_import_resolves() -> None:
    """Every ``from weiquan… import name`` in the code, tests, benchmarks and scripts — at module level or inside a
    function — names something that exists (a module moved in a refactor breaks here, not at run time)."""
    import importlib

    bad = []
    for base in ("src", "tests", "bench", "scripts"):
        for p in (ROOT / base).rglob("*.py"):
            for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("weiquan.")):
                    continue
                module = importlib.import_module(node.module)
                for alias in node.names:
                    if alias.name == "*" or hasattr(module, alias.name):
                        continue
                    try:
                        importlib.import_module(f"{node.module}.{alias.name}")
                    except ImportError:
                        bad.append(f"{p.relative_to(ROOT)}:{node.lineno}: {node.module}.{alias.name}")
    assert bad == []
