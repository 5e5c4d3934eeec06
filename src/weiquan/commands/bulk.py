"""``weiquan bulk run INPUT... --out DIR`` and ``weiquan bulk report DIR``: corpus analytics on Dask."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
import typer

from weiquan.commands._common import JsonOpt, console, print_json
from weiquan.services import bulk as svc


def register(app: typer.Typer) -> None:
    bulk_app = typer.Typer(
        help="批量分析投诉语料（按放贷方、类别、月份统计），在 Dask 集群上运行。Bulk corpus analytics on Dask.",
        no_args_is_help=True,
    )
    bulk_app.command("run")(run)
    bulk_app.command("report")(report)
    app.add_typer(bulk_app, name="bulk")


def _home(ctx: typer.Context) -> Path | None:
    return (ctx.find_root().obj or {}).get("home")


def run(
    ctx: typer.Context,
    inputs: Annotated[
        list[Path],
        typer.Argument(help="输入文件：JSONL、CSV/TSV（UTF-8 或 GB18030）或 Parquet。Input files.", show_default=False),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="输出目录（再次运行同一命令可续跑）。Output directory; re-run to resume.",
            show_default=False,
        ),
    ],
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="指定列：字段=列名或列号，字段为 text|company|date|amount|id，如 --map text=投诉内容。Column mapping.",
            show_default=False,
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="已有 Dask 集群的调度器地址，如 tcp://10.0.0.5:8786（默认在本机启动 LocalCluster）。Existing scheduler address.",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", "-w", help="本机 worker 进程数（默认为 CPU 核数）。Local worker processes.", show_default=False
        ),
    ] = None,
    partition_rows: Annotated[
        int | None,
        typer.Option(
            "--partition-rows", help="每个分区的记录数（默认 20000）。Records per partition.", show_default=False
        ),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="同时把汇总写入数据库（SQLAlchemy 地址，如 postgresql+psycopg://user@host/db）。Load aggregates into a database.",
            show_default=False,
        ),
    ] = None,
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """逐条识别违规催收行为和放贷方，输出 Parquet、汇总和报告。Classify a complaint corpus."""

    quiet = json_ or not console().is_terminal
    bar = Progress(
        TextColumn("分区"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[speed]}"),
        TimeElapsedColumn(),
        console=console(),
        disable=quiet,
        transient=False,
    )
    task = bar.add_task("bulk", total=None, speed="")
    last = [0.0]

    def progress(p: Any) -> None:
        speed = f"{p.texts_per_second:,.0f} 条/秒" + (f"，跳过已完成 {p.skipped}" if p.skipped else "")
        bar.update(task, total=p.total, completed=p.done, speed=speed)
        if quiet and not json_ and (p.done == p.total or p.elapsed - last[0] >= 10):
            last[0] = p.elapsed
            typer.echo(f"分区 {p.done}/{p.total}，{p.texts_per_second:,.0f} 条/秒", err=True)

    with bar:
        result = svc.run_bulk(
            inputs,
            out,
            home=_home(ctx),
            mapping=mapping,
            scheduler=scheduler,
            workers=workers,
            partition_rows=partition_rows,
            db_url=db,
            progress=progress,
        )
    if json_:
        print_json(result)
        return
    c = console()
    c.print(
        f"完成：{result['texts']:,} 条投诉，{result['partitions']} 个分区（跳过已完成 {result['skipped']} 个），"
        f"{result['workers']} 个 worker，用时 {result['seconds']} 秒（{result['texts_per_second']:,.0f} 条/秒）。"
    )
    c.print(
        f"含违规行为 {result['unlawful']:,} 条；放贷方 {result['lenders']} 个；无法处理的记录 {result['rejects']:,} 条"
        + ("（见 rejects.jsonl）" if result["rejects"] else "")
        + "。"
    )
    c.print(f"结果：{result['out']}/texts/，aggregates.parquet，lender_months.parquet；报告：{result['report']}")
    if result["db_rows"] is not None:
        c.print(f"已写入数据库 {result['db_rows']:,} 行汇总。")


def report(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help="weiquan bulk run 的输出目录。A bulk run directory.", show_default=False)],
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """根据已完成的批量分析重新生成 report.html。Rebuild report.html of a finished run."""
    path = svc.build_report(out, home=_home(ctx))
    if json_:
        print_json({"report": str(path)})
    else:
        console().print(f"报告已生成：{path}")
