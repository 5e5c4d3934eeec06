"""Date, amount and lender normalisation of corpus rows."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weiquan.bulk.lenders import LenderResolver
from weiquan.bulk.normalize import _parse_str, parse_amount, parse_date, parse_month
from weiquan.law.pack import load_pack


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("2024-03-05", dt.date(2024, 3, 5)),
        ("2024/3/5", dt.date(2024, 3, 5)),
        ("2024.03.05", dt.date(2024, 3, 5)),
        ("2024年3月5日", dt.date(2024, 3, 5)),
        ("2024-03-05 23:10:00", dt.date(2024, 3, 5)),
        ("20240305", dt.date(2024, 3, 5)),
        ("2024-03-05T17:30:00Z", dt.date(2024, 3, 6)),  # 01:30 in Shanghai
        ("2024-03-05T23:30:00+08:00", dt.date(2024, 3, 5)),
        ("03/05/2024", dt.date(2024, 3, 5)),
        (1709654400, dt.date(2024, 3, 6)),
        ("1709654400000", dt.date(2024, 3, 6)),
        ("2024-02-30", None),
        ("昨天", None),
        ("", None),
        (None, None),
        ("1890-01-01", None),
    ],
)
def test_dates(raw: object, want: dt.date | None) -> None:
    assert parse_date(raw) == want


def test_month_accepts_a_bare_month() -> None:
    assert parse_month("2024年3月") == "2024-03" and parse_month("2024-03-31 10:00") == "2024-03"
    assert parse_month("13/2024") is None


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("3000", 3000.0),
        ("3,000.50元", 3000.5),
        ("￥2000", 2000.0),
        ("¥ 1,200", 1200.0),
        ("3千", 3000.0),
        ("2.5万元", 25000.0),
        ("三千五百元", 3500.0),
        ("约5000元", 5000.0),
        ("两万", 20000.0),
        (1500, 1500.0),
        ("1000-2000", None),
        ("不详", None),
        ("", None),
        (-5, None),
        (True, None),
    ],
)
def test_amounts(raw: object, want: float | None) -> None:
    assert parse_amount(raw) == want


@given(st.decimals(min_value=0, max_value=10**8, places=2))
def test_amounts_with_separators_round_trip(v: object) -> None:
    assert parse_amount(f"{v:,.2f}元") == pytest.approx(float(v))  # type: ignore[arg-type]  # a test double passes through loosely typed arguments


def test_lenders_resolve_brands_former_names_and_unknowns() -> None:
    r = LenderResolver(load_pack().lender_registry)
    jd = r.resolve("京东消金", "")
    assert jd.lender == "天津京东消费金融有限公司" and jd.licence_type == "consumer_finance" and jd.match == "registry"
    assert r.resolve("捷信", "").lender_id == jd.lender_id  # former name → today's entity
    unknown = r.resolve("星河速贷App", "")
    assert unknown.lender == "星河速贷" and unknown.licence_type == "unknown" and unknown.lender_id is None
    claimed = r.resolve("某某网络小额贷款有限公司", "")
    assert claimed.match == "unregistered" and claimed.claimed_licence == "small_loan"


def test_lender_found_in_text_only_when_one_is_named() -> None:
    r = LenderResolver(load_pack().lender_registry)
    one = r.resolve(None, "我在招联消费金融借了钱，催收天天打电话")
    assert one.match == "text" and one.lender_id is not None
    two = r.resolve("", "招联消费金融和马上消费金融都在催")
    assert two.lender is None and two.match == "none"
    assert r.resolve("", "没有提到任何平台").lender is None


ISO_PIECES = st.sampled_from(
    ["2024", "1999", "２０２４", "0000", "12", "02", "31", "30", "13", "00", "1", "24", "60", "5x"]
)


@given(
    st.builds(
        lambda y, m, d, sep, h, mi, s: f"{y}-{m}-{d}" + (f"{sep}{h}:{mi}:{s}" if sep else ""),
        ISO_PIECES,
        ISO_PIECES,
        ISO_PIECES,
        st.sampled_from(["", " ", "T", "  ", "t"]),
        ISO_PIECES,
        ISO_PIECES,
        ISO_PIECES,
    )
)
def test_the_iso_shortcut_reads_dates_as_the_general_pattern_does(s: str) -> None:
    assert parse_date(s) == _parse_str.__wrapped__(s, "Asia/Shanghai")
