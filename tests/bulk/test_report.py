"""The corpus report renders from plain rows, including the empty and undated cases."""

from __future__ import annotations

from weiquan.report.corpus import CorpusReportData, render_corpus_report

SUMMARY = {
    "texts": 0,
    "unlawful": 0,
    "lenders": 0,
    "rejects": 3,
    "reject_reasons": {"bad_json": 3},
    "inputs": [],
    "unmatched_lender": 0,
    "undated": 0,
    "detector_version": "v",
    "partitions": 1,
    "workers": 1,
    "seconds": 1.0,
    "finished_at": "2026-12-07T00:00:00+00:00",
}


def test_empty_run_renders_with_explanations() -> None:
    html = render_corpus_report(CorpusReportData(SUMMARY, [], [], reason_zh={"bad_json": "JSON 解析失败"}))
    assert html.count("<svg") == 3 and "没有投诉量足够的放贷方" in html and "没有可读的投诉日期" in html
    assert "JSON 解析失败 3 条" in html


def test_small_lenders_are_not_ranked_and_unregistered_names_are_marked() -> None:
    months = [
        {
            "lender": "甲消费金融有限公司",
            "month": "2024-01",
            "complaints": 40,
            "unlawful": 10,
            "lender_id": "cf_a",
            "licence_type": "consumer_finance",
        },
        {
            "lender": "乙贷",
            "month": None,
            "complaints": 30,
            "unlawful": 24,
            "lender_id": None,
            "licence_type": "unknown",
        },
        {
            "lender": "丙花",
            "month": "2024-02",
            "complaints": 2,
            "unlawful": 2,
            "lender_id": None,
            "licence_type": "unknown",
        },
    ]
    agg = [
        {"lender": "乙贷", "label": "insult", "month": None, "count": 20},
        {"lender": "甲消费金融有限公司", "label": "lawful", "month": "2024-01", "count": 30},
    ]
    summary = {**SUMMARY, "texts": 72, "unlawful": 36, "lenders": 3}
    html = render_corpus_report(CorpusReportData(summary, agg, months, label_zh={"insult": "辱骂侮辱"}))
    ranked = html[html.index("<table>") : html.index("</table>")]
    assert ranked.index("乙贷") < ranked.index("甲消费金融有限公司") and "丙花" not in ranked  # 2 complaints < 20
    assert '<td class="unreg">乙贷</td>' in ranked and "800.0" in ranked and "辱骂侮辱" in ranked


def test_a_missing_extra_is_named_not_faked(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]  # untyped pytest fixtures or test doubles
    import importlib.util

    import pytest

    from weiquan.errors import MissingComponent
    from weiquan.services import bulk as svc

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pyarrow" else real(name, *a))
    with pytest.raises(MissingComponent) as e:
        svc.run_bulk([tmp_path / "x.csv"], tmp_path / "out")
    assert "pyarrow" in e.value.zh and ".[bulk]" in e.value.zh and not (tmp_path / "out").exists()
