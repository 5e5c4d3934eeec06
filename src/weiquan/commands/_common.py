"""Helpers shared by command modules: opening the workspace, printing JSON and tables."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from weiquan.config import load_settings
from weiquan.workspace import Workspace
from weiquan.zh.steps import step_of, with_step

JsonOpt = typer.Option("--json", help="输出 JSON Print JSON.")


# the command that does each app step (weiquan.zh.steps): the CLI's way of naming what a note asks for
STEP_COMMANDS = {
    "analyze": "weiquan analyze",
    "review": "weiquan review",
    "loan": "weiquan loan check",
    "lender": "weiquan lender check",
    "lpr_update": "weiquan law lpr --update 文件.csv",
    "extract_resume": "weiquan extract --resume",
    "vault_verify": "weiquan vault verify",
    "column_map": "weiquan import 文件 --map 列名=字段",
    "bulk_columns": "weiquan bulk run 文件 --map text=列名",
    "bulk_resume": "weiquan bulk run 文件 --out 目录",
}


def step_command(step: str | None) -> str:
    """The command that does ``step``, in brackets ("（weiquan vault verify）"); "" for no step."""
    return f"（{STEP_COMMANDS[step]}）" if step in STEP_COMMANDS else ""


def note_text(note: object) -> str:
    """A note as the CLI prints it: its words, then the command that does the step it asks for."""
    return with_step(note, step_command(step_of(note)))


def workspace(ctx: typer.Context) -> Workspace:
    root = ctx.find_root()
    obj = root.obj or {}
    ws = obj.get("_ws")
    if ws is None:
        ws = Workspace(load_settings(obj.get("home")))
        obj["_ws"] = ws
        root.obj = obj
        root.call_on_close(ws.close)
    return ws


def data_home(ctx: typer.Context) -> Path:
    """The data home of this run: ``--home``, else the configured one (``WEIQUAN_HOME``, then the platform's
    default). Commands that read only the law pack use it without opening the database."""
    root = ctx.find_root()
    obj = root.obj or {}
    ws = obj.get("_ws")
    return ws.home if ws is not None else load_settings(obj.get("home")).home


def to_jsonable(data: Any) -> Any:
    """Plain JSON values; a float that is not finite becomes null (JSON has no NaN or Infinity)."""
    if isinstance(data, BaseModel):
        return to_jsonable(data.model_dump(mode="json"))
    if isinstance(data, (list, tuple)):
        return [to_jsonable(x) for x in data]
    if isinstance(data, dict):
        return {k: to_jsonable(v) for k, v in data.items()}
    if isinstance(data, float) and not math.isfinite(data):
        return None
    return data


def print_json(data: Any) -> None:
    typer.echo(json.dumps(to_jsonable(data), ensure_ascii=False, indent=2, default=str, allow_nan=False))


def console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def print_table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    t = Table(title=title, show_lines=False)
    for c in columns:
        t.add_column(c)
    for r in rows:
        t.add_row(*["" if v is None else str(v) for v in r])
    console().print(t)
