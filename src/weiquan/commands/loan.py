"""``weiquan loan apr|check|schedule|calc``: APR, legality and everyday calculators."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from weiquan.commands._common import JsonOpt, console, data_home, note_text, print_json, print_table
from weiquan.commands._common import workspace
from weiquan.errors import InputError
from weiquan.law.pack import load_pack
from weiquan.loans import calc
from weiquan.loans.apr import xirr
from weiquan.loans.check import check_loan
from weiquan.loans.model import parse_loan
from weiquan.loans.schedule import FEE_ZH, METHOD_ZH, Schedule, build_schedule, parse_spec
from weiquan.services import cases, loans


def register(app: typer.Typer) -> None:
    loan_app = typer.Typer(help="借款年化利率与合法性。Loan APR and legality.", no_args_is_help=True)
    loan_app.command("check")(loan_check)
    loan_app.command("add")(loan_add)
    loan_app.command("apr")(loan_apr)
    loan_app.command("schedule")(loan_schedule)
    calc_app = typer.Typer(help="常用计算器。Everyday calculators.", no_args_is_help=True)
    calc_app.command("interest")(calc_interest)
    calc_app.command("daily")(calc_daily)
    calc_app.command("fee-rate")(calc_fee_rate)
    calc_app.command("monthly")(calc_monthly)
    loan_app.add_typer(calc_app, name="calc")
    app.add_typer(loan_app, name="loan")


def parse_rate(text: str, what_zh: str = "利率", what: str = "rate") -> float:
    """'3.85%' → 0.0385; '0.0385' → 0.0385; a bare number ≥ 1 is read as percent ('24' → 0.24)."""
    t = text.strip().replace("％", "%")
    pct = t.endswith("%")
    try:
        v = float(t.rstrip("%").strip())
    except ValueError:
        raise InputError(
            f"{what_zh}格式错误：{text!r}（例如 3.85% 或 0.0385）", f"bad {what} {text!r} (e.g. 3.85% or 0.0385)"
        ) from None
    if v < 0:
        raise InputError(f"{what_zh}不能为负数：{text}", f"{what} must not be negative: {text}")
    return v / 100.0 if pct or v >= 1 else v


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as e:
        raise InputError(f"无法读取文件：{path}", f"cannot read {path}: {e}") from e
    except json.JSONDecodeError as e:
        raise InputError(
            f"JSON 格式错误：{path} 第{e.lineno}行：{e.msg}", f"invalid JSON in {path} line {e.lineno}: {e.msg}"
        ) from e
    if not isinstance(data, dict):
        raise InputError("借款描述必须是 JSON 对象。", "the loan description must be a JSON object")
    return data


FileArg = typer.Argument(help="借款描述 JSON 文件（格式见 docs/loans.md）Loan description JSON.")
AsOfOpt = typer.Option("--as-of", help="计算日 YYYY-MM-DD（覆盖文件中的 as_of）Date to compute the amount owed at.")


def _loan_data(file: Path, as_of: str | None) -> dict[str, Any]:
    data = _read_json(file)
    if as_of:
        data["as_of"] = as_of
    return data


def loan_check(
    ctx: typer.Context,
    file: Annotated[Path, FileArg],
    as_of: Annotated[str | None, AsOfOpt] = None,
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """检查借款：真实年化、砍头息、适用上限、结论、依法应还金额和多付金额。Check a loan's APR and legality."""
    res = check_loan(_loan_data(file, as_of), pack=load_pack(data_home(ctx)))
    if json_:
        print_json(res)
        return
    out = console()
    out.print(
        f"放贷方 lender: {res['lender'] or '—'}（{res['lender_type_zh']}），合同日期 {res['contract_date']}，计算日 {res['as_of']}"
    )
    out.print(
        f"合同金额 {res['principal']:.2f} 元，实际到手 {res['received']:.2f} 元，砍头息 {res['upfront_deduction']:.2f} 元"
    )
    eff = res["effective_annual_rate"]
    out.print(
        f"真实年化 APR（日IRR×365）{res['apr']:.2%}；按单利折算年化 {res['simple_annual_rate']:.2%}；"
        f"复利实际年化 {'极大' if eff is None else format(eff, '.2%')}"
    )
    print_table(
        "适用上限 Caps",
        ["上限 cap", "利率 rate", "是否超过 exceeded", "可信度 confidence"],
        [
            (
                c["name"] + ("（解读）" if c["interpretation"] else ""),
                f"{c['rate']:.2%}",
                "超过" if c["exceeded"] else "未超过",
                c["confidence_zh"],
            )
            for c in res["caps"]
        ],
    )
    out.print(f"结论：[bold]{res['verdict_zh']}[/]")
    out.print(
        f"截至{res['as_of']}：{res['lawful_label_zh']} {res['lawful_amount_owed']:.2f} 元，"
        f"{res['excess_label_zh']} {res['excess_paid']:.2f} 元（已还 {res['paid_to_date']:.2f} 元）"
    )
    if res.get("possibly_void"):
        out.print(f"[bold]{res['possibly_void']['owed_zh']}[/]（{'、'.join(res['possibly_void']['citations'])}）")
    for n in res["notes"]:
        out.print(f"说明 {note_text(n)}")
    for u in res["unverified"]:
        out.print(f"未核实 {u}")


