from __future__ import annotations

import pytest

from weiquan.law.lenders import check_lender, normalise
from weiquan.law.pack import load_pack


@pytest.fixture()
def reg():
    return load_pack(use_user_lpr=False).lender_registry


def test_thirty_one_consumer_finance_companies(reg):
    cfc = [x for x in reg.lenders if x.licence_type == "consumer_finance"]
    assert len(cfc) == 31
    assert len({x.entity for x in cfc}) == 31
    assert all(x.regulator == "国家金融监督管理总局" and "nfra" in x.channels for x in cfc)


@pytest.mark.parametrize(
    ("query", "lender_id"),
    [
        ("招联消费金融股份有限公司", "cf_zhaolian"),
        ("招联金融", "cf_zhaolian"),
        ("捷信", "cf_tianjin_jd"),
        ("安逸花", "cf_mashang"),
        ("小米分期", "cf_xiaomi"),
        ("京东白条", "jd_small_loan"),
        ("马上消费金融", "cf_mashang"),
        ("ＡＢＣ 招联金融 app", "cf_zhaolian"),
    ],
)
def test_find(reg, query, lender_id):
    from weiquan.law.lenders import find_lender

    m = find_lender(reg, query)
    assert m and m[0].lender.id == lender_id


def test_pack_find_lender_contract():
    m = load_pack(use_user_lpr=False).find_lender("花呗", limit=3)
    assert m[0].lender.entity == "重庆蚂蚁消费金融有限公司" and m[0].licence_type == "consumer_finance"


def test_not_found_and_red_flags(reg):
    c = check_lender(reg, "极速借款口子")
    assert c.licence_type is None and c.licence_source == "unknown"
    assert any("未找到" in f for f in c.red_flags) and any("口子" in f for f in c.red_flags)
    fake = check_lender(reg, "华夏鼎盛消费金融")
    assert fake.claimed_licence == "consumer_finance" and fake.licence_type is None
    assert any("31家" in f for f in fake.red_flags)


def test_ambiguous_brand(reg):
    c = check_lender(reg, "京东")
    assert c.licence_source == "ambiguous" and c.licence_type is None
    assert {"nfra", "local_regulator"} <= set(c.channels)


def test_normalise():
    assert normalise(" 招联消费金融股份有限公司 ") == "招联消费金融"
    assert normalise("ＡＰＰ") == "app"


def test_match_exposes_contract_fields():
    m = load_pack(use_user_lpr=False).find_lender("捷信")[0]
    assert m.entity == "天津京东消费金融有限公司" and "捷信" in m.aliases
    assert (
        m.regulator == "国家金融监督管理总局" and m.source and m.confidence == "unverified"
    )  # list not read from NFRA
    assert m.hotline is None  # no complaint hotline in the research notes; never invented


def test_a_listed_lender_says_its_licence_is_unverified(reg):
    """The list of licensed lenders was read as quoted, not from the NFRA (sources.yaml nfra-institution-list is
    unconfirmed): a match keeps its licence type and says the licence is 未核实, pointing to the licence lookup."""
    c = check_lender(reg, "招联消费金融有限公司")
    assert c.licence_type == "consumer_finance"
    assert any("未核实" in n and "金融许可证查询" in n for n in c.notes), c.notes
