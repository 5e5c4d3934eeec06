"""``weiquan init`` and ``weiquan case …``."""

from __future__ import annotations

from typing import Annotated

import typer

from weiquan.commands._common import JsonOpt, console, print_json, print_table, workspace
from weiquan.errors import InputError
from weiquan.law.schema import LICENCE_TYPES
from weiquan.services import cases


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    case_app = typer.Typer(help="管理案件 Manage cases.", no_args_is_help=True)
    case_app.command("new")(case_new)
    case_app.command("list")(case_list)
    case_app.command("show")(case_show)
    case_app.command("delete")(case_delete)
    app.add_typer(case_app, name="case")


def init(ctx: typer.Context, json_: Annotated[bool, JsonOpt] = False) -> None:
    """初始化数据目录和数据库（迁移到最新结构）。Create the data home and migrate the database."""
    ws = workspace(ctx)
    info = {
        "home": str(ws.home),
        "database": ws.db.engine.url.render_as_string(hide_password=True),
        "vault": str(ws.settings.vault_dir),
    }
    if json_:
        print_json(info)
    else:
        console().print(
            f"已初始化 Initialised: {info['home']}\n数据库 database: {info['database']}\n证据库 vault: {info['vault']}"
        )


def case_new(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="案件名称 Case name.")],
    lender: Annotated[str | None, typer.Option("--lender", help="放贷机构/平台名称 Lender or app name.")] = None,
    borrower: Annotated[str | None, typer.Option("--borrower", help="借款人姓名 Borrower's name.")] = None,
    tz: Annotated[str | None, typer.Option("--tz", help="来源时区 Source time zone (default Asia/Shanghai).")] = None,
    licence: Annotated[
        str | None,
        typer.Option(
            "--licence",
            help="牌照类型（名录中没有该机构时填写）bank | consumer_finance | small_loan | unlicensed | private. "
            "Licence type when the registry does not know the lender.",
        ),
    ] = None,
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """新建案件；--lender 与机构名录完全匹配时自动填入主体和牌照类型。Create a case (licence filled from the registry)."""

    if licence is not None and licence not in LICENCE_TYPES:
        raise InputError(
            f"牌照类型必须是 {' | '.join(LICENCE_TYPES)} 之一", f"--licence must be one of {', '.join(LICENCE_TYPES)}"
        )
    ws = workspace(ctx)
    out = cases.create_case(ws, name, lender=lender, borrower_name=borrower, timezone=tz)
    if licence is not None and licence != out.licence_type:
        out = cases.update_case(ws, out.id, licence_type=licence)
    if json_:
        print_json(out)
    else:
        console().print(
            f"已创建案件 Created case {out.id}: {out.name}"
            + (
                f"（名录：{out.lender_entity or out.lender_name}，牌照 licence: {out.licence_type}）"
                if out.licence_type
                else (
                    "（机构名录中没有完全匹配的名称，牌照类型未确定；可用 `weiquan lender check 名称` 查询，"
                    "或用 `weiquan loan add --case ID 借款.json` 加入借款）"
                    if lender
                    else ""
                )
            )
        )


def case_list(ctx: typer.Context, json_: Annotated[bool, JsonOpt] = False) -> None:
    """列出案件。List cases."""
    items = cases.list_cases(workspace(ctx))
    if json_:
        print_json(items)
        return
    if not items:
        console().print("还没有案件。用 `weiquan case new --name 名称` 新建。 No cases yet.")
        return
    print_table(
        "案件 Cases",
        ["ID", "名称 name", "机构 lender", "事件 events", "违规 findings", "状态 status"],
        [
            (
                c.id,
                c.name + (" [示例]" if c.is_sample else ""),
                c.lender_name,
                c.counts.get("events"),
                c.counts.get("findings"),
                c.status,
            )
            for c in items
        ],
    )


def case_show(
    ctx: typer.Context,
    case_id: Annotated[int, typer.Argument(help="案件 ID Case id.")],
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """显示案件详情。Show one case."""
    c = cases.get_case(workspace(ctx), case_id)
    if json_:
        print_json(c)
        return
    print_table(
        f"案件 {c.id}",
        ["字段 field", "值 value"],
        [
            ("名称 name", c.name),
            ("机构 lender", c.lender_name),
            ("主体 entity", c.lender_entity),
            ("牌照 licence", c.licence_type),
            ("时区 tz", c.timezone),
            ("状态 status", c.status),
            ("示例 sample", "是" if c.is_sample else "否"),
            ("创建 created", c.created_at.isoformat()),
        ]
        + [(k, v) for k, v in c.counts.items()],
    )


def case_delete(
    ctx: typer.Context,
    case_id: Annotated[int, typer.Argument(help="案件 ID Case id.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="不再确认 Do not ask for confirmation.")] = False,
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """删除案件记录（原始文件和账本保留，删除操作记入账本）。Delete a case; originals and the ledger are kept."""
    ws = workspace(ctx)
    c = cases.get_case(ws, case_id)
    if not yes:
        typer.confirm(f"确定删除案件 {c.id}「{c.name}」吗？Delete case {c.id}?", abort=True)
    out = cases.delete_case(ws, case_id)
    if json_:
        print_json(out)
    else:
        console().print(f"已删除案件 Deleted case {case_id}（账本已记录 recorded in the ledger）")
