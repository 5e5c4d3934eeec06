"""The demo: the one place that runs the whole chain on the bundled SAMPLE data.

import → extract (OCR/ASR when installed) → analyse → plan → documents → evidence package → verify.
Every output is marked as sample (示例). Returns a summary of what was done and where the outputs are.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import select

from weiquan.services import cases
from weiquan.store.models import Case
from weiquan.workspace import Workspace

SAMPLE_CASE_NAME = "示例案件：张三 诉 示例贷（SAMPLE 示例数据）"


@dataclass
class DemoStep:
    name: str
    ok: bool
    detail: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class DemoResult:
    case_id: int
    out_dir: Path
    steps: list[DemoStep]

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.steps)


def samples_dir() -> Path:
    return Path(str(resources.files("weiquan") / "samples"))


def _fresh_sample_case(ws: Workspace) -> int:
    with ws.db.read_session() as s:
        old = [c.id for c in s.execute(select(Case).where(Case.is_sample.is_(True), Case.name == SAMPLE_CASE_NAME)).scalars()]
    for cid in old:
        cases.delete_case(ws, cid)
    meta = _sample_meta()
    case = cases.create_case(
        ws, SAMPLE_CASE_NAME, lender=meta.get("lender"), borrower_name=meta.get("borrower"), is_sample=True,
    )
    if meta.get("borrower_phones"):
        cases.update_case(ws, case.id, borrower_phones=meta["borrower_phones"])
    return case.id


def _sample_meta() -> dict[str, Any]:
    import json

    p = samples_dir() / "sample.json"
    return json.loads(p.read_text(encoding="utf-8")) if p.exists() else {}


def run_demo(ws: Workspace, out_dir: Path, *, log: Callable[[str], None] = lambda _m: None) -> DemoResult:
    out_dir = out_dir.resolve()
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    case_id = _fresh_sample_case(ws)
    steps: list[DemoStep] = []

    def step(name: str, fn: Callable[[], tuple[str, dict[str, Any]]]) -> None:
        log(f"… {name}")
        detail, data = fn()
        steps.append(DemoStep(name, True, detail, data))
        log(f"✓ {name}: {detail}")

    step("导入示例数据 import", lambda: _import(ws, case_id))
    step("提取截图文字与录音 extract", lambda: _extract(ws, case_id))
    step("识别违规 analyse", lambda: _analyse(ws, case_id))
    step("维权步骤 plan", lambda: _plan(ws, case_id, out_dir))
    step("生成文书 documents", lambda: _documents(ws, case_id, out_dir))
    step("证据包 evidence package", lambda: _export(ws, case_id, out_dir))
    return DemoResult(case_id, out_dir, steps)


def _import(ws: Workspace, case_id: int) -> tuple[str, dict[str, Any]]:
    from weiquan.services.imports import import_paths

    results = import_paths(ws, case_id, [samples_dir()])
    added = sum(r.records_added for r in results)
    failed = [r.file for r in results if r.error]
    return f"{len(results)} 个文件，新增 {added} 条记录" + (f"，{len(failed)} 个失败" if failed else ""), {
        "files": len(results), "records": added, "failed": failed,
    }


def _extract(ws: Workspace, case_id: int) -> tuple[str, dict[str, Any]]:
    from weiquan.services.extraction import run_jobs

    summary = run_jobs(ws, case_id=case_id)
    return str(summary), {}


def _analyse(ws: Workspace, case_id: int) -> tuple[str, dict[str, Any]]:
    from weiquan.services.analysis import analyze_case

    summary = analyze_case(ws, case_id)
    return str(summary), {}


def _plan(ws: Workspace, case_id: int, out_dir: Path) -> tuple[str, dict[str, Any]]:
    from weiquan.services.plan import build_plan

    plan = build_plan(ws, case_id)
    return str(plan), {}


def _documents(ws: Workspace, case_id: int, out_dir: Path) -> tuple[str, dict[str, Any]]:
    from weiquan.services.documents import draft_document

    written: list[Path] = []
    for doc in ("lender", "regulator", "12321", "police", "lawsuit", "injunction", "catalogue", "contacts"):
        written += draft_document(ws, case_id, doc, formats=("docx", "pdf"), out_dir=out_dir / "documents")
    return f"{len(written)} 个文件", {"files": [str(p) for p in written]}


def _export(ws: Workspace, case_id: int, out_dir: Path) -> tuple[str, dict[str, Any]]:
    from weiquan.services.export import export_case, verify_package

    pkg = out_dir / "evidence-package.zip"
    export_case(ws, case_id, pkg, include_derived=True)
    result = verify_package(pkg)
    return f"{pkg}（校验 verify: {result}）", {"package": str(pkg)}
