"""The demo: the one place that runs the whole chain on the bundled SAMPLE data.

import → extract (OCR/ASR when installed) → analyse → plan → documents → evidence package → verify.
Every output is marked as sample (示例). Returns a summary of what was done and where the outputs are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
import json
from pathlib import Path
import shutil
from typing import Any

from sqlalchemy import select

from weiquan.errors import InputError, ProblemFound
from weiquan.services import cases
from weiquan.services.analysis import analyze_case
from weiquan.services.analysis import list_findings, review_finding
from weiquan.services.documents import write_plan
from weiquan.services.documents import draft_all
from weiquan.services.export import export_case, verify_package
from weiquan.services.extraction import run_jobs
from weiquan.services.imports import import_paths
from weiquan.services.loans import add_loan
from weiquan.store.models import Case
from weiquan.workspace import Workspace

SAMPLE_MARK = "SAMPLE 示例数据"


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
    """Replace earlier demo cases in this home with a new one described by samples/sample.json."""
    meta = _sample_meta()
    name = str(meta["case_name"])
    with ws.db.read_session() as s:
        old = [c.id for c in s.execute(select(Case).where(Case.is_sample.is_(True), Case.name == name)).scalars()]
    for cid in old:
        cases.delete_case(ws, cid)
    case = cases.create_case(
        ws,
        name,
        lender=meta.get("lender"),
        borrower_name=meta.get("borrower"),
        is_sample=True,
        timezone=meta.get("timezone"),
    )
    if meta.get("borrower_phones"):
        cases.update_case(ws, case.id, borrower_phones=list(meta["borrower_phones"]))
    return case.id


def _sample_meta() -> dict[str, Any]:
    meta: dict[str, Any] = json.loads((samples_dir() / "sample.json").read_text(encoding="utf-8"))
    return meta


DEMO_MARKER = ".weiquan-demo-output"  # written into every output folder the demo creates


def prepare_out_dir(out_dir: Path) -> Path:
    """The demo's output folder, emptied only if the demo made it: a missing or empty folder is used, a
    previous demo output (it holds :data:`DEMO_MARKER`) is replaced, anything else is refused untouched."""
    out_dir = out_dir.resolve()
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(
            f"输出位置 {out_dir} 是一个文件，不是文件夹；请换一个输出文件夹", f"{out_dir} is a file, not a folder"
        )
    if out_dir.is_dir() and any(out_dir.iterdir()):
        marker = out_dir / DEMO_MARKER
        if not (marker.is_file() and not marker.is_symlink()) and not _older_demo_output(out_dir):
            raise InputError(
                f"文件夹 {out_dir} 里已有别的文件，而且不是以前的示例输出。为了不误删您的文件，示例不会使用它；"
                "请换一个空文件夹或新文件夹",
                f"{out_dir} is not empty and is not a previous demo output; refusing to delete it (choose another folder)",
            )
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / DEMO_MARKER).write_text("weiquan demo output; safe to delete\n", encoding="utf-8")
    return out_dir


def _older_demo_output(out_dir: Path) -> bool:
    """An output folder of a demo from before the marker existed: exactly the demo's own entries."""
    names = {p.name for p in out_dir.iterdir()}
    return "evidence-package.zip" in names and names <= {"plan", "documents", "evidence-package.zip"}


def run_demo(ws: Workspace, out_dir: Path, *, log: Callable[[str], None] = lambda _m: None) -> DemoResult:
    out_dir = prepare_out_dir(out_dir)
    case_id = _fresh_sample_case(ws)
    steps: list[DemoStep] = []

    def step(name: str, fn: Callable[[], tuple[str, dict[str, Any]]]) -> None:
        log(f"… {name}")
        detail, data = fn()
        steps.append(DemoStep(name, True, detail, data))
        log(f"✓ {name}: {detail}")

    step("导入示例数据 import", lambda: _import(ws, case_id))
    step("提取截图文字与录音 extract", lambda: _extract(ws, case_id))
    step("借款核算 loan check", lambda: _loan(ws, case_id))
    step("识别违规 analyse", lambda: _analyse(ws, case_id))
    step("示例审核 review", lambda: _review(ws, case_id))
    step("维权步骤 plan", lambda: _plan(ws, case_id, out_dir))
    step("生成文书 documents", lambda: _documents(ws, case_id, out_dir))
    step("证据包 evidence package", lambda: _export(ws, case_id, out_dir))
    return DemoResult(case_id, out_dir, steps)


