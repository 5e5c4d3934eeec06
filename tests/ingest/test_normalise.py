"""Number normalisation, signatures and time helpers (with property tests)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weiquan.ingest.numbers import NUMBER_KINDS, normalize_number
from weiquan.ingest.textnorm import extract_signature
from weiquan.ingest.timeutil import TimeOutOfRange, from_apple, from_epoch, from_wallclock, parse_wallclock

mobile_prefixes = st.sampled_from(["130", "138", "150", "159", "177", "188", "199", "198"])


@given(
    prefix=mobile_prefixes,
    rest=st.integers(0, 99_999_999),
    style=st.sampled_from(["{n}", "+86{n}", "+86 {a} {b} {c}", "0086{n}", "86{n}", "{a}-{b}-{c}", "（+86）{n}"]),
)
def test_mobile_forms_normalise_to_one_e164(prefix: str, rest: int, style: str) -> None:
    n = f"{prefix}{rest:08d}"
    raw = style.format(n=n, a=n[:3], b=n[3:7], c=n[7:])
    info = normalize_number(raw)
    assert info.national == n
    assert info.e164 == "+86" + n
    assert info.key == "+86" + n
    assert info.kind == "mobile"
    assert info.raw == raw


@given(st.text(max_size=30))
def test_normalise_never_crashes_and_kind_is_known(raw: str) -> None:
    info = normalize_number(raw)
    assert info.kind in NUMBER_KINDS
    assert info.raw == raw
    assert info.key is None or len(info.key) <= 40


@given(prefix=st.sampled_from(["162", "165", "167", "170", "171"]), rest=st.integers(0, 99_999_999))
def test_mvno_prefixes(prefix: str, rest: int) -> None:
    assert normalize_number(f"{prefix}{rest:08d}").kind == "mvno"


@pytest.mark.parametrize(
    ("raw", "kind", "key"),
    [
        ("0755-12345678", "landline", "+8675512345678"),
        ("+86 10 12345678", "landline", "+861012345678"),
        ("95588", "service_95", "95588"),
        ("96011", "service_96", "96011"),
        ("400-812-3123", "hotline_400_800", "+864008123123"),
        ("1069012345678", "sms_gateway_106", "1069012345678"),
        ("10086", "carrier_10", "10086"),
        ("12321", "gov_12", "12321"),
        ("+14155552671", "intl", "+14155552671"),
        ("BOC", "alnum", "boc"),
        ("", "withheld", None),
        ("-2", "withheld", None),
        ("17951 13800138000", "mobile", "+8613800138000"),
        ("１３８００１３８０００", "mobile", "+8613800138000"),
        ("1234", "short_code", "1234"),
    ],
)
def test_number_kinds(raw: str, kind: str, key: str | None) -> None:
    info = normalize_number(raw)
    assert (info.kind, info.key) == (kind, key)


def test_carrier_region_and_post_dial() -> None:
    info = normalize_number("13800138000,123")
    assert info.carrier == "中国移动"
    assert info.region == "北京市"
    assert info.post_dial == ",123"
    assert normalize_number("0755-12345678").region == "广东省深圳市"


@pytest.mark.parametrize(
    ("text", "sig"),
    [
        ("【示例贷】您的借款已逾期", "示例贷"),
        ("您的借款已逾期，请还款【示例贷】", "示例贷"),
        ("没有签名", None),
        ("中间【不是】签名的文字", None),
        (None, None),
    ],
)
def test_signature(text: str | None, sig: str | None) -> None:
    assert extract_signature(text) == sig


def test_epochs_by_magnitude() -> None:
    a, basis_a = from_epoch("1709515800000")
    b, basis_b = from_epoch("1709515800")
    assert a == b == dt.datetime(2024, 3, 4, 1, 30, tzinfo=dt.timezone.utc)
    assert (basis_a, basis_b) == ("utc_epoch_ms", "utc_epoch_s")
    s, _ = from_apple(731_295_000)
    ns, basis = from_apple(731_295_000 * 10**9)
    assert s == ns and basis == "apple_ns"


@pytest.mark.parametrize("raw", ["0", "null", "", "86400000", "4102444800000", "-5"])
def test_implausible_epochs_refused(raw: str) -> None:
    with pytest.raises(TimeOutOfRange):
        from_epoch(raw)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01 22:15:03", dt.datetime(2024, 3, 1, 22, 15, 3)),
        ("2024/3/1 22:15", dt.datetime(2024, 3, 1, 22, 15)),
        ("2024年3月1日 下午3:25", dt.datetime(2024, 3, 1, 15, 25)),
        ("20240301221503", dt.datetime(2024, 3, 1, 22, 15, 3)),
    ],
)
def test_wallclock(text: str, expected: dt.datetime) -> None:
    assert parse_wallclock(text) == expected


def test_wallclock_zone() -> None:
    assert from_wallclock("2024-03-01 08:00:00", "Asia/Shanghai") == dt.datetime(
        2024, 3, 1, 0, 0, tzinfo=dt.timezone.utc
    )
    assert from_wallclock("2024-03-01 08:00:00", "UTC") == dt.datetime(2024, 3, 1, 8, 0, tzinfo=dt.timezone.utc)
