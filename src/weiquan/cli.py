"""The ``weiquan`` command line: a thin layer over ``weiquan.services``.

Global options come before the command: ``weiquan --home DIR case list``.
Exit codes: 0 ok, 1 a problem was found, 2 usage or input error. Errors are
printed in Chinese and English without a traceback unless ``--debug``.
"""

from __future__ import annotations

import logging
from pathlib import Path
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from weiquan import __version__
from weiquan.commands import register_all
from weiquan.commands._common import note_text
from weiquan.errors import EXIT_PROBLEM, EXIT_USAGE, WeiquanError
from weiquan.plugins import plugin_manager


class _Group(TyperGroup):
    """Root group: turns WeiquanError and unexpected errors into bilingual messages and exit codes."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WeiquanError as e:
            if _debug(ctx):
                raise
            typer.echo(f"错误：{note_text(e.zh)}\nError: {e.en}", err=True)
            raise typer.Exit(e.exit_code) from None
        except (typer.Exit, typer.Abort, TyperException):
            raise
        except KeyboardInterrupt:
            typer.echo("已中断 / interrupted", err=True)
            raise typer.Exit(130) from None
        except Exception as e:  # noqa: BLE001 - last-resort message for the user
            if _debug(ctx):
                raise
            typer.echo(
                f"内部错误：{type(e).__name__}。请加 --debug 重新运行以查看详情。\n"
                f"Internal error: {type(e).__name__}: {e}. Re-run with --debug for the traceback.",
                err=True,
            )
            raise typer.Exit(EXIT_PROBLEM) from None


def _debug(ctx: typer.Context) -> bool:
    root = ctx.find_root()
    return bool(root.obj and root.obj.get("debug"))


app = typer.Typer(
    name="weiquan",
    cls=_Group,
    help="催收维权助手 weiquan — 证据保全、违规识别、依法维权。Evidence, detection and lawful action against abusive debt collection.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"weiquan {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option("--home", help="数据目录 Data directory (overrides WEIQUAN_HOME).", show_default=False),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="出错时显示完整回溯 Show tracebacks on errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本 Show the version.")
    ] = False,
) -> None:
    """催收维权助手 weiquan."""
    ctx.obj = {"home": home, "debug": debug}
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


def _register_commands() -> None:
    register_all(app)
    plugin_manager().hook.register_commands(app=app)


_register_commands()


def main(argv: list[str] | None = None) -> None:
    try:
        app(args=argv, prog_name="weiquan")
    except SystemExit as e:
        code = e.code
        if isinstance(code, int) and code == 2:
            sys.exit(EXIT_USAGE)
        raise
