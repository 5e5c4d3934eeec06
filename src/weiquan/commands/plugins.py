"""``weiquan plugins``: list loaded plug-ins."""

from __future__ import annotations

from typing import Annotated

import typer

from weiquan.commands._common import JsonOpt, console, print_json, print_table
from weiquan.errors import EXIT_PROBLEM
from weiquan.plugins import list_plugins, plugin_errors


def register(app: typer.Typer) -> None:
    app.command("plugins")(plugins)


def plugins(json_: Annotated[bool, JsonOpt] = False) -> None:
    """列出已加载的插件（含内置插件）。List loaded plug-ins, built-ins included; exit 1 if one failed to load."""
    items = list_plugins()
    errors = plugin_errors()
    if json_:
        print_json({"plugins": items, "errors": errors})
    else:
        print_table(
            "插件 Plug-ins",
            ["名称 name", "模块 module", "钩子 hooks"],
            [(p["name"], p["module"], p["hooks"]) for p in items],
        )
        for name, err in errors.items():
            console().print(f"加载失败 FAILED {name}: {err}")
    if errors:
        raise typer.Exit(EXIT_PROBLEM)