def loan_add(
    ctx: typer.Context,
    file: Annotated[Path, FileArg],
    case: Annotated[int, typer.Option("--case", "-c", help="案件 ID Case id.")],
    as_of: Annotated[str | None, AsOfOpt] = None,
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """把借款核查结果加入案件；案件尚无牌照类型时，采用借款的放贷方类型。Attach a loan check to a case."""

    ws = workspace(ctx)
    out = loans.add_loan(ws, case, _loan_data(file, as_of))
    c = cases.get_case(ws, case)
    if json_:
        print_json({"loan": out, "case": c})
        return
    res = out.result
    console().print(
        f"已加入案件 {case}：借款 {out.id}，{res.get('lender_type_zh')}，真实年化 {res['apr']:.2%}，"
        f"结论 {res['verdict_zh']}；案件牌照类型 licence: {c.licence_type or '未确定'}"
    )


def _schedule_from_options(
    amount: float | None,
    months: int | None,
    method: str,
    annual_rate: str | None,
    monthly_rate: str | None,
    fee_rate: str | None,
    upfront: float,
    fee: list[str] | None,
) -> Schedule:
    """The repayment schedule the ``--amount``/``--months``/rate/fee options describe (``apr`` and ``schedule``)."""
    if amount is None or months is None:
        raise InputError(
            "请给出 --amount 和 --months，或给出借款 JSON 文件。", "give --amount and --months, or a loan JSON file"
        )
    if method not in METHOD_ZH:
        raise InputError(
            f"还款方式必须是 {' | '.join(METHOD_ZH)} 之一", f"method must be one of {', '.join(METHOD_ZH)}"
        )
    spec: dict[str, Any] = {
        "principal": amount,
        "months": months,
        "method": method,
        "upfront_deduction": upfront,
        "fees": [],
    }
    if annual_rate is not None:
        spec["annual_rate"] = parse_rate(annual_rate, "年利率", "annual rate")
    if monthly_rate is not None:
        spec["monthly_rate"] = parse_rate(monthly_rate, "月利率", "monthly rate")
    if fee_rate is not None:
        spec["monthly_fee_rate"] = parse_rate(fee_rate, "月费率", "monthly fee rate")
        if method == "equal_installment":
            spec["method"] = "flat_fee"
    for f in fee or []:
        parts = f.split(":")
        if len(parts) not in (2, 3) or parts[0] not in FEE_ZH:
            raise InputError(
                f"费用格式错误：{f!r}，应为 种类:金额[:时间]，种类为 {'|'.join(FEE_ZH)}，时间为 upfront|start|monthly|end|期数",
                f"bad fee {f!r}: want KIND:AMOUNT[:WHEN], KIND in {', '.join(FEE_ZH)}, WHEN upfront|start|monthly|end|N",
            )
        try:
            amt = float(parts[1])
        except ValueError:
            raise InputError(f"费用金额错误：{f!r}", f"bad fee amount in {f!r}") from None
        when: Any = parts[2] if len(parts) == 3 else "upfront"
        if isinstance(when, str) and when.isdigit():
            when = int(when)
        spec["fees"].append({"kind": parts[0], "amount": amt, "when": when})
    return build_schedule(parse_spec(spec))


AmountOpt = typer.Option("--amount", help="合同借款金额 Contracted amount.")
MonthsOpt = typer.Option("--months", help="期数（月）Term in months.")
MethodOpt = typer.Option(
    "--method",
    help="还款方式 equal_installment 等额本息 | equal_principal 等额本金 | interest_only 先息后本 | bullet 一次性还本付息 | flat_fee 按月费率.",
)
AnnualOpt = typer.Option("--annual-rate", help="名义年利率，如 24% Nominal annual rate.")
MonthlyOpt = typer.Option("--monthly-rate", help="月利率，如 2% Monthly rate on the balance.")
FeeRateOpt = typer.Option(
    "--fee-rate", help="月费率（按初始本金收取），如 0.75% Monthly fee on the original principal."
)
UpfrontOpt = typer.Option("--upfront", help="放款时预先扣除的金额（砍头息）Amount deducted at disbursement.")
FeeOpt = typer.Option(
    "--fee",
    help="费用 KIND:AMOUNT[:WHEN]，可重复；KIND: service|membership|guarantee|insurance|accelerate|other Repeatable.",
)


def _schedule_dict(s: Schedule) -> dict[str, Any]:
    return {
        "method": s.spec.method,
        "method_zh": s.method_zh,
        "stated_annual_rate": round(s.stated_annual_rate, 6),
        "apr": round(s.apr.apr, 6),
        "effective_annual_rate": round(s.apr.effective_annual_rate, 6),
        "monthly_irr": round(s.apr.periodic_rate, 8),
        "totals": {k: round(v, 2) for k, v in s.totals.items()},
        "rows": [
            {
                "period": r.period,
                "payment": round(r.payment, 2),
                "principal": round(r.principal, 2),
                "interest": round(r.interest, 2),
                "fees": round(r.fees, 2),
                "balance": round(r.balance, 2),
            }
            for r in s.rows
        ],
    }


def loan_apr(
    file: Annotated[
        Path | None, typer.Argument(help="带日期现金流的借款 JSON（可选）Loan JSON with dated flows (optional).")
    ] = None,
    amount: Annotated[float | None, AmountOpt] = None,
    months: Annotated[int | None, MonthsOpt] = None,
    method: Annotated[str, MethodOpt] = "equal_installment",
    annual_rate: Annotated[str | None, AnnualOpt] = None,
    monthly_rate: Annotated[str | None, MonthlyOpt] = None,
    fee_rate: Annotated[str | None, FeeRateOpt] = None,
    upfront: Annotated[float, UpfrontOpt] = 0.0,
    fee: Annotated[list[str] | None, FeeOpt] = None,
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """计算真实年化利率（IRR/XIRR，计入全部费用）。Real APR by IRR of the actual cash flows."""
    if file is not None:
        loan = parse_loan(_read_json(file))
        a = xirr(loan.borrower_flows())
        res: dict[str, Any] = {
            "apr": round(a.apr, 6),
            "effective_annual_rate": round(a.effective_annual_rate, 6),
            "periodic_rate": a.periodic_rate,
            "method": a.method,
            "received": round(loan.received, 2),
            "upfront_deduction": round(loan.upfront_deduction, 2),
        }
    else:
        d = _schedule_dict(
            _schedule_from_options(amount, months, method, annual_rate, monthly_rate, fee_rate, upfront, fee)
        )
        res = {
            k: d[k]
            for k in (
                "method",
                "method_zh",
                "stated_annual_rate",
                "apr",
                "effective_annual_rate",
                "monthly_irr",
                "totals",
            )
        }
    if json_:
        print_json(res)
        return
    out = console()
    if "stated_annual_rate" in res:
        out.print(f"宣传的名义年利率 {res['stated_annual_rate']:.2%}（{res['method_zh']}）")
    out.print(f"真实年化 APR {res['apr']:.2%}；复利实际年化 {res['effective_annual_rate']:.2%}")


def _print_schedule(s: Schedule, title: str) -> None:
    print_table(
        title,
        ["期 no.", "月供 payment", "本金 principal", "利息/手续费 interest", "费用 fees", "剩余本金 balance"],
        [
            (
                r.period,
                f"{r.payment:.2f}",
                f"{r.principal:.2f}",
                f"{r.interest:.2f}",
                f"{r.fees:.2f}",
                f"{r.balance:.2f}",
            )
            for r in s.rows
        ],
    )
    console().print(
        f"到手 {s.received:.2f} 元，共还 {s.totals['paid']:.2f} 元，总成本 {s.totals['cost']:.2f} 元；名义年利率 {s.stated_annual_rate:.2%}，真实年化 APR {s.apr.apr:.2%}"
    )


def loan_schedule(
    amount: Annotated[float | None, AmountOpt] = None,
    months: Annotated[int | None, MonthsOpt] = None,
    method: Annotated[str, MethodOpt] = "equal_installment",
    annual_rate: Annotated[str | None, AnnualOpt] = None,
    monthly_rate: Annotated[str | None, MonthlyOpt] = None,
    fee_rate: Annotated[str | None, FeeRateOpt] = None,
    upfront: Annotated[float, UpfrontOpt] = 0.0,
    fee: Annotated[list[str] | None, FeeOpt] = None,
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """还款计划表。Repayment schedule table."""
    s = _schedule_from_options(amount, months, method, annual_rate, monthly_rate, fee_rate, upfront, fee)
    if json_:
        print_json(_schedule_dict(s))
        return
    _print_schedule(s, f"还款计划 Schedule（{s.method_zh}）")


def calc_interest(
    amount: Annotated[float, typer.Option("--amount", help="借款金额 Amount.")],
    rate: Annotated[str, typer.Option("--rate", help="年利率，如 3.85% Annual rate.")],
    days: Annotated[int, typer.Option("--days", help="天数 Days.")] = 365,
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """年利率→利息：借1万一年多少钱。Simple interest for an amount, rate and number of days."""
    r = calc.simple_interest(amount, parse_rate(rate, "年利率", "annual rate"), days=days)
    if json_:
        print_json(
            {
                "amount": r.amount,
                "annual_rate": r.annual_rate,
                "days": r.days,
                "interest": round(r.interest, 2),
                "total": round(r.total, 2),
            }
        )
        return
    console().print(
        f"借 {r.amount:.2f} 元，年利率 {r.annual_rate:.2%}，{r.days} 天：利息 {r.interest:.2f} 元，本息合计 {r.total:.2f} 元（单利，按365天计）"
    )


def calc_daily(
    rate: Annotated[str, typer.Option("--rate", help="日利率，如 0.05% Daily rate.")],
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """日息→年化。Daily rate to annual rate."""
    t = rate.strip()
    r = calc.daily_to_annual(
        float(t.rstrip("%％")) / 100.0 if t.endswith(("%", "％")) else parse_rate(t, "日利率", "daily rate")
    )
    if json_:
        print_json(
            {
                "daily_rate": r.daily_rate,
                "nominal_annual": round(r.nominal_annual, 6),
                "effective_annual": round(r.effective_annual, 6),
                "per_10000_per_day": round(r.per_10000_per_day, 2),
            }
        )
        return
    console().print(
        f"日利率 {r.daily_rate:.4%}：每万元每天 {r.per_10000_per_day:.2f} 元；年化（单利，×365）{r.nominal_annual:.2%}；按日复利 {r.effective_annual:.2%}"
    )


def calc_fee_rate(
    rate: Annotated[str, typer.Option("--rate", help="月费率，如 0.75% Monthly fee rate.")],
    months: Annotated[int, typer.Option("--months", help="期数 Months.")] = 12,
    amount: Annotated[float, typer.Option("--amount", help="金额 Amount.")] = 10000.0,
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """月费率分期的真实年化（名义利率陷阱）。Real APR of an instalment plan with a monthly fee rate."""
    r = calc.fee_rate_apr(parse_rate(rate, "月费率", "monthly fee rate"), months, principal=amount)
    if json_:
        print_json(
            {
                "monthly_fee_rate": r.monthly_fee_rate,
                "months": r.months,
                "nominal_annual": round(r.nominal_annual, 6),
                "apr": round(r.apr, 6),
                "effective_annual": round(r.effective_annual, 6),
                "schedule": _schedule_dict(r.schedule),
            }
        )
        return
    console().print(
        f"月费率 {r.monthly_fee_rate:.2%}、{r.months} 期：看起来年化 {r.nominal_annual:.2%}，"
        f"但手续费按初始本金收取而本金逐月减少，真实年化 APR 为 {r.apr:.2%}（复利 {r.effective_annual:.2%}）。"
    )


def calc_monthly(
    amount: Annotated[float, typer.Option("--amount", help="借款金额 Amount.")],
    rate: Annotated[str, typer.Option("--rate", help="年化利率，如 24% Annual rate.")],
    months: Annotated[int, typer.Option("--months", help="期数 Months.")] = 12,
    json_: Annotated[bool, JsonOpt] = False,
) -> None:
    """每月还多少：等额本息 vs 等额本金 vs 先息后本。Monthly payments by repayment method."""
    res = calc.compare_methods(amount, parse_rate(rate, "年利率", "annual rate"), months)
    if json_:
        print_json({m: _schedule_dict(s) for m, s in res.items()})
        return
    for s in res.values():
        _print_schedule(s, f"{s.method_zh} {s.spec.method}")
