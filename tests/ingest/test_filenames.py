"""OEM call-recording file names (property tests: format → parse gives the same number and time)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weiquan.ingest.filenames import parse_recording_name, parse_screenshot_name

numbers = st.builds(
    lambda p, r: f"{p}{r:08d}", st.sampled_from(["138", "154", "170", "186", "199"]), st.integers(0, 99_999_999)
)
times = st.datetimes(min_value=dt.datetime(2015, 1, 1), max_value=dt.datetime(2035, 12, 31)).map(
    lambda d: d.replace(microsecond=0)
)
names = st.text(alphabet="张三李四王五赵六催收贷款公司 ", min_size=1, max_size=8).map(str.strip).filter(bool)
exts = st.sampled_from([".mp3", ".m4a", ".amr", ".wav", ".aac", ".3gp", ".opus", ".ogg"])

STYLES = {
    "xiaomi": "{name}({num})_{ts}",
    "xiaomi_nocontact": "{num}({num})_{ts}",
    "xiaomi_old": "通话录音@{name}({num00})_{ts}",
    "huawei_old": "{name}@{num}_{ts}",
    "huawei_new": "{name} {num}_{ts}",
    "oppo": "{name}_{num}_{ts}",
    "generic": "{num}_{ts}",
    "vivo": "{num} {vivo}",
    "samsung": "Call recording {num}_{sam}",
}


@given(num=numbers, when=times, name=names, ext=exts, style=st.sampled_from(sorted(STYLES)))
def test_round_trip(num: str, when: dt.datetime, name: str, ext: str, style: str) -> None:
    fn = (
        STYLES[style].format(
            name=name,
            num=num,
            num00="0086" + num,
            ts=when.strftime("%Y%m%d%H%M%S"),
            vivo=when.strftime("%Y-%m-%d %H-%M-%S"),
            sam=when.strftime("%y%m%d_%H%M%S"),
        )
        + ext
    )
    parsed = parse_recording_name("Sounds/CallRecord/" + fn)
    assert parsed is not None, fn
    assert parsed.when == when
    assert parsed.number is not None
    assert parsed.number.endswith(num)
    if style in ("xiaomi", "huawei_old", "huawei_new", "oppo"):
        assert parsed.name == name


@given(st.text(max_size=60))
def test_never_crashes(name: str) -> None:
    r = parse_recording_name(name + ".m4a")
    assert r is None or isinstance(r.when, dt.datetime)


@pytest.mark.parametrize(
    ("fn", "vendor", "number", "name"),
    [
        ("MIUI/sound_recorder/call_rec/15882033521(15882033521)_20230506192735.mp3", "xiaomi", "15882033521", None),
        ("张三@13800138000_20230828123000.mp3", "huawei_old", "13800138000", "张三"),
        ("Call recording 张三_231030_123456.m4a", "samsung", None, "张三"),
        ("张三_20231030123456.m4a", "name_only", None, "张三"),
        ("录音 13800138000 20231030_123456.m4a", "scan", "13800138000", None),
    ],
)
def test_known_examples(fn: str, vendor: str, number: str | None, name: str | None) -> None:
    r = parse_recording_name(fn)
    assert r is not None
    assert (r.vendor, r.number, r.name) == (vendor, number, name)


def test_invalid_dates_and_no_time() -> None:
    assert parse_recording_name("13800138000_20231399123456.m4a") is None
    assert parse_recording_name("会议录音.m4a") is None


def test_screenshot_names() -> None:
    assert parse_screenshot_name("Screenshot_2023-10-30-15-25-43-123_com.tencent.mm.jpg") == (
        dt.datetime(2023, 10, 30, 15, 25, 43),
        "com.tencent.mm",
    )
    assert parse_screenshot_name("Screenshot_20231030_152543_com.android.mms.jpg") == (
        dt.datetime(2023, 10, 30, 15, 25, 43),
        "com.android.mms",
    )
    assert parse_screenshot_name("IMG_1234.PNG") is None
