"""Spoken amounts and rates (issues #15/#18): the converter (weiquan.zh.numerals) against cn2an's independent
spelling, and the rules reading 百分之三十六 / 日息千分之五 / 借三千到手两千一 as they read the digits."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import cn2an
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from weiquan.analyze.normalize import normalize
from weiquan.analyze.numbers import default_reader, numeric_view
from weiquan.analyze.rules import RuleDetector, default_rules
from weiquan.cli import app
from weiquan.zh.numerals import parse_number, parse_rate, plain

runner = CliRunner()


# -- the converter ---------------------------------------------------------------------------------------------
@settings(max_examples=400, deadline=None)
@given(st.integers(min_value=0, max_value=10**16 - 1))
def test_the_chinese_spelling_of_an_integer_reads_back(n: int) -> None:
    assert parse_number(cn2an.an2cn(str(n))) == n


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**8), st.integers(min_value=1, max_value=9999))
def test_the_chinese_spelling_of_a_decimal_reads_back(whole: int, frac: int) -> None:
    s = f"{whole}.{frac:04d}".rstrip("0")
    assert parse_number(cn2an.an2cn(s)) == Decimal(s)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**6), st.sampled_from(["百分之", "千分之", "万分之"]))
def test_a_spoken_rate_reads_back_as_a_percentage(k: int, prefix: str) -> None:
    factor = {"百分之": 1, "千分之": Decimal("0.1"), "万分之": Decimal("0.01")}[prefix]
    assert parse_rate(prefix + cn2an.an2cn(str(k))) == k * factor


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=9), st.integers(min_value=1, max_value=9), st.sampled_from(["百", "千", "万"])
)
def test_spoken_ellipsis_and_mixed_digits(a: int, b: int, unit: str) -> None:
    u = {"百": 100, "千": 1000, "万": 10000}[unit]
    cn = cn2an.an2cn(str(a)) + unit + cn2an.an2cn(str(b))  # 三千六, 一万二
    assert parse_number(cn) == a * u + b * u // 10
    assert parse_number(f"{a}{unit}{b}") == a * u + b * u // 10  # 3千6
    assert parse_number(cn2an.an2cn(str(a)) + unit + "零" + cn2an.an2cn(str(b))) == a * u + b  # 三千零六


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("三千六百", 3600), ("三千六", 3600), ("一万二", 12000), ("两千一", 2100), ("两万五", 25000), ("三百五", 350),
        ("3千6", 3600), ("1.2万", 12000), ("一点二万", 12000), ("十二", 12), ("零点五", Decimal("0.5")),
        ("一千零五", 1005), ("一亿两千万", 120_000_000), ("壹万贰仟", 12000), ("半", Decimal("0.5")),
    ],
)  # fmt: skip
def test_spoken_forms(text: str, value: Any) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["", "万一", "一二", "百千", "十12", "万", "点", "一点", "三千块"])
def test_what_is_not_one_number(text: str) -> None:
    assert parse_number(text) is None


def test_plain_writes_digits_without_exponent() -> None:
    assert [plain(Decimal(x)) for x in ("1.2E+4", "0.50", "3.140", "36")] == ["12000", "0.5", "3.14", "36"]


# -- the rules' view -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "figures"),
    [
        ("借三千到手两千一", ["3000", "2100"]),
        ("日息千分之五", ["0.5%"]),
        ("年化百分之三十六", ["36%"]),
        ("三千六百块", ["3600"]),
        ("借一万二七天还一万八", ["12000", "18000"]),
        ("借了1.2万到手8千", ["12000", "8000"]),
        ("你一直不还，一定要一天之内处理", []),  # 一 as a word
        ("借三十天", []),  # a term, not an amount
        ("借一笔钱还一下", []),
        ("万一你不还呢", []),
        ("再不还就交给外面的兄弟收拾你", []),  # 拾 is also a numeral
        ("欠款千万别再拖了", []),
        ("你还十分嚣张", []),
        ("欠了十万元", ["100000"]),
        ("连几千块都还不上", []),  # a rough size
        ("差的三千块我明天转你", ["3000"]),
    ],
)
def test_only_money_and_rates_are_rewritten(text: str, figures: list[str]) -> None:
    assert [rep for _, _, rep in default_reader().edits(normalize(text).text)] == figures


def test_spans_of_the_view_point_into_the_original() -> None:
    text = "【某贷】您借叁仟元到手贰仟壹佰元，日息千分之五"  # traditional/upper-case figures, a full-width bracket
    v = numeric_view(normalize(text))
    i = v.text.index("0.5%")
    assert text[slice(*v.to_original(i, i + 4))] == "千分之五"
    i = v.text.index("3000")
    assert text[slice(*v.to_original(i, i + 4))] == "叁仟"
    hits = default_rules().detect(text)
    assert {h.category for h in hits} == {"illegal_debt"}
    quotes = {text[a:b] for h in hits for a, b in h.spans}
    assert "借叁仟元到手贰仟壹佰" in quotes and "日息千分之五" in quotes


# spoken-number versions of the numeric rule cases: the same rule fires as on the digits
SPOKEN = [
    ("借2000到手1400，一周后还2000", "借两千到手一千四，一周后还两千", "B1"),
    ("借3000到手2100", "借三千到手两千一", "B1"),
    ("日息0.5%，你自己算算", "日息千分之五，你自己算算", "B4"),
    ("每天按1%收利息", "每天按百分之一收利息", "B4"),
    ("借1000一周还1500", "借一千一周还一千五", "B5"),
    ("借12000七天还18000", "借一万二七天还一万八", "B5"),
    ("你已逾期，每天罚50元", "你已逾期，每天罚五十元", "B5"),
    ("欠款已经滚到12000了", "欠款已经滚到一万二了", "B5"),
]


@pytest.mark.parametrize(("digits", "spoken", "rule"), SPOKEN)
def test_spoken_figures_get_the_verdict_of_the_digits(digits: str, spoken: str, rule: str) -> None:
    rd = default_rules()

    def verdict(t: str) -> set[tuple[str, str]]:
        return {(h.category, r) for h in rd.detect(t) for r in (h.rule_id or "").split(",")}

    assert ("illegal_debt", rule) in verdict(digits)
    assert verdict(spoken) == verdict(digits)


@pytest.mark.parametrize(
    "text",
    [
        "年化百分之十八，在法律保护范围内",
        "日息万分之五",  # 0.05% a day = 18.25% a year
        "你本期应还本金三千元，利息四十五元，请按时还款",
        "本金三千，利息四十五",
    ],
)
def test_lawful_spoken_figures_stay_lawful_for_the_rules(text: str) -> None:
    assert default_reader().edits(normalize(text).text)  # the figures were read
    assert not [h for h in default_rules().detect(text) if h.category == "illegal_debt"]


def test_a_transcript_end_to_end_through_classify() -> None:
    """An ASR transcript as round 3 writes it (4c8572c): numbers as spoken."""
    text = "喂，你上个月在我们平台借三千到手两千一，日息千分之五，今天必须把三千六百块全部还上"
    res = runner.invoke(app, ["classify", text, "--json"])
    assert res.exit_code == 0, res.output
    row = json.loads(res.output)
    hits = [h for h in row["hits"] if h["category"] == "illegal_debt"]
    assert hits, row
    h = hits[0]
    assert h["decided_by"].startswith("rule ") and {"B1", "B4"} <= set(h["rule"].split(","))
    assert h["quotes"] == [text[a:b] for a, b in h["spans"]]
    assert "借三千到手两千一" in h["quotes"] and "日息千分之五" in h["quotes"]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("借三千到手三千", False),  # nothing deducted
        ("借3000到手3000", False),
        ("借两千到手2500", False),  # more arrived than was borrowed: no deduction either
        ("借1万到手一万", False),  # the same figure written two ways
        ("借三千到手两千一", True),
        ("借款一万实际到账九千五", True),
        ("实际只到手2000", True),  # one figure: nothing to compare
    ],
)
def test_upfront_deduction_compares_the_two_figures(text: str, kept: bool) -> None:
    _, matches = default_rules().match(text)
    b1 = [m for m in matches if m.rule.id == "B1"]
    if kept:
        assert b1 and all(m.kept for m in b1), b1
    else:  # the pattern leaves equal figures out; the figures check vetoes the rest
        assert all(not m.kept and m.reason == "figures" for m in b1), b1


def test_an_unknown_figures_check_is_refused() -> None:
    rule = {"id": "Z1", "category": "illegal_debt", "re": "借", "conf": 0.5, "figures": "ascending"}
    with pytest.raises(ValueError, match="figures"):
        RuleDetector([rule], {}, default_rules().normalizer, "t")


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=11, max_value=10**9),
    st.sampled_from(["借", "到手", "本金", "欠了", "利息"]),
    st.sampled_from(["", "元", "块钱"]),
    st.sampled_from(["", "喂，", "【某贷】您好，"]),
)
def test_a_spoken_amount_in_a_sentence_reads_back_with_its_span(n: int, before: str, unit: str, lead: str) -> None:
    spoken = cn2an.an2cn(str(n))
    # an amount needs a digit and a unit (a bare 十 / 一 is a word there: tested above)
    assume(any(c in "十百千万亿" for c in spoken) and any(c in "一二三四五六七八九" for c in spoken))
    text = f"{lead}{before}{spoken}{unit}，请尽快处理"
    v = numeric_view(normalize(text))
    i = v.text.index(str(n))
    assert text[slice(*v.to_original(i, i + len(str(n))))] == spoken
