"""Issue 16, deliverables 1–2: each provision in the version in force when the conduct happened, with that
version's own words; whom every norm binds and from when, as data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from weiquan.law.pack import PACK_DIR, load_pack

D = dt.date


@pytest.fixture(scope="module")
def pack():
    return load_pack(use_user_lpr=False)


def test_2012_and_2025_words_of_the_public_security_law(pack):
    """The 2012 Art. 42(5) knows only messages; the 2025 Art. 50(1)(5) adds 滋扰、纠缠、跟踪 (primary texts:
    LawRefBook/Laws 2012 text; 2025 text as reprinted by the SPP)."""
    p = pack.provisions["psapl-50-1-5"]
    old, new = p.texts
    assert (old.version, old.short, old.in_force_to) == ("psapl_2012", "42(5)", D(2025, 12, 31))
    assert old.text_zh == "多次发送淫秽、侮辱、恐吓或者其他信息，干扰他人正常生活的"
    assert "滋扰" not in old.text_zh and "五百元" in old.penalty and "一千元" not in old.penalty
    assert new.text_zh == "多次发送淫秽、侮辱、恐吓等信息或者采取滋扰、纠缠、跟踪等方法，干扰他人正常生活的"
    assert new.current and new.in_force_from == D(2026, 1, 1)
    # 寻衅滋事: the 2012 item (4) is only 其他寻衅滋事行为
    xs = pack.provisions["psapl-30"].texts
    assert xs[0].citation.endswith("（2012年修正）第二十六条第（四）项") and xs[0].text_zh == "其他寻衅滋事行为"
    assert xs[1].text_zh == "其他无故侵扰他人、扰乱社会秩序的寻衅滋事行为"
    # the 6-month limit: 2012 Art. 22, 2025 Art. 25
    assert [t.short for t in pack.provisions["psapl-25"].texts] == ["22", "25"]


@pytest.mark.parametrize(
    "first,last,expect_cite,expect_note",
    [
        (D(2024, 3, 1), D(2024, 3, 20), "（2012年修正）第四十二条第（五）项", None),
        (D(2026, 2, 1), D(2026, 3, 1), "》第五十条第一款第（五）项", None),
        (D(2025, 12, 20), D(2026, 1, 5), "》第五十条第一款第（五）项", "2025年12月31日及以前的行为适用"),
    ],
)
def test_cited_in_the_version_in_force(pack, first, last, expect_cite, expect_note):
    cite, note = pack.provisions["psapl-50-1-5"].cite_for_conduct(first, last)
    assert cite.endswith(expect_cite)
    assert (note is None) if expect_note is None else (expect_note in note and "第四十二条第（五）项" in note)
    texts = pack.provisions["psapl-50-1-5"].texts_for_conduct(first, last)
    assert [t.current for t in texts] == (
        [False] if last.year == 2024 else [True] if first.year == 2026 else [False, True]
    )


def test_new_provisions_are_never_cited_for_earlier_conduct(pack):
    """治安 Art. 56 and the 禁止接触 order are new in 2025; GB/T 45251 dates from 2025-02-28; the CBA guideline
    from 2026-01-30."""
    before = (D(2024, 6, 1), D(2024, 6, 30))
    for pid in ("psapl-56", "psapl-50-2", "gbt45251-5.3", "cba_guideline-night"):
        assert pack.provisions[pid].cite_for_conduct(*before) == (None, None), pid
    assert pack.provisions["gbt45251-5.3"].cite_for_conduct(D(2025, 3, 1), D(2025, 3, 2))[0]
    assert pack.provisions["cba_guideline-night"].cite_for_conduct(D(2026, 1, 10), D(2026, 1, 20)) == (None, None)
    assert pack.provisions["criminal-293-1"].cite_for_conduct(D(2020, 6, 1), D(2020, 6, 2)) == (None, None)


def test_every_statute_states_whom_it_binds_and_from_when():
    raw = yaml.safe_load((Path(PACK_DIR) / "provisions.yaml").read_text(encoding="utf-8"))
    for s in raw["statutes"]:
        assert "binds" in s and "in_force_from" in s, s["id"]


@pytest.mark.parametrize(
    "pid,licence,member,expected",
    [
        ("cba_guideline-night", "consumer_finance", True, True),
        ("cba_guideline-night", "consumer_finance", None, None),
        ("cba_guideline-night", "consumer_finance", False, False),
        ("cba_guideline-night", "small_loan", True, False),
        ("nifa_convention-16", "small_loan", True, True),
        ("nifa_convention-16", "small_loan", False, False),
        ("nifa_convention-16", "unlicensed", None, False),
        ("consumer_protection_measures-collection", "small_loan", None, False),
        ("consumer_protection_measures-collection", "bank", None, True),
        ("complaint_measures-deadline", "unlicensed", None, False),
        ("private_lending-25", "consumer_finance", None, False),
        ("private_lending-13", "unlicensed", None, True),
        ("criminal-225", "consumer_finance", None, False),
        ("psapl-50-1-5", "unlicensed", None, True),
    ],
)
def test_binds(pack, pid, licence, member, expected):
    assert pack.provisions[pid].applies_to(licence, member) is expected


def test_nifa_article_numbers_are_unverified(pack):
    """The 公约's article numbers come from a Spanish translation, not a primary source (nifa-convention-2018)."""
    for pid, p in pack.provisions.items():
        if p.statute_id == "nifa_convention" and p.article is not None:
            assert p.confidence == "unverified", pid


def test_criminal_246_is_marked_private_prosecution(pack):
    assert "告诉的才处理" in pack.provisions["criminal-246"].note_zh
