"""Imports sit at the top of a module, so its first lines say what it depends on. A function-local import is kept
only for a reason named here — an optional extra the program must start without, a heavy library only one
operation needs (import cost measured on this project's machine), or a guard that turns a broken install into a
clear message — and this test fails on any other. (No local import breaks a cycle: the import graph, local imports
included, has none; tests/test_architecture.py.)"""

from __future__ import annotations

import ast
from pathlib import Path

import weiquan

SRC = Path(weiquan.__file__).parent

# (module file, imported top-level package or weiquan module prefix) -> why the import waits for the call
DEFERRED = {
    # optional extras ([project.optional-dependencies]): the CLI and the web app start without them
    ("bulk/runner.py", "dask"): "extra bulk",
    ("bulk/runner.py", "distributed"): "extra bulk",
    ("bulk/readers.py", "pyarrow"): "extra bulk",
    ("services/bulk.py", "weiquan.bulk"): "needs the bulk extra (pyarrow, dask); require_extra says what is missing",
    ("services/bulk.py", "weiquan.report.corpus"): "needs the bulk extra (pyarrow)",
    ("extract/asr.py", "faster_whisper"): "extra asr",
    ("extract/asr_correct.py", "pypinyin"): "extra asr",
    ("ingest/images.py", "pillow_heif"): "extra heif (HEIC photos)",
    ("report/render.py", "pypdf"): "extra test: reading a PDF's text back is for checks, not for producing one",
    # heavy libraries only one operation needs (standalone import time)
    ("report/charts.py", "matplotlib"): "~0.3 s; charts only",
    ("report/render.py", "weasyprint"): "~1.0 s; PDF output only",
    ("analyze/classifier.py", "sklearn"): "~1.4 s; the reference featuriser, never used for inference",
    ("analyze/training.py", "sklearn"): "~1.8 s; training only",
    ("ingest/tabular.py", "openpyxl"): "~0.26 s; XLSX files only",
    ("testing/phone_exports.py", "openpyxl"): "~0.26 s; only the XLSX fixture writer",
    ("commands/serve.py", "uvicorn"): "~0.2 s; the server only",
    ("commands/demo.py", "uvicorn"): "~0.2 s; demo --serve only",
    ("store/migrate.py", "alembic"): "~0.3 s; most commands find the schema current",
    ("ingest/numbers.py", "phonenumbers"): "carrier and geocoder tables: ~0.3 s and ~100 MB, only to normalise numbers",
    (
        "zh/format.py",
        "cn2an",
    ): "~0.1-0.2 s; only documents with money amounts (the Chinese leaf is imported everywhere)",
    ("workspace.py", "weiquan.law.pack"): "~0.4 s (pydantic schema, YAML); commands that never need the law",
    # a guard: a core dependency missing from a broken install becomes a clear MissingComponent message
    ("ingest/audio.py", "mutagen"): "guarded: a missing reader leaves the duration unknown instead of failing",
    ("extract/asr.py", "opencc"): "guarded: MissingComponent",
    ("extract/ocr.py", "rapidocr"): "guarded: MissingComponent",
}


def local_imports() -> list[tuple[str, int, str]]:
    out = []
    for p in sorted(SRC.rglob("*.py")):
        tree = ast.parse(p.read_text("utf-8"))
        seen: set[int] = set()
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for n in ast.walk(fn):
                if isinstance(n, (ast.Import, ast.ImportFrom)) and n.lineno not in seen:
                    seen.add(n.lineno)
                    mods = [n.module or ""] if isinstance(n, ast.ImportFrom) else [a.name for a in n.names]
                    out += [(str(p.relative_to(SRC)), n.lineno, m) for m in mods]
    return out


def _reason(file: str, module: str) -> str | None:
    for (f, prefix), why in DEFERRED.items():
        if f == file and (module == prefix or module.startswith(prefix + ".")):
            return why
    return None


def test_every_function_local_import_has_a_named_reason() -> None:
    unexplained = [f"{f}:{n} {m}" for f, n, m in local_imports() if _reason(f, m) is None]
    assert unexplained == [], (
        "move these imports to the top of the module, or name the reason in DEFERRED: " + ", ".join(unexplained)
    )


def test_every_reason_is_still_used() -> None:
    used = {
        (f, p) for f, _, m in local_imports() for (f2, p) in DEFERRED if f == f2 and (m == p or m.startswith(p + "."))
    }
    assert set(DEFERRED) - used == set()
