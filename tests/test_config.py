"""The one time-zone fallback every service and the web page share."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from weiquan.config import DEFAULT_TIMEZONE, load_settings, zone_or_default
from weiquan.web.templating import localtime


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Asia/Urumqi", "Asia/Urumqi"),
        ("", DEFAULT_TIMEZONE),
        (None, DEFAULT_TIMEZONE),
        ("Mars/Olympus_Mons", DEFAULT_TIMEZONE),  # unknown zone
        ("../etc/passwd", DEFAULT_TIMEZONE),  # malformed key: ValueError, not a crash
    ],
)
def test_zone_or_default(name: str | None, expected: str) -> None:
    assert zone_or_default(name) == ZoneInfo(expected)


def test_zone_or_default_takes_the_configured_default() -> None:
    assert zone_or_default("", "Asia/Hong_Kong") == ZoneInfo("Asia/Hong_Kong")
    assert zone_or_default("no/such_zone", "Asia/Hong_Kong") == ZoneInfo("Asia/Hong_Kong")


def test_settings_default_zone_is_the_shared_default(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("WEIQUAN_TZ", raising=False)
    assert load_settings(tmp_path).timezone == DEFAULT_TIMEZONE


def test_localtime_falls_back_like_the_services() -> None:
    noon_utc = dt.datetime(2026, 11, 4, 4, 0, tzinfo=dt.timezone.utc)
    assert localtime(noon_utc, "Mars/Olympus_Mons") == "2026-11-04 12:00"
    assert localtime(noon_utc.replace(tzinfo=None), None) == "2026-11-04 12:00"  # naive = UTC
    assert localtime(noon_utc, "Asia/Tokyo") == "2026-11-04 13:00"
