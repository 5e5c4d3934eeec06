"""The law pack loads, validates, cross-references and keeps the 2026 numbering."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from weiquan.errors import InputError, ProblemFound
from weiquan.law.integrity import CATEGORIES, check_pack
from weiquan.law.pack import PACK_DIR, clear_cache, load_pack


@pytest.fixture()
def pack():
    return load_pack(use_user_lpr=False)


def test_loads_and_is_consistent(pack):
    assert check_pack(pack) == []
    assert set(pack.violations) == set(CATEGORIES)
    assert load_pack(use_user_lpr=False) is pack  # cached


def test_every_referenced_provision_exists(pack):
    refs = [r.provision_id for v in pack.violations.values() for r in v.provisions]
    refs += [r.provision_id for r in pack.conduct.night.rules]
    refs += [
        pack.conduct.max_connected_voice_per_day.provision_id,
        pack.conduct.max_attempts_per_method_per_day.provision_id,
    ]
    refs += [r.provision_id for r in [*pack.conduct.third_party, *pack.conduct.home_visit]]
    refs += [p for rule in pack.interest_rules.rules.values() for p in rule.provision_ids]
    refs = [r for r in refs if r]
    assert len(refs) > 60
    missing = [r for r in refs if r not in pack.provisions]
    assert missing == []


def test_every_channel_has_source_and_bodies_exist(pack):
    for c in pack.channels.values():
        assert c.source.strip(), c.id
        assert c.confidence in ("verified", "single-source", "unverified")
        if c.deadline:
            assert c.deadline.source.strip() and c.deadline.unit in ("calendar", "working")
    for v in pack.violations.values():
        assert all(b in pack.channels for b in v.bodies)
    for lender in pack.lenders:
        assert lender.source.strip() and all(c in pack.channels for c in lender.channels)


def test_every_provision_has_source_and_confidence(pack):
    for p in pack.provisions.values():
        assert p.source.strip() and p.confidence in ("verified", "single-source", "unverified"), p.id
        assert p.summary_zh


def test_lpr_dates_increasing_and_lookup(pack):
    dates = [d for d, _ in pack.lpr]
    assert dates == sorted(dates) and len(set(dates)) == len(dates)
    assert dates[0] == dt.date(2019, 8, 20)
    assert pack.lpr_on(dt.date(2019, 8, 20)) == 0.0425
    assert pack.lpr_on(dt.date(2021, 12, 19)) == 0.0385
    assert pack.lpr_on(dt.date(2021, 12, 20)) == 0.0380
    assert pack.lpr_on(dt.date(2025, 6, 1)) == 0.03
    assert 4 * pack.lpr_on(dt.date(2025, 6, 1)) == pytest.approx(0.12)
    assert pack.lpr_fixing_on(dt.date(2026, 11, 20)).stale
    assert not pack.lpr_fixing_on(dt.date(2025, 6, 1)).stale
    with pytest.raises(InputError):
        pack.lpr_on(dt.date(2019, 8, 19))


def test_public_security_law_2026_numbering(pack):
    p = pack.provisions
    for pid, item in (("psapl-50-1-1", 1), ("psapl-50-1-2", 2), ("psapl-50-1-5", 5), ("psapl-50-1-6", 6)):
        assert (p[pid].article, p[pid].paragraph, p[pid].item) == (50, 1, item)
        assert p[pid].in_force == dt.date(2026, 1, 1)
        assert p[pid].old_article.startswith("42")
    assert p["psapl-56"].article == 56 and "个人信息" in p["psapl-56"].summary_zh
    assert p["psapl-50-1-5"].cite() == "《中华人民共和国治安管理处罚法》第五十条第一款第（五）项"
    assert p["psapl-56"].cite() == "《中华人民共和国治安管理处罚法》第五十六条"
    assert "滋扰、纠缠、跟踪" in p["psapl-50-1-5"].summary_zh
    # no administrative citation uses the old Art. 42
    assert all(x.article != 42 for x in p.values() if x.statute_id == "psapl")

    def cited(cat: str) -> set[str]:
        return {r.provision_id for r in pack.violations[cat].provisions}

    assert "psapl-50-1-1" in cited("threat_violence")
    assert "psapl-50-1-2" in cited("insult")
    assert "psapl-50-1-5" in cited("harassment_volume")
    assert "psapl-56" in cited("privacy_disclosure")
    assert "psapl-62-1" in cited("impersonation") and "psapl-62-3" in cited("impersonation")


def test_citations(pack):
    assert pack.provisions["criminal-293-1"].cite() == "《中华人民共和国刑法》第二百九十三条之一"
    assert pack.provisions["civil-1033-1"].cite() == "《中华人民共和国民法典》第一千零三十三条第（一）项"
    assert pack.provisions["civil-670"].cite() == "《中华人民共和国民法典》第六百七十条"
    # a standard is cited by its clause and heading only (gbt-45251-2025: the clause text was not seen), never "第5.3条"
    assert (
        pack.provisions["gbt45251-5.3"].cite()
        == "《互联网金融 个人网络消费信贷 贷后催收风控指引》（GB/T 45251—2025）5.3 业务管理"
    )
    assert not any("第5." in p.cite() for p in pack.provisions.values())
    assert [p.id for p in pack.provisions_for("night_contact")][:2] == ["gbt45251-5.3", "cba_guideline-night"]
    assert pack.provisions_for("lawful") == []
    with pytest.raises(InputError):
        pack.provisions_for("nonsense")


def test_conduct_thresholds(pack):
    c = pack.conduct
    assert (c.night.start, c.night.end, c.night.consent_lifts) == (dt.time(22), dt.time(8), True)
    assert (
        c.night.contains(dt.time(23, 30)) and c.night.contains(dt.time(7, 59)) and not c.night.contains(dt.time(8, 0))
    )
    assert c.max_connected_voice_per_day.value == 3 and c.max_connected_voice_per_day.strength == "national_standard"
    assert c.max_attempts_per_method_per_day.value == 6 and c.max_attempts_per_method_per_day.soft
    assert c.max_attempts_per_method_per_day.strength == "self_regulation"
    assert {r.id for r in c.third_party} >= {"only_when_unreachable", "no_debt_details", "stop_on_objection"}
    # the 2018 NIFA convention sets no clock hours and must not be cited for the night window
    assert all(not (r.provision_id or "").startswith("nifa_convention") for r in c.night.rules)
    visit2 = next(r for r in c.home_visit if r.id == "visit_two_staff")
    assert visit2.confidence == "unverified"


def test_channels_by_licence(pack):
    small = {c.id for c in pack.channels_for(licence_type="small_loan")}
    assert "local_regulator" in small and "nfra" not in small
    cf = {c.id for c in pack.channels_for(licence_type="consumer_finance")}
    assert "nfra" in cf and "local_regulator" not in cf
    assert pack.channels["nfra"].contact.hotline == "12378"
    assert pack.channels["credit_center"].contact.hotline == "400-810-8866"
    lender = pack.channels["lender"].deadline
    assert (lender.days, lender.unit, lender.max_days) == (15, "calendar", 60)
    assert pack.channels["miit_12300"].deadline.unit == "working"


def test_deadlines_say_what_the_notes_say(pack):
    """15 / extendable to 30 / +30 with approval (cbirc-complaints-2020); the rule says "日" and the calendar-day
    count is the tool's estimate (channels.yaml unit_estimated); police: 30 days from 立案, +30 with approval,
    at most twice (psapl-2025)."""
    lender = pack.channels["lender"].deadline
    assert lender.extensions == [15, 30] and lender.days + sum(lender.extensions) == lender.max_days == 60
    assert lender.summary_zh == "15日／30日／再延长30日（规定写的是“日”）"
    police = pack.channels["police"].deadline
    assert (police.days, police.extensions, police.max_days) == (30, [30, 30], 90)
    assert police.starts_zh.startswith("自立案") and "上一级公安机关批准" in police.rule_zh
    # the statute's own words (2025 Art. 118, primary text): 案情重大、复杂的 … 期限延长以二次为限
    assert "期限延长以二次为限" in pack.provisions["psapl-118"].current_text.text_zh
    for ch in pack.channels.values():
        for d in [ch.deadline, *ch.extra_deadlines]:
            if d is None or d.unit == "working":
                continue
            # a rule that only says "日": never stated as settled calendar days
            assert d.unit_estimated and "估算" in d.unit_basis_zh and "按自然日计算" not in d.unit_basis_zh, ch.id


def test_provision_roles(pack):
    """Procedural and remedy provisions are marked in the data, so documents never list them as rules broken."""
    p = pack.provisions
    for pid in (
        "psapl-90",
        "psapl-118",
        "complaint_measures-13",
        "complaint_measures-deadline",
        "civil_procedure-29",
        "civil_procedure-122",
        "civil_procedure-124",
    ):
        assert p[pid].role == "procedure", pid
    for pid in ("civil-997", "civil-995", "civil-1183", "psapl-50-2"):
        assert p[pid].role == "remedy", pid
    for pid in ("psapl-50-1-5", "civil-1033-1", "private_lending-25", "gbt45251-5.3"):
        assert p[pid].role == "conduct", pid
    for v in pack.violations.values():
        assert all(p[r.provision_id].role != "procedure" for r in v.provisions), v.id


def test_lending_rules_are_scoped_to_the_lenders_they_govern(pack):
    """民间借贷规定 excludes licensed institutions and small-loan companies (docs/sources.md#private-lending-scope:
    spc-private-lending-2020, spc-reply-2020-27); 法发〔2017〕22号 is the licensed lenders' rule (spc-finance-trial-2017)."""
    p = pack.provisions
    for pid in ("private_lending-25", "private_lending-26", "private_lending-29"):
        assert p[pid].licence_types == ["private", "unlicensed"]
        for lic in ("bank", "consumer_finance", "small_loan"):
            assert p[pid].applies_to(lic) is False
        assert p[pid].applies_to("private") is True and p[pid].applies_to(None) is None
        assert p[pid].licence_note_zh
    fin = p["fin_trial_opinion-24"]
    assert fin.applies_to("consumer_finance") and not fin.applies_to("private")
    illegal_debt = {r.provision_id for r in pack.violations["illegal_debt"].provisions}
    assert {"fin_trial_opinion-24", "private_lending-25"} <= illegal_debt
    assert p["psapl-56"].applies_to("bank") is True  # laws of general application: any lender


