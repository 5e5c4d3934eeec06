"""Working-day deadlines across the 2026 holidays, adjusted working weekends and the 2027 fallback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weiquan.act.deadlines import DeadlineRule, WorkCalendar
from weiquan.errors import InputError

D = dt.date


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


def test_national_day_2026_working_days(cal: WorkCalendar) -> None:
    # 9-29, 9-30, (10-1..10-7 holiday), 10-8, 10-9, 10-10 (adjusted working Saturday), 10-12.. → 15th is 10-23
    due = cal.due_date(D(2026, 9, 28), DeadlineRule(days=15, unit="working"))
    assert due.due == D(2026, 10, 23)
    assert not due.estimated
    assert cal.is_workday(D(2026, 10, 10))  # Saturday, adjusted working day
    assert not cal.is_workday(D(2026, 10, 5))


def test_spring_festival_2026_and_adjusted_saturdays(cal: WorkCalendar) -> None:
    assert cal.is_workday(D(2026, 2, 14)) and cal.is_workday(D(2026, 2, 28))  # both Saturdays, adjusted
    assert not cal.is_workday(D(2026, 2, 16))
    # 2-14 (Sat, working) = 1, 2-15..2-23 holiday, 2-24..2-27 = 2..5, 2-28 (Sat, working) = 6
    assert cal.add_working_days(D(2026, 2, 13), 5)[0] == D(2026, 2, 27)
    assert cal.add_working_days(D(2026, 2, 13), 6)[0] == D(2026, 2, 28)
    assert cal.working_days_between(D(2026, 2, 13), D(2026, 2, 28)) == 6


def test_calendar_days_roll_past_holiday(cal: WorkCalendar) -> None:
    # 9-20 + 15 calendar days = 10-5 (National Day holiday) → next working day 10-8
    due = cal.due_date(D(2026, 9, 20), DeadlineRule(days=15, unit="calendar"))
    assert due.due == D(2026, 10, 8)
    no_roll = cal.due_date(D(2026, 9, 20), DeadlineRule(days=15, unit="calendar", roll_to_workday=False))
    assert no_roll.due == D(2026, 10, 5)


def test_2027_falls_back_to_weekdays_and_is_marked_estimate(cal: WorkCalendar) -> None:
    due = cal.due_date(D(2026, 12, 28), DeadlineRule(days=10, unit="working"))
    # 12-29, 12-30, 12-31, then weekdays only: 1-1 (estimate), 1-4 .. 1-8, 1-11
    assert due.due == D(2027, 1, 11)
    assert due.estimated and due.estimated_years == (2027,)
    assert "估算" in due.note_zh
    assert not cal.covered(2027) and cal.covered(2026)


def test_user_override_table_for_2027(tmp_path: Path) -> None:
    table = tmp_path / "workdays.yaml"
    table.write_text(
        "years:\n  2027:\n    complete: true\n    source: test\n    holidays: [2027-01-01]\n"
        "    workdays: [2027-01-09]\n",
        encoding="utf-8",
    )
    cal = WorkCalendar(table)
    due = cal.due_date(D(2026, 12, 28), DeadlineRule(days=10, unit="working"))
    # 1-1 is now a holiday and Saturday 1-9 a working day: 12-29,30,31, 1-4..1-8 (8), 1-9 (9), 1-11 (10)
    assert due.due == D(2027, 1, 11) and not due.estimated
    assert cal.covered(2027)
    assert not cal.is_workday(D(2027, 1, 1)) and cal.is_workday(D(2027, 1, 9))


def test_bad_override_table_is_a_clear_error(tmp_path: Path) -> None:
    table = tmp_path / "workdays.yaml"
    table.write_text("years:\n  2027:\n    holidays: [2028-01-01]\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        WorkCalendar(table)
    assert "工作日表" in e.value.zh


def test_rule_from_mapping_validates() -> None:
    r = DeadlineRule.from_mapping({"days": 15, "unit": "calendar", "extension_days": 15})
    assert r.extensions == (15,) and r.describe_zh() == "15日（可延长15日）"
    with pytest.raises(InputError):
        DeadlineRule.from_mapping({"days": 5, "unit": "weeks"})
    with pytest.raises(InputError):
        DeadlineRule.from_mapping({"unit": "working"})


@settings(max_examples=60, deadline=None)
@given(start=st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 11, 30)), n=st.integers(min_value=1, max_value=30))
def test_add_working_days_properties(start: dt.date, n: int) -> None:
    cal = WorkCalendar()
    due, est = cal.add_working_days(start, n)
    assert due > start
    assert cal.is_workday(due)
    assert cal.working_days_between(start, due) == n
    assert not est or due.year >= 2027
