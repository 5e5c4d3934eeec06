"""``weiquan plan``, ``weiquan draft``, ``weiquan actions`` and ``weiquan action add|update``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from weiquan.commands._common import JsonOpt, console, note_text, print_json, print_table, workspace
from weiquan.errors import InputError
from weiquan.services.actions import add_action, list_actions, refuse_future, update_action
from weiquan.services.documents import draft_all, draft_document
from weiquan.services.plan import build_plan
from weiquan.zh.labels import ACTION_STATUSES

CaseOpt = typer.Option("--case", help="案件 ID Case id.")
StatusOpt = typer.Option("--status", help=f"状态 Status: {'|'.join(ACTION_STATUSES)}.")
RefOpt = typer.Option("--ref", help="受理/投诉编号 Reference number.")


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)
    app.command("draft")(draft)
    app.command("actions")(actions)
    action_app = typer.Typer(
        help="记录投诉、举报等行动及其期限。Record complaints/reports and their deadlines.", no_args_is_help=True
    )
    action_app.command("add")(action_add)
    action_app.command("update")(action_update)
    app.add_typer(action_app, name="action")


def _parse_when(value: str | None) -> dt.datetime | dt.date | None:
    if value is None:
        return None
    v = value.strip()
    try:
        return dt.date.fromisoformat(v) if len(v) == 10 else dt.datetime.fromisoformat(v)
    except ValueError as e:
        raise InputError(
            f"无法识别的日期时间：{value}（格式如 2026-09-28 或 2026-09-28T10:30）",
            f"cannot parse date/time {value!r} (e.g. 2026-09-28 or 2026-09-28T10:30)",
        ) from e


_BASIS_ZH = {"case": "案件资料", "registry": "持牌机构名录", "loan": "借款记录", "pattern": "名称特征"}


def plan(
    ctx: typer.Context,
    case_id: Annotated[int, CaseOpt],
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """生成维权步骤计划（向谁、为什么、带什么、怎么提交、期限）。Build the ordered escalation plan."""

    p = build_plan(workspace(ctx), case_id)
    if json_:
        print_json(p.as_dict())
        return
    c = console()
    lender = p.lender
    c.print(
        f"[bold]放贷方 Lender[/bold]：{lender.entity or lender.name or '未填写'}　牌照 licence：{lender.licence_zh}"
        + (f"（依据：{_BASIS_ZH[lender.basis]}）" if lender.basis in _BASIS_ZH else "（资质未查明）")
    )
    for n in p.notes_zh:
        c.print(f"[yellow]提示[/yellow]：{note_text(n)}")
    for d in p.deadlines:  # 诉讼时效 and the 治安 six-month limit (issue 16 item 4)
        c.print(
            f"[bold]期限 deadline[/bold]：{d['name_zh']} {d['date'].isoformat()}{'（已过 passed）' if d['passed'] else ''}："
            f"{d['note_zh']}"
        )
    for s in p.steps:
        flag = "[red]【紧急】[/red]" if s.urgent else ""
        c.print(f"\n[bold]{s.order}. {s.name_zh}[/bold] {flag}")
        if s.why_zh:
            c.print("   理由：" + "；".join(s.why_zh))
        c.print(f"   职责：{s.competence_zh}")
        if s.how:
            c.print("   提交：" + "；".join(f"{k} {v}" for k, v in s.how.items()))
        if s.prerequisite_zh:
            c.print(f"   前提：{s.prerequisite_zh}")
        c.print("   准备：" + "、".join(s.attach))
        if s.deadline_zh:
            c.print(f"   期限：{s.deadline_zh}")
        c.print(f"   逾期：{s.if_lapsed_zh}")
        for w in s.warnings_zh:
            c.print(f"   [red]注意[/red]：{w}")
        if s.documents:
            c.print("   文书：" + " ".join(f"weiquan draft --case {p.case_id} --doc {d}" for d in s.documents))
        if s.taken:
            c.print(f"   已办：行动 {s.taken['action_id']} 状态 {s.taken['status']} 截止 {s.taken['due_at'] or '-'}")
    if p.loans:
        c.print(
            "\n借款核查：" + "；".join(f"{ln['lender'] or ''} {ln.get('verdict_zh') or '未核查'}" for ln in p.loans)
        )


def draft(
    ctx: typer.Context,
    case_id: Annotated[int, CaseOpt],
    doc: Annotated[
        str,
        typer.Option(
            "--doc", help="文书 Document: lender|regulator|12321|police|lawsuit|injunction|catalogue|contacts|all."
        ),
    ] = "all",
    fmt: Annotated[str, typer.Option("--format", help="格式 Format: docx|pdf|both.")] = "both",
    out: Annotated[
        Path | None,
        typer.Option("--out", help="输出目录 Output directory (default: data home/outputs/case-ID/documents)."),
    ] = None,
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """起草投诉、举报、报案、起诉等文书（DOCX 可编辑，PDF 可打印）。Draft documents as DOCX and/or PDF."""

    ws = workspace(ctx)
    if doc == "all":
        files = draft_all(ws, case_id, formats=fmt, out_dir=out)
    else:
        files = {doc: draft_document(ws, case_id, doc, formats=fmt, out_dir=out)}
    if json_:
        print_json({k: [str(p) for p in v] for k, v in files.items()})
        return
    for k, paths in files.items():
        for p in paths:
            console().print(f"{k}: {p}")
    console().print(
        "请核对每份文书，补全黄色标注的【请填写】内容后，由您本人签名提交。"
        " Review each document, complete the highlighted fields, then sign and submit it yourself."
    )


def actions(
    ctx: typer.Context,
    case_id: Annotated[int, CaseOpt],
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """列出行动及期限（到期、逾期）。List actions with due dates and overdue status."""

    ws = workspace(ctx)
    items = list_actions(ws, case_id)
    if json_:
        print_json(items)
        return
    if not items:
        console().print(
            f"还没有行动记录。提交投诉后用 `weiquan action add --case {case_id} --body lender --submitted 日期` 记录。 No actions yet."
        )
    else:
        print_table(
            f"案件 {case_id} 的行动 Actions",
            ["ID", "渠道 body", "状态 status", "提交 submitted", "编号 ref", "截止 due", "剩余 days left"],
            [
                (
                    a.id,
                    a.body_zh,
                    ("[red]已逾期[/red]" if a.overdue else a.status_zh),
                    a.submitted_at.date().isoformat() if a.submitted_at else "",
                    a.reference_no,
                    (a.due_at.isoformat() + ("（估算）" if a.due_estimated else "")) if a.due_at else "",
                    a.days_left,
                )
                for a in items
            ],
        )
    # the case's own deadlines (诉讼时效, the 6-month 治安 limit), as on the plan (issue 16 item 4)
    plan = build_plan(ws, case_id)
    if plan.deadlines:
        print_table(
            f"案件 {case_id} 的期限 Deadlines",
            ["期限 deadline", "日期 date", "依据 basis"],
            [
                (d["name_zh"], d["date"].isoformat() + ("（已过 passed）" if d["passed"] else ""), d["basis_zh"])
                for d in plan.deadlines
            ],
        )
        for d in plan.deadlines:
            if d.get("warning_zh") and (d["passed"] or d["id"] == "limitation"):
                console().print(f"注意 {d['warning_zh']}")


def action_add(
    ctx: typer.Context,
    case_id: Annotated[int, CaseOpt],
    body: Annotated[
        str, typer.Option("--body", help="渠道 Channel id (lender, nfra, local_regulator, isc_12321, police, court …).")
    ],
    submitted: Annotated[
        str | None,
        typer.Option("--submitted", help="提交时间 Submitted at (2026-09-28 or 2026-09-28T10:30, case time zone)."),
    ] = None,
    ref: Annotated[str | None, RefOpt] = None,
    document: Annotated[str | None, typer.Option("--document", help="所用文书 Document id used.")] = None,
    status: Annotated[str | None, StatusOpt] = None,
    note: Annotated[str | None, typer.Option("--note", help="备注 Note.")] = None,
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """记录一项行动；有提交时间时按渠道规则计算截止日。Record an action; the due date follows the channel's rule."""

    a = add_action(
        workspace(ctx),
        case_id,
        body,
        document=document,
        submitted_at=refuse_future(_parse_when(submitted)),
        reference_no=ref,
        status=status,
        notes=note,
    )
    if json_:
        print_json(a)
    else:
        due = f"，截止 due {a.due_at.isoformat()}{'（估算 estimate）' if a.due_estimated else ''}" if a.due_at else ""
        console().print(f"已记录行动 Recorded action {a.id}：{a.body_zh}，{a.status_zh}{due}")


def action_update(
    ctx: typer.Context,
    action_id: Annotated[int, typer.Argument(help="行动 ID Action id.")],
    status: Annotated[str | None, StatusOpt] = None,
    submitted: Annotated[str | None, typer.Option("--submitted", help="提交时间 Submitted at.")] = None,
    ref: Annotated[str | None, RefOpt] = None,
    response: Annotated[str | None, typer.Option("--response", help="对方答复 Response received.")] = None,
    note: Annotated[str | None, typer.Option("--note", help="追加备注 Append a note.")] = None,
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """更新行动（状态、编号、答复）。Update an action (status, reference, response)."""

    a = update_action(
        workspace(ctx),
        action_id,
        status=status,
        submitted_at=refuse_future(_parse_when(submitted)),
        reference_no=ref,
        response=response,
        note=note,
    )
    if json_:
        print_json(a)
    else:
        console().print(
            f"已更新行动 Updated action {a.id}：{a.status_zh}" + (f"，截止 {a.due_at.isoformat()}" if a.due_at else "")
        )