def test_unsourced_details_are_not_stated(pack):
    """Only what the notes support: 法发〔2017〕22号 and the 非法放贷 opinion have no article or date in the notes."""
    fin = pack.provisions["fin_trial_opinion-24"]
    assert fin.article is None and fin.in_force is None and fin.confidence == "unverified"
    assert "第二条" not in fin.cite()
    assert pack.provisions["illegal_lending_opinion-all"].in_force is None
    assert pack.statutes["civil_procedure"].in_force is None
    assert pack.statutes["litigation_fees"].in_force is None
    assert "05-28" not in pack.statutes["civil_code"].version
    assert "08-20" not in pack.statutes["pipl"].version
    assert "户籍地" not in (pack.channels["police"].contact.address_zh or "")
    assert "互联网法院" in pack.channels["court"].body and "未核实" in pack.channels["court"].body
    brands = {b for lender in pack.lenders for b in lender.brands}
    assert not brands & {"有钱花", "美团借钱", "美团月付", "奇富借条"}


def test_violation_mapping_follows_the_behaviour_table(pack):
    def cited(cat: str) -> set[str]:
        return {r.provision_id for r in pack.violations[cat].provisions}

    # GB/T 45251 is in the notes only for hours, frequency and third parties (gbt-45251-2025)
    assert "gbt45251-5.3" not in cited("threat_violence")
    # exposure maps to 50(1)(2)/(6), not to 50(1)(1) (threats to personal safety) (psapl-2025)
    assert "psapl-50-1-1" not in cited("threat_exposure")
    assert {"psapl-50-1-2", "psapl-50-1-6"} <= cited("threat_exposure")


