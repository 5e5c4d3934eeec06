"""Importing newer 1-year LPR fixings from a CSV the user downloaded (no network at run time).

Accepted CSV: a header row with a date column (``date``, ``日期``, ``effective_date``) and a
1-year rate column (``1Y``, ``rate``, ``lpr_1y``, ``1年``, ``1年期``, ``LPR1Y``). Rates may be percent
(``3.0``, ``3.00%``) or decimals (``0.03``). Other columns (e.g. the 5-year rate) are ignored.
Fixings that disagree with the pack's own table are refused: the pack's sources win.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from weiquan.errors import InputError
from weiquan.law.schema import LprFixing, LprTable

_DATE_COLS = ("date", "日期", "effective_date", "生效日期", "公布日期")
_RATE_COLS = ("1y", "rate", "lpr_1y", "1年", "1年期", "lpr1y", "1年期lpr", "lpr(1y)", "1y(%)", "1年期(%)")


def _parse_date(s: str, line: int) -> dt.date:
    t = s.strip().replace("/", "-").replace(".", "-")
    for fmt in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(t, fmt).date()
        except ValueError:
            continue
    raise InputError(
        f"LPR文件第{line}行日期无法识别：{s!r}（应为 YYYY-MM-DD）",
        f"LPR file line {line}: bad date {s!r} (want YYYY-MM-DD)",
    )


def _parse_rate(s: str, line: int) -> float:
    t = s.strip().rstrip("%").strip()
    try:
        v = float(t)
    except ValueError:
        raise InputError(f"LPR文件第{line}行利率无法识别：{s!r}", f"LPR file line {line}: bad rate {s!r}") from None
    if v >= 0.5:  # percent
        v = v / 100.0
    if not 0.001 <= v <= 0.2:
        raise InputError(f"LPR文件第{line}行利率超出合理范围：{s!r}", f"LPR file line {line}: rate out of range: {s!r}")
    return round(v, 6)


def parse_lpr_csv(text: str, *, source_label: str) -> list[LprFixing]:
    """Parse CSV text into fixings sorted by date. Raises InputError with the line number on bad rows."""
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text))
    rows = [r for r in reader if any(c.strip() for c in r)]
    if not rows:
        raise InputError("LPR文件为空。", "the LPR file is empty")
    header = [h.strip().lower().replace(" ", "") for h in rows[0]]
    try:
        di = next(i for i, h in enumerate(header) if h in _DATE_COLS)
        ri = next(i for i, h in enumerate(header) if h in _RATE_COLS)
    except StopIteration:
        raise InputError(
            f"LPR文件缺少日期列或1年期利率列（表头：{rows[0]}）。需要如 date,1Y 的表头。",
            f"the LPR file needs a date column and a 1-year rate column (header: {rows[0]}), e.g. 'date,1Y'",
        ) from None
    out: dict[dt.date, LprFixing] = {}
    for n, row in enumerate(rows[1:], start=2):
        if len(row) <= max(di, ri):
            raise InputError(f"LPR文件第{n}行列数不足。", f"LPR file line {n}: too few columns")
        d = _parse_date(row[di], n)
        r = _parse_rate(row[ri], n)
        if d in out and out[d].rate != r:
            raise InputError(
                f"LPR文件中{d.isoformat()}出现两个不同的利率。", f"LPR file gives two rates for {d.isoformat()}"
            )
        out[d] = LprFixing(date=d, rate=r, change=True, source=source_label, confidence="single-source")
    return [out[d] for d in sorted(out)]


def read_lpr_csv(path: Path, *, source_label: str | None = None) -> list[LprFixing]:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise InputError(f"无法读取LPR文件：{path}", f"cannot read the LPR file: {path}: {e}") from e
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost anything
        raise InputError("LPR文件编码无法识别。", "cannot decode the LPR file")
    return parse_lpr_csv(text, source_label=source_label or f"用户导入 {path.name}")


def merge_fixings(table: LprTable, extra: list[LprFixing]) -> LprTable:
    """The pack's table plus new fixings. A fixing on a date the pack knows must agree with it."""
    known = {f.date: f for f in table.fixings}
    merged = dict(known)

    def rate_on(d: dt.date) -> float | None:
        prior = [f for f in table.fixings if f.date <= d]
        return prior[-1].rate if prior else None

    for f in extra:
        if f.date in known:
            if abs(known[f.date].rate - f.rate) > 1e-9:
                raise InputError(
                    f"导入的LPR与内置数据冲突：{f.date.isoformat()} 导入 {f.rate:.2%}，内置 {known[f.date].rate:.2%}。",
                    f"imported LPR conflicts with the pack: {f.date.isoformat()} imported {f.rate:.4f}, pack {known[f.date].rate:.4f}",
                )
            continue
        if f.date <= table.known_through:
            expected = rate_on(f.date)
            if expected is not None and abs(expected - f.rate) > 1e-9:
                raise InputError(
                    f"导入的LPR与内置数据冲突：{f.date.isoformat()} 导入 {f.rate:.2%}，内置数据该日为 {expected:.2%}。",
                    f"imported LPR conflicts with the pack on {f.date.isoformat()}: {f.rate:.4f} vs {expected:.4f}",
                )
            continue
        merged[f.date] = f
    fixings = [merged[d] for d in sorted(merged)]
    prev: float | None = None
    out: list[LprFixing] = []
    for f in fixings:
        out.append(
            f.model_copy(update={"change": prev is None or abs(prev - f.rate) > 1e-12}) if f.date not in known else f
        )
        prev = f.rate
    return table.model_copy(update={"fixings": out, "known_through": max(table.known_through, out[-1].date)})


def save_user_fixings(path: Path, fixings: list[LprFixing]) -> None:
    """Write (merge) user fixings into ``path`` atomically: existing rows kept, same dates replaced."""
    existing: dict[dt.date, float] = {}
    if path.is_file():
        for f in read_lpr_csv(path):
            existing[f.date] = f.rate
    for f in fixings:
        existing[f.date] = f.rate
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    lines = ["date,1Y"] + [f"{d.isoformat()},{existing[d] * 100:.2f}" for d in sorted(existing)]
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(path)
