"""``weiquan import``, ``weiquan timeline`` and ``weiquan add-event``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
import typer

from weiquan.commands._common import JsonOpt, console, print_json, print_table, step_command, workspace
from weiquan.commands.extract import run_with_progress
from weiquan.errors import EXIT_PROBLEM, InputError
from weiquan.ingest.numbers import display_number
from weiquan.services import imports, timeline
from weiquan.services.extraction import run_jobs
from weiquan.workspace import Workspace
from weiquan.zh.labels import (
    CHANNEL_ZH,
    CHANNELS,
    DIRECTIONS,
    IMPORT_STATUS_ZH,
    RECIPIENT_ZH,
    RECIPIENTS,
    direction_label,
)

CaseOpt = typer.Option("--case", "-c", help="案件 ID Case id.")


def register(app: typer.Typer) -> None:
    app.command("import")(import_cmd)
    app.command("timeline")(timeline_cmd)
    app.command("add-event")(add_event_cmd)


def import_cmd(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(help="文件或目录（可多个；目录递归；zip 与 iPhone 备份会安全展开） Files or folders."),
    ],
    case_id: Annotated[int, CaseOpt],
    tz: Annotated[
        str | None, typer.Option("--tz", help="来源时区，默认为案件时区 Source time zone (default: the case's).")
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="表格列映射 列名=字段（time number name text type duration channel），可重复 CSV/XLSX column mapping, repeatable.",
        ),
    ] = None,
    extract: Annotated[
        bool,
        typer.Option(
            "--extract",
            help="导入后立即识别截图、转写录音 Run OCR/ASR on the imported screenshots and recordings right away.",
        ),
    ] = False,
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """导入手机导出文件、录音、截图（先存证据库，再按内容识别格式并导入时间线）。Import phone exports, recordings and screenshots."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:  # a usage error (exit 2), before anything is imported
        raise InputError(f"找不到文件或文件夹：{'、'.join(missing)}", f"no such file or folder: {', '.join(missing)}")
    ws = workspace(ctx)
    mapping = imports.parse_mapping(map_ or [])
    results = _import_with_progress(ws, case_id, paths, tz=tz, mapping=mapping, quiet=json_)
    summary = None
    if extract:
        summary = run_jobs(ws, case_id=case_id) if json_ else None
    if json_:
        print_json({"files": results, "extraction": summary} if extract else results)
    else:
        rows = []
        for r in results:
            rows.append(
                (
                    r.name,
                    r.format or "-",
                    f"{IMPORT_STATUS_ZH.get(r.status, r.status)} {r.status}",
                    r.added,
                    r.merged,
                    r.rejected or "",
                )
            )
        print_table(
            "导入结果 Import results",
            ["文件 file", "格式 format", "状态 status", "新增 added", "合并 merged", "跳过 skipped"],
            rows,
        )
        c = console()
        for r in results:
            if r.error:
                zh, sep, en = r.error.partition(" / ")
                c.print(f"错误 {r.name}: {zh}{step_command(r.error_step)}{sep}{en}")
            for w in r.warnings[:10]:
                c.print(f"  提示 {r.name}: {w}")
        total_added = sum(r.added for r in results)
        c.print(
            f"共 {len(results)} 个文件，新增 {total_added} 条事件。 {len(results)} files, {total_added} new events."
        )
        if extract:
            summary = run_with_progress(ws, case_id=case_id)
    if any(r.failed for r in results) or (summary is not None and summary.failed):
        raise typer.Exit(EXIT_PROBLEM)


def _import_with_progress(
    ws: Workspace, case_id: int, paths: list[Path], *, tz: str | None, mapping: dict[str, str], quiet: bool
) -> list[imports.FileResult]:
    """Import, showing on a terminal a live line (files done, elapsed time, the last file and its status)."""
    con = console()
    if quiet or not con.is_terminal:
        return imports.import_paths(ws, case_id, paths, tz=tz, mapping=mapping)

    with Progress(
        SpinnerColumn(),
        TextColumn("导入 importing"),
        TextColumn("{task.completed} 个文件 files"),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=con,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=None)

        def on_file(r: imports.FileResult) -> None:
            bar.update(task, advance=1, description=f"{r.name} {IMPORT_STATUS_ZH.get(r.status, r.status)}")

        return imports.import_paths(ws, case_id, paths, tz=tz, mapping=mapping, progress=on_file)


