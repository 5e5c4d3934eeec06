"""``weiquan extract``: run queued OCR / speech-to-text jobs with a progress bar."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from weiquan.commands._common import JsonOpt, console, note_text, print_json, print_table, workspace
from weiquan.errors import EXIT_PROBLEM, InputError
from weiquan.services import extraction
from weiquan.workspace import Workspace


def register(app: typer.Typer) -> None:
    app.command("extract")(extract)


def extract(
    ctx: typer.Context,
    case: Annotated[
        int | None, typer.Option("--case", help="案件 ID（不填则处理所有案件）Case id (default: all cases).")
    ] = None,
    only: Annotated[
        str | None, typer.Option("--only", help="只运行 ocr（截图识别）或 asr（录音转写）Only ocr or asr.")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="并行进程数（默认 CPU 核数）Parallel workers (default: CPU cores)."),
    ] = None,
    queue_all: Annotated[
        bool, typer.Option("--queue-all", help="先为案件中所有图片/录音排队 Queue every image/audio of the case first.")
    ] = False,
    retry_failed: Annotated[bool, typer.Option("--retry-failed", help="重试失败的任务 Retry failed jobs.")] = False,
    status: Annotated[
        bool, typer.Option("--status", help="只列出任务状态，不运行 List jobs without running them.")
    ] = False,
    pause: Annotated[
        bool, typer.Option("--pause", help="暂停案件的识别任务（正在运行的会在当前文件后停下）Pause the case's jobs.")
    ] = False,
    resume: Annotated[
        bool, typer.Option("--resume", help="继续已暂停的任务并运行 Resume paused jobs and run them.")
    ] = False,
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """识别截图文字、转写通话录音，生成时间线事件（可中断，重新运行会继续）。Run pending OCR/ASR jobs (resumable)."""
    ws = workspace(ctx)
    if only is not None and only not in ("ocr", "asr"):
        raise InputError(f"--only 只能是 ocr 或 asr：{only}", f"--only must be ocr or asr: {only}")
    if status:
        jobs = extraction.list_jobs(ws, case_id=case)
        if json_:
            print_json(jobs)
        else:
            print_table(
                "提取任务 Extraction jobs",
                ["ID", "类型 kind", "证据 evidence", "案件 case", "状态 status", "次数 attempts", "错误 error"],
                [(j.id, j.kind, j.evidence_id, j.case_id, j.status, j.attempts, j.error) for j in jobs],
            )
        return
    if pause or resume:
        if case is None:
            raise InputError("--pause/--resume 需要 --case", "--pause/--resume need --case")
        if pause:
            n = extraction.pause_jobs(ws, case)
            if json_:
                print_json({"paused": n})
            else:
                console().print(f"已暂停 {n} 个任务；用 weiquan extract --case {case} --resume 继续。 Paused {n} jobs.")
            return
        n = extraction.resume_jobs(ws, case)
        if not json_:
            console().print(f"继续 {n} 个已暂停的任务。 Resumed {n} jobs.")
    if queue_all:
        if case is None:
            raise InputError("--queue-all 需要 --case", "--queue-all needs --case")
        extraction.queue_case(ws, case, only=only)
    if json_:
        summary = extraction.run_jobs(ws, case_id=case, only=only, workers=workers, retry_failed=retry_failed)
        print_json(summary)
    else:
        summary = run_with_progress(ws, case_id=case, only=only, workers=workers, retry_failed=retry_failed)
    if summary.failed:
        raise typer.Exit(EXIT_PROBLEM)


def run_with_progress(
    ws: Workspace,
    *,
    case_id: int | None,
    only: str | None = None,
    workers: int | None = None,
    retry_failed: bool = False,
) -> extraction.RunSummary:
    """Run pending jobs with a progress bar (items, elapsed, ETA) and print the summary and errors."""
    with Progress(
        TextColumn("提取"),
        BarColumn(bar_width=24),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TextColumn("{task.description}"),
        console=console(),
        transient=False,
    ) as bar:
        task = bar.add_task("", total=None)

        def on_progress(ev: extraction.ProgressEvent) -> None:
            mark = "✓" if ev.status == "done" else "✗"
            bar.update(task, total=ev.total, completed=ev.done, description=f"{mark} {ev.name or ev.job_id}")
            bar.console.print(
                f"  {mark} [{ev.done}/{ev.total}] {ev.name or f'job {ev.job_id}'}", markup=False, highlight=False
            )

        summary = extraction.run_jobs(
            ws, case_id=case_id, only=only, workers=workers, progress=on_progress, retry_failed=retry_failed
        )
    c = console()
    c.print(note_text(summary.note_zh))
    for err in summary.errors:
        c.print(f"  ✗ {err.name or err.evidence_id}（任务 job {err.job_id}）：{err.error}")
    if summary.total == 0:
        c.print("没有待处理的任务。导入截图或录音后会自动排队；或用 --queue-all。 No pending jobs.")
    return summary
