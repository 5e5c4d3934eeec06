"""Deadlines in calendar days or Chinese working days (工作日).

Working days come, in order, from:

1. the user's override table ``<data home>/workdays.yaml`` (same format as below);
2. the project's override table ``weiquan/act/data/workdays.yaml``;
3. ``chinese_calendar`` (State Council holiday schedules incl. adjusted working weekends, 2004–2026);
4. otherwise Monday–Friday, with the result marked as an estimate (工作日按周一至周五估算).

Counting follows the general rule on periods (民法典 第二百零一条、第二百零三条): a period in days starts
the day after the start date; for calendar-day periods whose last day is a rest day the period ends on the
next working day when the rule says so (``roll_to_workday``, default true).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import chinese_calendar
import yaml

from weiquan.errors import InputError
from weiquan.zh.format import date_zh

Unit = Literal["calendar", "working"]
MAX_DAYS = 3660


@dataclass(frozen=True)
class DeadlineRule:
    """How long a body has to answer: ``days`` in ``unit``; ``extensions`` are further days allowed."""

    days: int
    unit: Unit = "calendar"
    roll_to_workday: bool = True
    extensions: tuple[int, ...] = ()
    label_zh: str | None = None
    source: str | None = None
    counted_from: str | None = None  # what the clock runs from, as text (e.g. 受理之日)
    summary_zh: str | None = None  # short wording from the law pack, e.g. "15日／30日／再延长30日（规定写的是“日”）"
    unit_note_zh: str | None = None  # set when the calendar-day count is the tool's estimate (the rule says "日")

    @classmethod
    def from_mapping(cls, d: Mapping[str, Any]) -> DeadlineRule:
        try:
            days = int(d["days"])
        except (KeyError, TypeError, ValueError) as e:
            raise InputError("期限规则缺少天数（days）", f"deadline rule needs an integer 'days': {dict(d)!r}") from e
        unit = str(d.get("unit") or "calendar")
        if unit not in ("calendar", "working"):
            raise InputError(f"期限单位无效：{unit}（应为 calendar 或 working）", f"invalid deadline unit {unit!r}")
        if not 0 < days <= MAX_DAYS:
            raise InputError(f"期限天数无效：{days}", f"deadline days out of range: {days}")
        ext = d.get("extensions") or d.get("extension_days") or ()
        if isinstance(ext, int):
            ext = (ext,)
        return cls(
            days=days,
            unit=unit,  # type: ignore[arg-type]  # unit is checked against calendar/working just above
            roll_to_workday=bool(d.get("roll_to_workday", True)),
            extensions=tuple(int(x) for x in ext),
            label_zh=d.get("label_zh") or d.get("text_zh") or d.get("note_zh"),
            source=d.get("source"),
            counted_from=d.get("counted_from") or d.get("from_zh"),
            summary_zh=d.get("summary_zh"),
            unit_note_zh=d.get("unit_note_zh"),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "unit": self.unit,
            "roll_to_workday": self.roll_to_workday,
            "extensions": list(self.extensions),
            "label_zh": self.label_zh,
            "source": self.source,
            "counted_from": self.counted_from,
            "summary_zh": self.summary_zh,
            "unit_note_zh": self.unit_note_zh,
        }

    def describe_zh(self) -> str:
        if self.summary_zh:
            return self.summary_zh
        unit = "个工作日" if self.unit == "working" else "日"
        text = f"{self.days}{unit}"
        if self.extensions:
            text += "（可延长" + "、".join(f"{x}日" for x in self.extensions) + "）"
        return text


@dataclass(frozen=True)
class DueDate:
    start: dt.date
    due: dt.date
    estimated: bool
    rule: DeadlineRule
    estimated_years: tuple[int, ...] = ()

    @property
    def note_zh(self) -> str:
        note = estimate_note_zh(self.rule, self.estimated, self.estimated_years)
        return f"自{date_zh(self.start)}起{self.rule.describe_zh()}，{date_zh(self.due)}截止" + (
            f"（{note}）" if note else ""
        )


def estimate_note_zh(rule: DeadlineRule, estimated: bool, years: tuple[int, ...] | list[int] = ()) -> str:
    """Why a due date is an estimate, said once: a rule written in "日" is counted in calendar days by this tool
    (``unit_note_zh``); a working-day period in a year without holiday data counts Monday–Friday; a calendar-day
    period rolled to the next working day in such a year assumes only weekends are rest days. "" when exact."""
    when = "、".join(str(y) for y in years)
    when = f"{when}年" if when else "当年"
    if rule.unit == "working" and estimated:
        return f"{when}节假日安排暂无数据，工作日按周一至周五估算，请以官方公布为准"
    if rule.unit_note_zh:
        return rule.unit_note_zh.rstrip("。")
    if estimated:
        return f"{when}节假日安排暂无数据，到期日如逢节假日，顺延按周一至周五估算，请以官方公布为准"
    return ""


@dataclass
class _YearTable:
    complete: bool = False
    source: str | None = None
    holidays: set[dt.date] = field(default_factory=set)
    workdays: set[dt.date] = field(default_factory=set)


def _parse_table(data: Any, origin: str) -> dict[int, _YearTable]:
    if data is None:
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("years", {}), dict):
        raise InputError(
            f"工作日表格式错误：{origin}（应有 years: 映射）",
            f"bad working-day table {origin}: expected 'years:' mapping",
        )
    out: dict[int, _YearTable] = {}
    for year, spec in (data.get("years") or {}).items():
        try:
            y = int(year)
            spec = spec or {}
            t = _YearTable(complete=bool(spec.get("complete", False)), source=spec.get("source"))
            for key, target in (("holidays", t.holidays), ("workdays", t.workdays)):
                for v in spec.get(key) or []:
                    d = v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))
                    if d.year != y:
                        raise ValueError(f"{d} is not in {y}")
                    target.add(d)
        except (TypeError, ValueError, AttributeError) as e:
            raise InputError(
                f"工作日表格式错误：{origin} 年份 {year}：{e}", f"bad working-day table {origin}, year {year}: {e}"
            ) from e
        if t.holidays & t.workdays:
            both = sorted(t.holidays & t.workdays)[0]
            raise InputError(
                f"工作日表矛盾：{both} 同时是假日和工作日（{origin}）",
                f"{both} is both holiday and workday in {origin}",
            )
        out[y] = t
    return out


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise InputError(f"无法读取工作日表 {path}：{e}", f"cannot parse working-day table {path}: {e}") from e


class WorkCalendar:
    """Chinese working-day calendar with override tables and a marked weekday fallback."""

    def __init__(
        self, user_table: Path | None = None, *, use_package_data: bool = True, extra: Mapping[str, Any] | None = None
    ) -> None:
        self._tables: list[dict[int, _YearTable]] = []  # highest precedence first
        if extra is not None:
            self._tables.append(_parse_table(extra, "extra"))
        if user_table is not None and user_table.exists():
            self._tables.append(_parse_table(_load_yaml(user_table), str(user_table)))
        if use_package_data:
            pkg = resources.files("weiquan.act") / "data" / "workdays.yaml"
            self._tables.append(
                _parse_table(yaml.safe_load(pkg.read_text(encoding="utf-8")), "weiquan/act/data/workdays.yaml")
            )

    def day(self, d: dt.date) -> tuple[bool, bool]:
        """``(is_workday, estimated)`` for one date."""
        for table in self._tables:
            t = table.get(d.year)
            if t is None:
                continue
            if d in t.holidays:
                return False, False
            if d in t.workdays:
                return True, False
            if t.complete:
                return d.weekday() < 5, False

        try:
            return bool(chinese_calendar.is_workday(d)), False
        except NotImplementedError:
            return d.weekday() < 5, True

    def is_workday(self, d: dt.date) -> bool:
        return self.day(d)[0]

    def covered(self, year: int) -> bool:
        """True when the year's schedule is known (a complete override table or chinese_calendar data)."""
        if any((t := table.get(year)) is not None and t.complete for table in self._tables):
            return True

        try:
            chinese_calendar.is_workday(dt.date(year, 1, 1))
        except NotImplementedError:
            return False
        return True

    def add_working_days(self, start: dt.date, n: int) -> tuple[dt.date, frozenset[int]]:
        """The n-th working day after ``start``; and the years whose data was estimated."""
        if n < 0:
            raise InputError("工作日数不能为负", "number of working days must not be negative")
        d, est = start, frozenset[int]()
        for _ in range(n):
            d, e = self.next_workday(d + dt.timedelta(days=1))
            est |= e
        return d, est

    def next_workday(self, d: dt.date) -> tuple[dt.date, frozenset[int]]:
        """``d`` if it is a working day, else the next one."""
        est: set[int] = set()
        while True:
            ok, e = self.day(d)
            if e:
                est.add(d.year)
            if ok:
                return d, frozenset(est)
            d += dt.timedelta(days=1)

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days in (a, b]."""
        n, d = 0, a
        while d < b:
            d += dt.timedelta(days=1)
            n += self.is_workday(d)
        return n

    def due_date(self, start: dt.date, rule: DeadlineRule, *, with_extensions: bool = False) -> DueDate:
        days = rule.days + (sum(rule.extensions) if with_extensions else 0)
        if rule.unit == "working":
            due, est = self.add_working_days(start, days)
        else:
            due = start + dt.timedelta(days=days)
            est = frozenset()
            if rule.roll_to_workday:
                due, est = self.next_workday(due)
        return DueDate(start=start, due=due, estimated=bool(est), rule=rule, estimated_years=tuple(sorted(est)))


def calendar_for_home(home: Path | None) -> WorkCalendar:
    """The calendar with the user's table at ``<home>/workdays.yaml`` when it exists."""
    return WorkCalendar(home / "workdays.yaml" if home is not None else None)