def _import(ws: Workspace, case_id: int) -> tuple[str, dict[str, Any]]:
    results = import_paths(ws, case_id, [samples_dir()])
    added = sum(r.records_added for r in results)
    failed = [r.file for r in results if r.error]
    return f"{len(results)} 个文件，新增 {added} 条记录" + (f"，{len(failed)} 个失败" if failed else ""), {
        "files": len(results),
        "records": added,
        "failed": failed,
    }


def _extract(ws: Workspace, case_id: int) -> tuple[str, dict[str, Any]]:
    summary = run_jobs(ws, case_id=case_id)
    return str(summary), summary.model_dump(mode="json")


def _loan(ws: Workspace, case_id: int) -> tuple[str, dict[str, Any]]:
    loan = add_loan(ws, case_id, dict(_sample_meta()["loan"]))
    data = loan.model_dump(mode="json")
    apr = data.get("apr")
    return f"年化利率（IRR）{apr:.2%}，结论 {data.get('verdict')}" if isinstance(apr, float) else str(
        data.get("verdict")
    ), {
        "loan_id": data.get("id"),
        "verdict": data.get("verdict"),
    }


def _analyse(ws: Workspace, case_id: int) -> tuple[str, dict[str, Any]]:
    result = analyze_case(ws, case_id)
    cats = {c.category: c.count for c in result.categories}
    return "，".join(f"{c.name_zh} {c.count}" for c in result.categories) or "未发现违规", {"findings": cats}


DEMO_REVIEWER = "示例用户（演示）"
DEMO_REVIEW_NOTE = "示例：演示流程模拟用户逐条核对原始记录后确认；真实案件须由您本人逐条审核。"


def _review(ws: Workspace, case_id: int) -> tuple[str, dict[str, Any]]:
    """Confirm the sample's findings as a reviewing user would, marked as 示例: documents draft from confirmed
    findings only, so without this step the sample's documents would be empty."""

    done = [
        review_finding(ws, f.id, "confirmed", reviewer=DEMO_REVIEWER, note=DEMO_REVIEW_NOTE).id
        for f in list_findings(ws, case_id)
        if f.review_state == "auto" and f.category != "lawful"
    ]
    return f"示例用户确认 {len(done)} 项（标注“示例”）", {"confirmed": done}


def _plan(ws: Workspace, case_id: int, out_dir: Path) -> tuple[str, dict[str, Any]]:
    files = write_plan(ws, case_id, out_dir / "plan")
    return f"{len(files)} 个文件 → {out_dir / 'plan'}", {"files": [str(p) for p in files]}


def _documents(ws: Workspace, case_id: int, out_dir: Path) -> tuple[str, dict[str, Any]]:
    written = [p for paths in draft_all(ws, case_id, out_dir=out_dir / "documents").values() for p in paths]
    return f"{len(written)} 个文件 → {out_dir / 'documents'}", {"files": [str(p) for p in written]}


def _export(ws: Workspace, case_id: int, out_dir: Path) -> tuple[str, dict[str, Any]]:
    pkg = out_dir / "evidence-package.zip"
    export_case(ws, case_id, pkg, include_derived=True)
    result = verify_package(pkg)
    if not result.ok:
        raise ProblemFound("示例证据包校验失败", f"demo package failed verification: {result.problems}")
    return f"{pkg}（校验通过 verified, {result.files_checked} files）", {
        "package": str(pkg),
        "merkle_root": result.merkle_root,
    }
