"""``weiquan export``, ``weiquan verify`` and ``weiquan report``: evidence package and case report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from weiquan.commands._common import JsonOpt, console, print_json, workspace
from weiquan.errors import EXIT_PROBLEM
from weiquan.services.case_report import build_case_report
from weiquan.services.export import export_case
from weiquan.services.export import verify_package


def register(app: typer.Typer) -> None:
    app.command("export")(export)
    app.command("verify")(verify)
    app.command("report")(report)


def _size(n: int) -> str:
    return f"{n / (1 << 20):.1f} MB" if n >= 1 << 20 else f"{n / 1024:.1f} KB"


def export(
    ctx: typer.Context,
    case_id: Annotated[int, typer.Option("--case", help="案件 ID Case id.")],
    out: Annotated[Path, typer.Option("--out", help="输出的 ZIP 文件 Output ZIP file.")],
    include_derived: Annotated[
        bool,
        typer.Option(
            "--include-derived",
            help="同时打包全部派生文件（附件、转换件）；识别文字总会打包。Also package every derived artefact.",
        ),
    ] = False,
    tsa: Annotated[
        str | None,
        typer.Option(
            "--tsa", help="RFC 3161 时间戳服务地址（可选，需联网）TSA URL for a trusted timestamp (optional)."
        ),
    ] = None,
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """导出证据包（原始文件、清单、Merkle 根、账本、报告、核验程序）。Write the evidence package of a case."""

    c = console()

    def progress(stage: str, done: int, total: int) -> None:
        if not json_ and (done == total or done % 100 == 0):
            c.print(f"  打包证据 packaging evidence {done}/{total}", end="\n" if done == total else "\r")

    res = export_case(workspace(ctx), case_id, out, include_derived=include_derived, tsa_url=tsa, progress=progress)
    if json_:
        print_json(res.as_dict())
        return
    c.print(f"已导出 Exported: {res.path}")
    c.print(
        f"  文件 files {res.files}（原始 originals {res.originals}，派生 derived {res.derived}），"
        f"{_size(res.bytes)}，用时 {res.seconds:.1f} s"
    )
    c.print(f"  Merkle 根 root: {res.merkle_root}")
    if res.timestamp:
        c.print(f"  可信时间戳 timestamp: {res.timestamp.get('gen_time')}（{res.timestamp.get('tsa')}）")
    for n in res.notices:
        c.print(f"  注意：{n.zh}\n  Note: {n.en}")
    c.print("核验 Verify: weiquan verify " + str(res.path) + "  或解压后 or unzipped: python3 verify.py")


def verify(
    ctx: typer.Context,
    package: Annotated[Path, typer.Argument(help="证据包 ZIP 或解压后的文件夹 Package ZIP or unzipped folder.")],
    tsa_ca: Annotated[
        list[Path] | None,
        typer.Option(
            "--tsa-ca",
            help="时间戳机构的根证书（PEM/DER），用于核验证书链 TSA trust anchor(s).",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """核验证据包：重新计算每个哈希和 Merkle 根，核验时间戳；有问题时退出码为 1。Verify an evidence package; exit 1 on any problem."""

    res = verify_package(package, tsa_ca=tsa_ca)
    if json_:
        print_json(res.as_dict())
    else:
        c = console()
        if res.ok:
            c.print(
                f"OK：{res.files_checked} 个文件与清单一致，Merkle 根 {res.merkle_root} 相符。"
                f" All {res.files_checked} files match; Merkle root verified."
            )
        else:
            c.print(f"核验失败 FAILED：{len(res.problems)} 个问题 problem(s)")
            for p in res.problems:
                c.print(f"  [{p['kind']}] {p['path']} — {p['zh']} / {p['en']}")
        ts = res.timestamp
        if ts and "signature_ok" in ts:
            chain = {
                "trusted": "证书链可信 chain trusted",
                "untrusted": "证书链不可信 chain NOT trusted",
                "not_checked": "未核验证书链（可用 --tsa-ca 指定根证书）chain not checked (use --tsa-ca)",
            }[ts["chain"]]
            state = "有效 valid" if ts["ok"] else "无效 INVALID"
            c.print(f"可信时间戳 timestamp: {state}；时间 time {ts.get('gen_time')}；机构 TSA {ts.get('tsa')}；{chain}")
        elif not ts:
            c.print("（证据包没有可信时间戳 no trusted timestamp in this package）")
        if res.ledger_head:
            c.print(
                f"账本数字（导出时，请与另行保存的数字比较）Ledger digest at export, compare with your kept copy: "
                f"{res.ledger_head}"
            )
    if not res.ok:
        raise typer.Exit(EXIT_PROBLEM)


def report(
    ctx: typer.Context,
    case_id: Annotated[int, typer.Option("--case", help="案件 ID Case id.")],
    out: Annotated[Path, typer.Option("--out", help="输出的 PDF 文件 Output PDF file.")],
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """生成案件报告 PDF（概要、图表、违规事实、证据保全方法）。Write the case report PDF."""

    path = build_case_report(workspace(ctx), case_id, out)
    if json_:
        print_json({"path": str(path), "size": path.stat().st_size})
    else:
        console().print(f"已生成案件报告 Case report written: {path}")