def test_no_contact_order_only_for_pestering_conduct(pack):
    """治安 Art. 50(2): only for the 滋扰、纠缠、跟踪 conduct of Art. 50(1)(5) (psapl-2025)."""
    opened = {
        (v.id, r.provision_id) for v in pack.violations.values() for r in v.provisions if "psapl-50-2" in r.remedies
    }
    assert opened == {
        ("harassment_volume", "psapl-50-1-5"),
        ("threat_visit", "psapl-50-1-5"),
        ("home_visit", "psapl-50-1-5"),  # a visit with 纠缠、跟踪 after it
    }


def test_a_visit_that_happened_is_its_own_category(pack):
    """home_visit (conduct: a visit that happened) is not 上门恐吓 (threat_visit: a text threatening one). Its
    provisions are the home-visit conduct rules (conduct.yaml home_visit) and the 治安/criminal provisions for
    entering, pestering or following, each with the condition under which it applies; none is "if carried out"."""
    v, t = pack.violations["home_visit"], pack.violations["threat_visit"]
    assert (v.name_zh, t.name_zh) == ("上门催收", "上门恐吓")
    assert "威胁" not in v.name_zh and v.description_zh and v.severity
    cited = [r.provision_id for r in v.provisions]
    # the home-visit conduct rules but the night one, which the detector cites on a visit recorded at night only
    assert {r.provision_id for r in pack.conduct.home_visit if r.id != "visit_night"} <= set(cited)
    assert "cba_guideline-night" not in cited
    assert {"psapl-47-1-3", "psapl-50-1-5", "psapl-30", "criminal-293-1"} <= set(cited)
    assert "psapl-50-1-1" not in cited  # a visit is not a threat to the body
    assert not any(r.if_carried_out for r in v.provisions)
    assert all(r.note_zh for r in v.provisions)
    assert next(r for r in v.provisions if r.provision_id == "criminal-293-1").requires == ["illegal_debt"]
    assert {"police", "lender"} <= set(v.bodies)
    assert all("home_visit" in pack.channels[b].handles.violations for b in v.bodies)


