"""``weiquan law provisions|violations|channels|conduct|lpr`` and ``weiquan lender check NAME``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from weiquan.commands._common import JsonOpt, console, data_home, note_text, print_json, print_table
from weiquan.errors import InputError
from weiquan.law.pack import load_pack
from weiquan.zh.labels import LICENCE_TYPES
from weiquan.services import law as svc


def register(app: typer.Typer) -> None:
    law_app = typer.Typer(
        help="法律数据：法条、违规类别、投诉渠道、催收规则、LPR。Law pack: provisions, violations, channels, conduct rules, LPR.",
        no_args_is_help=True,
    )
    law_app.command("provisions")(provisions)
    law_app.command("violations")(violations)
    law_app.command("channels")(channels)
    law_app.command("conduct")(conduct)
    law_app.command("lpr")(lpr)
    app.add_typer(law_app, name="law")
    lender_app = typer.Typer(help="查询放贷机构牌照。Look up a lender's licence.", no_args_is_help=True)
    lender_app.command("check")(lender_check)
    app.add_typer(lender_app, name="lender")


def _flag(conf: str) -> str:
    return "" if conf == "verified" else ("［单一来源］" if conf == "single-source" else "［未核实］")


def provisions(
    ctx: typer.Context,
    statute: Annotated[
        str | None,
        typer.Option(
            "--statute", help="只看某部法律（编号或简称，如 psapl、治安管理处罚法）Filter by statute id or short name."
        ),
    ] = None,
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """列出法条及其来源。List provisions with their sources."""
    rows = svc.provision_rows(load_pack(data_home(ctx)), statute)
    if json_:
        print_json(rows)
        return
    print_table(
        "法条 Provisions",
        ["编号 id", "引用 citation", "要点 summary", "旧条号 old", "可信度 confidence"],
        [(r["id"], r["citation"], r["summary_zh"], r["old_article"] or "", r["confidence_zh"]) for r in rows],
    )


def violations(ctx: typer.Context, json_: Annotated[bool, JsonOpt] = False) -> None:
    """列出违规类别、对应法条和受理机构。List violation categories with provisions and bodies."""
    pack = load_pack(data_home(ctx))
    rows = svc.violation_rows(pack)
    if json_:
        print_json(rows)
        return
    print_table(
        "违规类别 Violations",
        ["类别 id", "名称 name", "严重度 severity", "依据 provisions", "受理 bodies"],
        [
            (
                r["id"],
                r["name_zh"],
                r["severity"],
                "\n".join(
                    pack.provisions[p["provision_id"]].short_cite() + f"（{p['kind']}）" for p in r["provisions"]
                ),
                "、".join(r["bodies"]),
            )
            for r in rows
        ],
    )


def channels(
    ctx: typer.Context,
    licence_type: Annotated[
        str | None, typer.Option("--licence", help=f"放贷方类型 Lender type: {'|'.join(LICENCE_TYPES)}.")
    ] = None,
    violation: Annotated[str | None, typer.Option("--violation", help="违规类别 Violation category id.")] = None,
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """列出投诉举报渠道、联系方式和处理时限。List complaint channels, contacts and deadlines."""
    pack = load_pack(data_home(ctx))
    if licence_type and licence_type not in LICENCE_TYPES:
        raise InputError(f"未知的放贷方类型：{licence_type}", f"unknown lender type: {licence_type}")
    if violation and violation not in pack.violations:
        raise InputError(f"未知的违规类别：{violation}", f"unknown violation category: {violation}")
    rows = svc.channel_rows(pack, licence_type, violation)
    if json_:
        print_json(rows)
        return

    def deadline(r: dict) -> str:
        d = r["deadline"]
        if not d:
            return r.get("deadline_note_zh") or "—"
        unit = "工作日" if d["unit"] == "working" else "日"
        return f"{d['days']}{unit}{_flag(d['confidence'])}：{d['rule_zh']}"

    print_table(
        "投诉渠道 Channels",
        ["编号 id", "机构 body", "联系方式 contact", "时限 deadline", "来源 source"],
        [
            (
                r["id"],
                r["name_zh"] + _flag(r["confidence"]),
                " ".join(x for x in (r["contact"]["hotline"], r["contact"]["portal"]) if x)
                or (r["contact"]["hotline_note_zh"] or ""),
                deadline(r),
                r["source"],
            )
            for r in rows
        ],
    )


def conduct(ctx: typer.Context, json_: Annotated[bool, JsonOpt] = False) -> None:
    """催收时间与频率规则（检测器使用的阈值）。Collection time/frequency rules used by the detectors."""
    c = load_pack(data_home(ctx)).conduct
    if json_:
        print_json(c.model_dump(mode="json"))
        return
    n = c.night
    rows = [
        (
            "夜间禁止时段 night window",
            f"{n.start:%H:%M}—{n.end:%H:%M}" + ("（债务人同意的除外）" if n.consent_lifts else ""),
            "；".join(f"{r.strength}: {r.source}" for r in n.rules),
        ),
        (
            "每日有效通话上限 connected calls/day",
            f"{c.max_connected_voice_per_day.value}（{c.max_connected_voice_per_day.counts_zh}）",
            c.max_connected_voice_per_day.source,
        ),
        (
            "未接通时同一方式每日拨打 attempts/method/day",
            f"{c.max_attempts_per_method_per_day.value}（不宜超过，软性规则）",
            c.max_attempts_per_method_per_day.source,
        ),
    ]
    rows += [(f"第三人 {r.id}", r.rule_zh + _flag(r.confidence), r.source) for r in c.third_party]
    rows += [(f"上门 {r.id}", r.rule_zh + _flag(r.confidence), r.source) for r in c.home_visit]
    print_table("催收行为规则 Conduct rules", ["规则 rule", "内容 value", "来源 source"], rows)
    for line in c.not_a_source:
        console().print(f"注意 Note: {line}")


def lpr(
    ctx: typer.Context,
    update: Annotated[
        Path | None,
        typer.Option(
            "--update", help="导入从中国货币网下载的LPR CSV（date,1Y）Import LPR fixings from a downloaded CSV."
        ),
    ] = None,
    on: Annotated[
        str | None, typer.Option("--on", help="查询某日适用的LPR（YYYY-MM-DD）Show the LPR in force on a date.")
    ] = None,
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """一年期LPR表；--update 导入新报价，--on 查某日LPR。The 1-year LPR table; import or look up."""
    home = data_home(ctx)
    if update is not None:
        res = svc.import_lpr(update, home=home)
        if json_:
            print_json(res)
        else:
            console().print(
                f"已读取 {res['rows']} 行，新增 {len(res['added'])} 条报价，保存到 {res['stored_in']}。Known through {res['known_through']}."
            )
        return
    if on is not None:
        try:
            d = dt.date.fromisoformat(on)
        except ValueError:
            raise InputError(f"日期格式错误：{on}（应为 YYYY-MM-DD）", f"bad date {on!r} (want YYYY-MM-DD)") from None
        res = svc.lpr_on(d, home=home)
        if json_:
            print_json(res)
        else:
            console().print(
                f"{res['date']} 适用一年期LPR {res['rate']:.2%}（{res['fixing_date']}起），四倍为 {res['four_times']:.2%}。{note_text(res['note'])}"
            )
        return
    res = svc.lpr_rows(load_pack(home))
    if json_:
        print_json(res)
        return
    print_table(
        f"一年期LPR 1-year LPR（已知截至 known through {res['known_through']}）",
        ["生效日 date", "LPR", "四倍 4×", "来源 source"],
        [
            (f["date"], f"{f['rate']:.2%}", f"{f['four_times']:.2%}", f["source"] + _flag(f["confidence"]))
            for f in res["fixings"]
        ],
    )


def lender_check(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="机构、品牌或App名称 Lender, brand or app name.")],
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """查询放贷机构：牌照类型、监管机构、投诉渠道和风险提示。Licence type, regulator, channels and red flags."""
    if not name.strip():
        raise InputError("请输入机构或App名称。", "give a lender or app name")
    res = svc.lender_report(name, home=data_home(ctx))
    if json_:
        print_json(res)
        return
    out = console()
    if res["matches"]:
        print_table(
            f"“{name}”的匹配结果 Matches",
            ["机构 entity", "品牌 brands", "牌照 licence", "监管 regulator", "匹配度 score", "可信度 confidence"],
            [
                (
                    m["entity"] or "（主体未核实）",
                    "、".join(m["brands"]),
                    m["licence_type"],
                    m["regulator"],
                    m["score"],
                    m["confidence"],
                )
                for m in res["matches"]
            ],
        )
    out.print(
        f"牌照类型 licence: {res['licence_type'] or '未确定 unknown'}"
        + (f"（名称自称 {res['claimed_licence']}，未核实）" if res["claimed_licence"] and not res["found"] else "")
    )
    if res["regulator"]:
        out.print(f"监管机构 regulator: {res['regulator']}")
    out.print(
        "投诉渠道 channels: "
        + "、".join(c["name"] + (f" {c['hotline']}" if c["hotline"] else "") for c in res["channels"])
    )
    for f in res["red_flags"]:
        out.print(f"[bold red]风险提示[/] {f}")
    for n in res["notes"]:
        out.print(f"说明 {n}")
    if not res["found"]:
        out.print("如何核实 How to check:")
        for h in res["how_to_check"]:
            out.print(f"  - {h['text_zh']}{_flag(h['confidence'])}")
