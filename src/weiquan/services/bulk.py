"""Bulk analytics service: the one entry point for ``weiquan bulk run|report`` and the web's run pages.

``run_bulk`` classifies a corpus on Dask (``weiquan.bulk``) with the case detector read in its retelling register
(``weiquan.analyze.text.retelling_text_detector``: a complaint's act retold is its label) and the workspace's lender
registry, writes the
aggregates and ``report.html``, optionally loads the aggregates into a database, and records the finished
run in ``<home>/bulk/runs.json`` so the web app can show it (read-only).

``weiquan.bulk`` and ``weiquan.report.corpus`` are imported inside the functions on purpose: they need the optional
``bulk`` extra (pyarrow, dask), and the CLI and the web app must start without it (``require_extra`` then says what
is missing).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
import importlib.util
import json
from pathlib import Path
from typing import Any

from weiquan.analyze.text import retelling_text_detector
from weiquan.config import load_settings
from weiquan.errors import InputError, MissingComponent, NotFoundError
from weiquan.law.pack import LawPack, load_pack
from weiquan.store.bulk import load_aggregates

RUNS_FILE = "runs.json"


def require_extra() -> None:
    """The ``bulk`` extra (dask, distributed, pyarrow) must be installed; say so clearly when it is not."""
    missing = [m for m in ("dask", "distributed", "pyarrow") if importlib.util.find_spec(m) is None]
    if missing:
        raise MissingComponent(
            f'未安装批量分析组件（缺少 {"、".join(missing)}）：请运行 pip install -e ".[bulk]"。',
            f'the bulk extra is not installed (missing {", ".join(missing)}): pip install -e ".[bulk]".',
        )


def _pack(home: Path | None) -> LawPack:
    return load_pack(home)


def run_bulk(
    inputs: Sequence[Path],
    out: Path,
    *,
    home: Path | None = None,
    mapping: Sequence[str] | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    partition_rows: int | None = None,
    db_url: str | None = None,
    progress: Callable[[Any], None] | None = None,
    on_worker_pids: Callable[[list[int]], None] | None = None,
) -> dict[str, Any]:
    """Run (or resume) a bulk job; returns the run summary plus ``report`` (path) and ``db_rows``."""
    require_extra()
    from weiquan.bulk.columns import parse_map
    from weiquan.bulk.partition import RunConfig
    from weiquan.bulk.runner import DEFAULT_PARTITION_ROWS, run_bulk as _run

    if workers is not None and workers < 1:
        raise InputError("工作进程数必须是正整数。", "the number of workers must be a positive integer.")
    registry = _pack(home).lender_registry
    overrides = parse_map(mapping)

    def config(out_dir: str) -> RunConfig:
        # complaint corpora retell what collectors did: the retelling register (the act retold is the label)
        return RunConfig(out_dir, registry, retelling_text_detector)

    summary = _run(
        list(inputs),
        Path(out),
        config,
        mapping=overrides,
        scheduler=scheduler,
        workers=workers,
        rows_per_partition=partition_rows or DEFAULT_PARTITION_ROWS,
        progress=progress,
        on_worker_pids=on_worker_pids,
    )
    result = summary.to_dict()
    result["report"] = str(build_report(Path(summary.out), home=home))
    result["db_rows"] = load_db(Path(summary.out), db_url) if db_url else None
    _register(home, Path(summary.out))
    return result


def _report_data(out: Path, home: Path | None) -> Any:
    require_extra()
    from weiquan.bulk.readers import REASONS_ZH
    from weiquan.bulk.runner import read_run
    from weiquan.bulk.tables import read_rows
    from weiquan.report.corpus import CorpusReportData

    run = read_run(out)
    pack = _pack(home)
    return CorpusReportData(
        summary=run,
        aggregates=read_rows(out / "aggregates.parquet"),
        lender_months=read_rows(out / "lender_months.parquet"),
        label_zh={k: v.name_zh for k, v in pack.violations.items()} | {"lawful": "未检出违规（正常催收或其他诉求）"},
        registry_as_of=pack.lender_registry.as_of.isoformat(),
        reason_zh=dict(REASONS_ZH),
    )


def build_report(out: Path, *, home: Path | None = None) -> Path:
    """(Re)write ``out/report.html`` from the run's aggregates; returns its path."""
    from weiquan.bulk.files import atomic_write
    from weiquan.report.corpus import render_corpus_report

    out = Path(out)
    html = render_corpus_report(_report_data(out, home))
    path = out / "report.html"
    atomic_write(path, html.encode("utf-8"))
    return path


def load_db(out: Path, url: str) -> int:
    """Load a finished run's aggregates into the database at ``url`` (replacing that run's rows)."""
    from weiquan.bulk.runner import read_run
    from weiquan.bulk.tables import read_rows

    require_extra()
    run = read_run(out)
    return load_aggregates(url, run, read_rows(out / "aggregates.parquet"), read_rows(out / "lender_months.parquet"))


# ---------------------------------------------------------------------------------------------- the run index


def _runs_file(home: Path | None) -> Path:
    return load_settings(home).home / "bulk" / RUNS_FILE


def _register(home: Path | None, out: Path) -> None:
    from weiquan.bulk.files import atomic_write
    from weiquan.bulk.runner import read_run

    run = read_run(out)
    f = _runs_file(home)
    f.parent.mkdir(parents=True, exist_ok=True)
    runs = [r for r in _read_index(f) if r["id"] != run["plan_id"] and r["out"] != str(out)]
    runs.append(
        {
            "id": run["plan_id"],
            "out": str(out),
            "texts": run["texts"],
            "unlawful": run["unlawful"],
            "finished_at": run["finished_at"],
            "inputs": [i["name"] for i in run["inputs"]],
        }
    )
    atomic_write(f, json.dumps(runs, ensure_ascii=False, indent=1).encode())


def _read_index(f: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(f.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [r for r in data if isinstance(r, dict) and "id" in r and "out" in r] if isinstance(data, list) else []


def list_runs(home: Path | None = None) -> list[dict[str, Any]]:
    """Finished runs recorded in this data home, newest first (runs whose directory is gone are left out)."""
    runs = [r for r in _read_index(_runs_file(home)) if (Path(r["out"]) / "run.json").exists()]
    return sorted(runs, key=lambda r: r.get("finished_at") or "", reverse=True)


def run_view(run_id: str, home: Path | None = None) -> dict[str, Any]:
    """Everything the web page of one finished run shows (summary, tables, inline SVG charts)."""
    from weiquan.report.corpus import corpus_context

    for r in list_runs(home):
        if r["id"] == run_id:
            ctx = corpus_context(_report_data(Path(r["out"]), home))
            ctx["run"] = r
            return ctx
    raise NotFoundError(f"没有编号为 {run_id} 的批量分析结果。", f"no bulk run {run_id}")