def test_licensed_lenders_are_not_compared_with_the_old_36_percent_line(pack):
    """The 24/36 two-line rule ended 2020-08-20 and 141号文 was not seen (cash-loan-notice-2017): no licensed regime uses 36 %."""
    for lic in ("bank", "consumer_finance", "small_loan"):
        regime = pack.regime_for(lic, dt.date(2025, 1, 1))
        assert all(pack.caps[c].verdict != "above_36" for c in regime.caps), lic
        assert "line_36_cash_loan" not in regime.caps


def test_forbidden_number_never_in_data():
    for f in PACK_DIR.glob("*.yaml"):
        text = f.read_text(encoding="utf-8")
        body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        assert "95105678" not in body, f.name


def test_interest_rules(pack):
    r = pack.regime_for("private", dt.date(2025, 6, 1))
    assert r.id == "private_2020" and r.caps == ["four_lpr_contract"]
    old = pack.regime_for("private", dt.date(2019, 1, 1))
    assert old.transition_cap == "four_lpr_filing" and old.transition_from == dt.date(2020, 8, 20)
    assert pack.regime_for("consumer_finance", dt.date(2025, 1, 1)).id == "licensed_bank_cf"
    assert pack.caps["assisted_24"].interpretation is True
    assert pack.cap_rate(pack.caps["four_lpr_contract"], contract_date=dt.date(2025, 6, 1)) == pytest.approx(0.12)
    assert pack.cap_rate(pack.caps["four_lpr_contract"], contract_date=dt.date(2020, 9, 1)) == pytest.approx(0.154)


def _copy_pack(tmp_path: Path) -> Path:
    d = tmp_path / "cn"
    shutil.copytree(PACK_DIR, d)
    return d


def test_schema_rejects_bad_data(tmp_path):
    d = _copy_pack(tmp_path)
    data = yaml.safe_load((d / "conduct.yaml").read_text(encoding="utf-8"))
    data["max_connected_voice_per_day"]["strength"] = "rumour"
    (d / "conduct.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    clear_cache()
    with pytest.raises(ProblemFound) as e:
        load_pack(pack_dir=d, use_user_lpr=False)
    assert "conduct.yaml" in e.value.en and "校验失败" in e.value.zh


def test_dangling_reference_rejected(tmp_path):
    d = _copy_pack(tmp_path)
    data = yaml.safe_load((d / "violations.yaml").read_text(encoding="utf-8"))
    data["violations"][0]["provisions"].append({"provision_id": "psapl-42", "kind": "administrative"})
    (d / "violations.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    clear_cache()
    with pytest.raises(ProblemFound) as e:
        load_pack(pack_dir=d, use_user_lpr=False)
    assert "psapl-42" in e.value.en


def test_missing_source_rejected(tmp_path):
    d = _copy_pack(tmp_path)
    data = yaml.safe_load((d / "channels.yaml").read_text(encoding="utf-8"))
    del data["channels"][1]["source"]
    (d / "channels.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    clear_cache()
    with pytest.raises(ProblemFound):
        load_pack(pack_dir=d, use_user_lpr=False)
