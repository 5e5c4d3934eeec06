"""``weiquan vault …``: integrity of the evidence vault."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from weiquan.commands._common import JsonOpt, console, note_text, print_json, workspace
from weiquan.errors import EXIT_PROBLEM
from weiquan.services.anchoring import check_stamp, latest_stamp


def register(app: typer.Typer) -> None:
    vault_app = typer.Typer(help="证据库 Evidence vault.", no_args_is_help=True)
    vault_app.command("verify")(verify)
    vault_app.command("add")(add)
    vault_app.command("head")(head)
    app.add_typer(vault_app, name="vault")


def verify(ctx: typer.Context, json_: Annotated[bool, JsonOpt] = False) -> None:
    """重新计算每个文件的哈希并检查账本链。Re-hash every blob and walk the ledger chain; exit 1 on any problem."""
    vault = workspace(ctx).vault
    report = vault.verify()
    where = vault.where(report.missing + report.altered)
    if json_:
        print_json(
            {**report.as_dict(), "where": {sha: [{"case_id": c, "name": n} for c, n in v] for sha, v in where.items()}}
        )
    else:
        c = console()

        def named(sha: str) -> str:
            places = [
                f"案件 case {cid if cid is not None else '—'}：{name or '（无文件名）'}"
                for cid, name in where.get(sha, [])
            ]
            return "; ".join(places) + f"  (sha256 {sha})"

        for sha in report.missing:
            c.print(f"缺失 MISSING {named(sha)}")
        for sha in report.altered:
            c.print(f"被修改 ALTERED {named(sha)}")
        for sha in report.unrecorded:
            c.print(f"未入账 UNRECORDED blob {sha}")
        if report.broken_entry:
            b = report.broken_entry
            c.print(f"账本断裂 BROKEN ledger at entry {b.seq}: {b.reason_zh} / {b.reason_en}")
        if report.ok:
            c.print(
                f"OK：{report.blobs_checked} 个文件、{report.entries_checked} 条账本记录均完好。"
                f" {report.blobs_checked} blobs and {report.entries_checked} ledger entries verified."
            )
    if not report.ok:
        raise typer.Exit(EXIT_PROBLEM)


def add(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="文件 Files to store.", exists=True, dir_okay=False)],
    case_id: Annotated[int | None, typer.Option("--case", help="案件 ID Case id.")] = None,
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """只保存原始文件（不解析）。Store files in the vault without parsing them."""
    ws = workspace(ctx)
    results = []
    for p in paths:
        r = ws.vault.add(p, case_id=case_id)
        results.append(
            {
                "file": str(p),
                "sha256": r.evidence.sha256,
                "size": r.evidence.size,
                "new_blob": r.new_blob,
                "new_acquisition": r.new_acquisition,
            }
        )
    if json_:
        print_json(results)
    else:
        for r in results:
            state = (
                "新文件 new"
                if r["new_blob"]
                else ("新来源 new acquisition" if r["new_acquisition"] else "已存在 already stored")
            )
            console().print(f"{r['sha256'][:16]}  {state}  {r['file']}")


def head(
    ctx: typer.Context,
    check: Annotated[
        str | None, typer.Option("--check", help="与之前保存的数字比较 Compare with a number kept earlier (WQ-…).")
    ] = None,
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """显示账本的当前数字（请另行保存），或与之前保存的数字比较。Print the ledger head digest to keep elsewhere, or --check one."""
    vault = workspace(ctx).vault
    if check is not None:
        ok, zh, en = vault.check_head(check)
        if json_:
            print_json({"ok": ok, "zh": note_text(zh), "en": en})
        else:
            console().print(f"{'OK' if ok else '不符 MISMATCH'}：{note_text(zh)}\n{en}")
        if not ok:
            raise typer.Exit(EXIT_PROBLEM)
        return
    h = vault.head()

    stamp = latest_stamp(workspace(ctx))
    checked = check_stamp(workspace(ctx), stamp) if stamp else None
    if json_:
        print_json(
            {
                **h.as_dict(),
                "timestamp": None
                if checked is None
                else {
                    "seq": checked.stamp.seq,
                    "time": checked.stamp.time,
                    "tsa": checked.stamp.tsa,
                    "ok": checked.ok,
                    "zh": checked.zh,
                    "en": checked.en,
                },
            }
        )
        if checked is not None and not checked.ok:
            raise typer.Exit(EXIT_PROBLEM)
        return
    c = console()
    c.print(h.text)
    if checked is not None:
        c.print(f"{'OK' if checked.ok else '不符 MISMATCH'}：{checked.zh}（{checked.stamp.tsa}）\n{checked.en}")
    c.print(
        f"账本共 {h.seq} 条记录，最后一条写于 {h.ts or '—'}（UTC）。请把上面这个数字另行保存（抄在纸上、发给自己或律师、"
        "写进寄出的材料）：以后用 `weiquan vault head --check 数字` 可以核对账本没有被删改。\n"
        f"The ledger has {h.seq} entries, the last written {h.ts or '-'} (UTC). Keep the number above somewhere else; "
        "`weiquan vault head --check NUMBER` later shows whether the ledger was cut or rewritten since."
    )
    if checked is not None and not checked.ok:
        raise typer.Exit(EXIT_PROBLEM)
