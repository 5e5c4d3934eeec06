"""``weiquan analyze``, ``weiquan classify``, ``weiquan eval`` and ``weiquan review``."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
import json
from pathlib import Path
import sys
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from weiquan.act.facts import CHANNEL_ZH
from weiquan.analyze.classifier import default_classifier
from weiquan.analyze.evaluate import evaluate, read_jsonl
from weiquan.analyze.rules import default_rules
from weiquan.analyze.text import default_text_detector, labels_of, text_detector
from weiquan.commands._common import JsonOpt, console, print_json, print_table, workspace
from weiquan.errors import InputError
from weiquan.services.analysis import analyze_case
from weiquan.services.analysis import list_findings, review_finding
from weiquan.services.analysis import review_items
from weiquan.services.analysis import get_finding, hit_out
from weiquan.services.cases import get_case
from weiquan.services.law import case_scope
from weiquan.zh.wording import plain_zh
from weiquan.zh.labels import SEVERITY_ZH


class DetectorChoice(str, Enum):
    both = "both"
    rules = "rules"
    classifier = "classifier"


DetOpt = typer.Option("--detector", help="使用的检测器 Detector: both (default) | rules | classifier.")


def has_terminal() -> bool:
    """Interactive review prompts only when a person is at a terminal (never waits on a pipe or a script)."""
    return sys.stdin.isatty()


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze)
    app.command("classify")(classify)
    app.command("eval")(eval_cmd)
    app.command("review")(review)


RegOpt = typer.Option(
    "--register",
    help="读法 How texts are read: message (default for classify: a message sent to "
    "someone) | retelling (a complaint or a note of a call: the act retold is the label) | auto (per "
    "item: source_kind complaint/call_note → retelling; default for eval).",
)
# source_kind values whose texts retell what collectors did (read in the retelling register by --register auto)
RETELLING_KINDS = frozenset({"complaint", "complaint_text", "call_note", "visit_note"})


def _register_of(item: dict[str, Any], register: str) -> str:
    if register != "auto":
        return register
    return "retelling" if str(item.get("source_kind") or "").lower() in RETELLING_KINDS else "message"


def _predict(items: list[dict[str, Any]], which: DetectorChoice, register: str) -> list[list[Any]]:
    """Hits for every item, each read in its register (``--register``)."""
    if register not in ("message", "retelling", "auto"):
        raise InputError(
            "--register 只能是 message、retelling 或 auto", "--register must be message, retelling or auto"
        )
    regs = [_register_of(it, register) for it in items]
    out: list[list[Any]] = [[] for _ in items]
    for reg in sorted(set(regs)):
        idx = [i for i, r in enumerate(regs) if r == reg]
        for i, hits in zip(idx, _detect_fn(which, reg)([items[i]["text"] for i in idx]), strict=True):
            out[i] = hits
    return out


def _detect_fn(which: DetectorChoice, register: str = "message") -> Callable[[list[str]], list[list[Any]]]:
    if register != "message":
        if which != DetectorChoice.both:
            raise InputError(
                "--register retelling 只用于组合检测器（--detector both）", "--register retelling needs --detector both"
            )
        return text_detector(register).detect_many
    if which == DetectorChoice.rules:
        r = default_rules()
        return r.detect_many
    if which == DetectorChoice.classifier:
        c = default_classifier()
        return c.detect_many

    d = default_text_detector()
    return lambda texts: d.detect_many(texts)


def analyze(
    ctx: typer.Context,
    case_id: Annotated[int, typer.Option("--case", help="案件 ID Case id.")],
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """识别案件中的违规催收行为并汇总。Detect unlawful collection acts in a case and summarise them."""

    res = analyze_case(workspace(ctx), case_id)
    if json_:
        print_json(res)
        return
    con = console()
    con.print(
        f"案件 {case_id} 分析完成 Analysed：新增 {res.created}，更新 {res.updated}，移除 {res.removed}，过期 {res.stale}"
    )
    if not res.categories:
        con.print("未发现违规行为。No unlawful acts found.")
        return
    rows = []
    for c in res.categories:
        ex = "；".join((f.summary or "")[:40] for f in c.examples)
        rows.append((c.name_zh, c.category, c.severity, c.count, c.confirmed, c.events, ex))
    print_table(
        "违规汇总 Findings by category",
        ["类别", "category", "严重程度", "数量 n", "已确认", "事件 events", "示例 examples"],
        rows,
    )
    con.print("用 `weiquan review --case ID` 逐条确认或驳回。Review with `weiquan review --case ID`.")


def classify(
    text: Annotated[str | None, typer.Argument(help="要检测的文字 Text to classify.")] = None,
    file: Annotated[Path | None, typer.Option("--file", help='JSONL 文件，每行 {"text": …} A JSONL file.')] = None,
    detector: Annotated[DetectorChoice, DetOpt] = DetectorChoice.both,
    json_: Annotated[bool, JsonOpt] = False,
    register: Annotated[str, RegOpt] = "message",
) -> None:
    """检测一条或多条短信文字中的违规内容。Classify texts: labels with spans and confidence."""

    if (text is None) == (file is None):
        raise InputError(
            "请给出一段文字，或用 --file 指定 JSONL 文件（二选一）", "give either TEXT or --file FILE.jsonl"
        )
    if file is not None:
        items = read_jsonl(file, need_labels=False)
        texts = [it["text"] for it in items]
    else:
        texts = [text or ""]
        items = [{"text": text}]
    results = _predict(items, detector, register)
    out = []
    for it, t, hits in zip(items, texts, results, strict=True):
        row: dict[str, Any] = {"text": t, "labels": labels_of(hits), "hits": [hit_out(h, t) for h in hits]}
        if "id" in it:
            row = {"id": it["id"], **row}
        out.append(row)
    if json_:
        if file is not None:
            for row in out:
                typer.echo(json.dumps(row, ensure_ascii=False))
        else:
            print_json(out[0])
        return
    con = console()
    for row in out:
        con.print(f"[bold]{'、'.join(row['labels'])}[/bold]  {row['text']}")
        for h in row["hits"]:
            con.print(
                f"  - {h['category']} {h['confidence']:.2f} {h['quotes']} 判定依据 decided by: {h['decided_by']}"
                f"  {h['explanation']}"
            )
            if h["provisions"]:
                con.print("    依据 provisions: " + "；".join(p["cite"] for p in h["provisions"]))


def eval_cmd(
    file: Annotated[Path, typer.Argument(help="带标注的 JSONL 文件 Labelled JSONL file.")],
    detector: Annotated[DetectorChoice, DetOpt] = DetectorChoice.both,
    json_: Annotated[bool, JsonOpt] = False,
    register: Annotated[str, RegOpt] = "auto",
) -> None:
    """在标注数据上评估检测效果。Evaluate the detector on a labelled JSONL file."""

    items = read_jsonl(file, need_labels=True)
    preds = [labels_of(h) for h in _predict(items, detector, register)]
    res = evaluate(items, lambda texts: preds)
    if json_:
        typer.echo(json.dumps(res, ensure_ascii=False, indent=2))
        return
    rows = [(lab, v["precision"], v["recall"], v["f1"], v["support"]) for lab, v in sorted(res["per_label"].items())]
    print_table(f"评估 Evaluation (n={res['n']})", ["label", "precision", "recall", "f1", "support"], rows)
    console().print(
        f"macro-F1 {res['macro_f1']:.3f}  micro-F1 {res['micro_f1']:.3f}  "
        f"lawful FP rate {res['lawful_false_positive_rate']:.3f}"
    )


def review(
    ctx: typer.Context,
    case_id: Annotated[int | None, typer.Option("--case", help="案件 ID Case id (interactive review).")] = None,
    finding: Annotated[int | None, typer.Option("--finding", help="发现 ID Finding id (non-interactive).")] = None,
    confirm: Annotated[bool, typer.Option("--confirm", help="确认 Confirm the finding.")] = False,
    reject: Annotated[bool, typer.Option("--reject", help="驳回 Reject the finding.")] = False,
    reset: Annotated[bool, typer.Option("--reset", help="恢复为自动 Back to auto.")] = False,
    note: Annotated[str | None, typer.Option("--note", help="备注 Note.")] = None,
    reviewer: Annotated[str, typer.Option("--reviewer", help="审核人 Reviewer name.")] = "local",
    pending: Annotated[bool, typer.Option("--pending/--all", help="只看未审核的 Only unreviewed findings.")] = True,
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """逐条确认或驳回识别结果。Confirm or reject findings (interactive with --case, or --finding N --confirm/--reject)."""

    ws = workspace(ctx)
    if finding is not None:
        if sum([confirm, reject, reset]) > 1:
            raise InputError("--confirm、--reject、--reset 只能选一个", "use only one of --confirm, --reject, --reset")
        state = "confirmed" if confirm else "rejected" if reject else "auto" if reset else None
        if state is None and note is None:
            raise InputError(
                "请指定 --confirm、--reject、--reset 或 --note", "give --confirm, --reject, --reset or --note"
            )
        if state is None:
            state = get_finding(ws, finding).review_state
        out = review_finding(ws, finding, state, reviewer=reviewer, note=note)
        if json_:
            print_json(out)
        else:
            console().print(f"发现 {out.id} → {out.review_state}（{out.reviewed_by}）")
        return
    if case_id is None:
        raise InputError("请用 --case 指定案件，或用 --finding 指定一条发现", "give --case ID or --finding ID")
    items = list_findings(ws, case_id, state="auto" if pending else None, include_stale=False)
    if json_:
        print_json(items)
        return
    con = console()
    if not items:
        con.print("没有待审核的发现。Nothing to review.")
        return
    if not has_terminal():
        raise InputError(
            f"有 {len(items)} 条待审核。逐条审核需要在终端里运行；也可以用 --finding N --confirm 或 --reject，"
            "或用 --json 列出",
            "interactive review needs a terminal; use --finding N --confirm/--reject or --json",
        )

    zone = ZoneInfo(get_case(ws, case_id).timezone or ws.settings.timezone)
    # each finding's provisions as the documents cite them: the version in force on its days, binding this lender
    cited = {it.finding.id: it.provisions for it in review_items(ws.law, items, case_scope(ws, case_id))}
    for f in items:
        con.print(
            f"\n[bold]#{f.id} {f.category_zh}（{SEVERITY_ZH.get(f.severity, f.severity)}，把握约 {f.confidence:.0%}）[/bold]"
        )
        con.print(f"  {plain_zh(f.summary)}")
        con.print(f"  依据：{plain_zh(f.explanation)}")
        if cited.get(f.id):
            con.print(
                "  法律规定：" + "；".join(p.cite + (f"（{p.era_zh}）" if p.era_zh else "") for p in cited[f.id][:3])
            )
        for e in f.events[:3]:
            local = e.start.astimezone(zone)  # the case's time zone, as every page shows it
            con.print(
                f"  · {local:%Y-%m-%d %H:%M} {CHANNEL_ZH.get(e.channel, e.channel)} {e.counterpart or ''} "
                f"{'」「'.join(e.quotes) if e.quotes else (e.text or '')[:60]}"
            )
        ans = typer.prompt("确认(c) / 驳回(r) / 跳过(s) / 备注(n) / 退出(q)", default="s").strip().lower()
        if ans in ("q", "quit"):
            break
        if ans in ("c", "r"):
            review_finding(ws, f.id, "confirmed" if ans == "c" else "rejected", reviewer=reviewer)
        elif ans == "n":
            text = typer.prompt("备注 note")
            review_finding(ws, f.id, f.review_state, reviewer=reviewer, note=text)