def timeline_cmd(
    ctx: typer.Context,
    case_id: Annotated[int, CaseOpt],
    channel: Annotated[str | None, typer.Option("--channel", help=f"渠道 Channel: {', '.join(CHANNELS)}.")] = None,
    number: Annotated[str | None, typer.Option("--number", help="对方号码 Counterpart number.")] = None,
    since: Annotated[str | None, typer.Option("--since", help="起始日期/时间 From (e.g. 2024-03-01).")] = None,
    until: Annotated[str | None, typer.Option("--until", help="截止日期/时间（含当天） Until (inclusive day).")] = None,
    q: Annotated[str | None, typer.Option("--q", help="内容包含 Text contains.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="最多条数 Max events.")] = None,
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """按时间顺序显示案件的全部联系记录。Show the case's merged timeline."""
    events = timeline.list_events(
        workspace(ctx), case_id, channel=channel, number=number, since=since, until=until, q=q, limit=limit
    )
    if json_:
        print_json(events)
        return
    if not events:
        console().print("没有事件。先用 `weiquan import` 导入文件。 No events.")
        return

    def when(e: timeline.EventOut) -> str:  # the event's own zone (the case's unless given at import)
        if e.date_unconfirmed:
            return f"日期待确认 {e.wallclock_text or ''}".strip()
        return e.start.strftime("%Y-%m-%d %H:%M:%S")

    print_table(
        f"案件 {case_id} 时间线 Timeline ({len(events)})",
        ["ID", "时间 time", "渠道", "方向", "号码 number", "时长（秒）", "内容 text", "来源 sources"],
        [
            (
                e.id,
                when(e),
                CHANNEL_ZH.get(e.channel, e.channel),
                direction_label(e.channel, e.direction) or e.direction,
                display_number(e.counterpart or e.counterpart_raw)
                + (
                    ""
                    if e.recipient == "borrower"
                    else f" →{e.recipient_name or RECIPIENT_ZH.get(e.recipient, e.recipient)}"
                ),
                "" if e.duration_s is None else int(e.duration_s),
                ((e.signature and f"【{e.signature}】") or "") + (e.text or "")[:60].replace("\n", " ")
                if e.text
                else "",
                len(e.evidence),
            )
            for e in events
        ],
    )


def add_event_cmd(
    ctx: typer.Context,
    case_id: Annotated[int, CaseOpt],
    channel: Annotated[str, typer.Option("--channel", help=f"渠道 Channel: {'|'.join(CHANNELS)}.")],
    time: Annotated[str, typer.Option("--time", help="时间（当地时间）Local time, e.g. '2024-03-01 22:15'.")],
    number: Annotated[str | None, typer.Option("--number", help="对方号码 Counterpart number.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="对方自称/姓名 Counterpart name.")] = None,
    text: Annotated[str | None, typer.Option("--text", help="内容或经过 What was said or happened.")] = None,
    to: Annotated[
        str, typer.Option("--to", help=f"被联系的人 Who was contacted: {'|'.join(RECIPIENTS)}.")
    ] = "borrower",
    to_name: Annotated[str | None, typer.Option("--to-name", help="被联系人姓名/关系 e.g. 母亲.")] = None,
    direction: Annotated[
        str, typer.Option("--direction", help=f"方向 Direction: {'|'.join(DIRECTIONS)}.")
    ] = "incoming",
    duration: Annotated[float | None, typer.Option("--duration", help="通话时长（秒） Call duration, seconds.")] = None,
    tz: Annotated[str | None, typer.Option("--tz", help="时区 Time zone (default: the case's).")] = None,
    note: Annotated[str | None, typer.Option("--note", help="备注 Note.")] = None,
    witnesses: Annotated[str | None, typer.Option("--witnesses", help="在场证人 Witnesses present.")] = None,
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """手动记录没有文件的事件（上门、打给家人的电话等）。Add an event that has no file (a visit, a call to a relative)."""
    ev = timeline.add_manual_event(
        workspace(ctx),
        case_id,
        channel=channel,
        time=time,
        number=number,
        name=name,
        text=text,
        direction=direction,
        recipient=to,
        recipient_name=to_name,
        duration_s=duration,
        tz=tz,
        note=note,
        witnesses=witnesses,
    )
    if json_:
        print_json(ev)
    else:
        console().print(f"已添加事件 Added event {ev.id}: {ev.start:%Y-%m-%d %H:%M} {ev.channel} → {ev.recipient}")
