"""``weiquan demo``: build the SAMPLE case and run the whole chain on it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from weiquan.commands._common import JsonOpt, console, print_json
from weiquan.config import load_settings
from weiquan.errors import EXIT_PROBLEM
from weiquan.services.demo import run_demo
from weiquan.web import create_app
from weiquan.web.config import check_port_free
from weiquan.workspace import Workspace


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option("--home", help="演示数据目录 Demo data home (default ./weiquan-demo/home, or the global --home)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="输出目录 Output folder (default ./weiquan-demo/out).")
    ] = None,
    serve: Annotated[bool, typer.Option("--serve", help="完成后启动网页界面 Serve the web UI afterwards.")] = False,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="网页端口 Web UI port.")] = 8000,
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """用内置示例数据（合成，标明“示例”）跑通全流程。Run the whole chain on the bundled synthetic SAMPLE case."""

    root_home = (ctx.find_root().obj or {}).get("home")
    base = Path("weiquan-demo")
    home = home or root_home or base / "home"
    out = out or base / "out"
    c = console()
    if serve:  # before the few minutes of the demo: a busy port is known now
        check_port_free("127.0.0.1", port)
    with Workspace(load_settings(home)) as ws:
        result = run_demo(ws, out, log=(lambda m: None) if json_ else c.print)
        if json_:
            print_json(
                {
                    "ok": result.ok,
                    "case_id": result.case_id,
                    "home": str(ws.home),
                    "out": str(result.out_dir),
                    "steps": [{"name": s.name, "ok": s.ok, "detail": s.detail, **s.data} for s in result.steps],
                }
            )
        else:
            c.print(
                f"\n示例案件 SAMPLE case {result.case_id}；数据目录 home: {ws.home}；输出 outputs: {result.out_dir}"
            )
            c.print("以上均为合成的示例数据（SAMPLE），不涉及真实个人。All data above is synthetic sample data.")
        if not result.ok:
            raise typer.Exit(EXIT_PROBLEM)
        if serve:
            import uvicorn

            c.print(
                f"网页界面 Web UI: http://127.0.0.1:{port}/  （示例案件 {result.case_id}；按 Ctrl+C 停止 / Ctrl+C to stop）"
            )
            uvicorn.run(create_app(ws), host="127.0.0.1", port=port, log_level="warning", access_log=False)
        else:
            c.print(f"打开网页查看示例案件 To browse it: weiquan --home {ws.home} serve")
