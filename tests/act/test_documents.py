"""Every document as DOCX and PDF: Chinese text, the case's dates/quotes, article numbers, fonts embedded."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from tests.act.act_builders import EXPOSURE_SMS, REMINDER_SMS, THIRD_PARTY_SMS, THREAT_SMS, Built, flat
from weiquan.report.render import docx_text, fonts_embedded, pdf_text

DOCS = ("lender", "regulator", "12321", "police", "lawsuit", "injunction", "catalogue", "contacts")
CLOSING = "由您本人签名并自行提交"
THREAT_WORDS = ("威胁", "恐吓", "弄死", "暴力", "上门", "曝光", "紧急危险", "人身安全")


SHEET = "提交前核对清单"


def _texts(files: list[Path]) -> dict[str, str]:
    """The document's text per format (its cover sheet 提交前核对清单 left out)."""
    return {f.suffix[1:]: _text(f) for f in files if not f.stem.endswith(SHEET)}


def _sheets(files: list[Path]) -> dict[str, str]:
    return {f.suffix[1:]: _text(f) for f in files if f.stem.endswith(SHEET)}


@functools.cache
def _text(f: Path) -> str:
    return docx_text(f) if f.suffix == ".docx" else pdf_text(f)


def test_all_documents_written_in_both_formats(drafted_threat: tuple[Built, dict[str, list[Path]]]) -> None:
    _, files = drafted_threat
    assert set(files) == set(DOCS) | {"plan"}
    for doc, paths in files.items():
        docs = [p for p in paths if not p.stem.endswith(SHEET)]
        sheets = [p for p in paths if p.stem.endswith(SHEET)]
        assert sorted(p.suffix for p in docs) == [".docx", ".pdf"], doc
        # every document that is sent has its cover sheet beside it (the plan is written for the user)
        assert sorted(p.suffix for p in sheets) == ([] if doc == "plan" else [".docx", ".pdf"]), doc
        assert all(p.stat().st_size > 2000 for p in paths)


@pytest.mark.parametrize("doc", DOCS)
def test_document_text(doc: str, drafted_threat: tuple[Built, dict[str, list[Path]]]) -> None:
    built, files = drafted_threat
    for fmt, text in _texts(files[doc]).items():
        words = flat(text)
        assert len(re.findall(r"[\u4e00-\u9fff]", words)) > 150, (doc, fmt)
        # notes to the user are on the cover sheet, never in the document that is sent (issue 16 item 6)
        assert flat(CLOSING) not in words and "自动识别" not in words, (doc, fmt)
        assert flat(CLOSING) in flat(_sheets(files[doc])[fmt]), (doc, fmt)
        if doc != "catalogue":
            assert "2026年3月" in words, (doc, fmt)
        if doc == "catalogue":
            for sha in built.evidence_sha:
                assert sha in words, (doc, fmt)
        if doc in ("lender", "regulator", "police", "lawsuit", "injunction"):
            assert "弄死你全家" in words and "老赖" in words, (doc, fmt)


def test_article_numbers_come_from_the_law_pack(drafted_threat: tuple[Built, dict[str, list[Path]]]) -> None:
    _, files = drafted_threat
    t = {d: flat(_texts(files[d])["pdf"]) + flat(_texts(files[d])["docx"]) for d in DOCS}
    # third-party contact → 民法典第一千零三十三条 (private life), in the civil suit
    from weiquan.law.pack import load_pack

    assert "第一千零三十三条" in t["lawsuit"]
    assert flat(load_pack().provisions["civil-1033-1"].cite()) in t["lawsuit"]
    assert "第一千一百八十三条" in t["lawsuit"]  # mental-distress damages
    assert "《中华人民共和国民事诉讼法》第一百二十二条" in t["lawsuit"]
    # police: new numbering of the 治安管理处罚法 (Art. 50, Art. 90), never the old Art. 42
    assert "《中华人民共和国治安管理处罚法》第五十条第一款第（一）项" in t["police"]
    assert "第九十条" in t["police"] and "第四十二条" not in t["police"]
    assert "《中华人民共和国民法典》第九百九十七条" in t["injunction"]
    assert "银行业保险业消费投诉处理管理办法" in t["lender"]


def test_12321_keeps_the_original_sms_text(drafted_threat: tuple[Built, dict[str, list[Path]]]) -> None:
    _, files = drafted_threat
    texts = _texts(files["12321"])
    for sms in (THREAT_SMS, EXPOSURE_SMS, THIRD_PARTY_SMS):
        assert sms in texts["docx"]  # exact, unaltered
        assert flat(sms) in flat(texts["pdf"])
    assert "17100000009" in texts["docx"]  # the flooding number with its count
    assert REMINDER_SMS in texts["docx"]  # the night-time reminder is part of a finding


def test_amounts_in_figures_and_capitals(drafted_threat: tuple[Built, dict[str, list[Path]]]) -> None:
    _, files = drafted_threat
    text = _texts(files["lawsuit"])["docx"]
    assert "人民币5,000.00元（大写：伍仟元整）" in text


def test_fields_to_complete_are_marked(drafted_threat: tuple[Built, dict[str, list[Path]]]) -> None:
    from docx import Document

    _, files = drafted_threat
    docx = next(p for p in files["lawsuit"] if p.suffix == ".docx")
    d = Document(str(docx))
    marked = [r for p in d.paragraphs for r in p.runs if r.text.startswith("【请填写")]
    assert marked and all(r.font.highlight_color is not None for r in marked)
    assert "【请填写：统一社会信用代码】" in docx_text(docx)


def test_docx_sets_the_east_asian_font(drafted_threat: tuple[Built, dict[str, list[Path]]]) -> None:
    from docx import Document
    from docx.oxml.ns import qn

    _, files = drafted_threat
    d = Document(str(files["lender"][0]))
    fonts = d.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "宋体"


def test_documents_keep_the_lawful_repayment_path(drafted_threat: tuple[Built, dict[str, list[Path]]]) -> None:
    _, files = drafted_threat
    assert "不拒绝偿还依法应当偿还的借款" in _texts(files["lender"])["docx"]
    for doc in ("lawsuit", "injunction", "regulator"):
        assert "协商" in _texts(files[doc])["docx"]
    for doc in DOCS:
        for text in _texts(files[doc]).values():
            assert "不要还" not in text and "无需还款" not in text and "停止还款" not in text


def test_pdf_fonts_embedded_and_pages_not_blank(
    drafted_threat: tuple[Built, dict[str, list[Path]]], tmp_path: Path
) -> None:
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm (poppler-utils) is needed for this test")
    _, files = drafted_threat
    for doc in DOCS:
        pdf = next(p for p in files[doc] if p.suffix == ".pdf")
        assert any("CJK" in f or "WenQuanYi" in f for f in fonts_embedded(pdf)), doc
        stem = tmp_path / doc
        subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", str(pdf), str(stem)], check=True)
        png = next(tmp_path.glob(f"{doc}*.png"))
        img = Image.open(png).convert("L")
        dark = sum(img.histogram()[:128])
        assert dark > 0.005 * img.width * img.height, f"{doc}: page 1 looks blank ({dark} dark pixels)"


def test_nothing_invented_without_threats(drafted_calm: tuple[Built, dict[str, list[Path]]]) -> None:
    # (the plan document is left out: it quotes each body's remit from the law pack, not the case's facts)
    _, files = drafted_calm
    assert set(files) == set(DOCS) | {"plan"}
    from weiquan.law.pack import load_pack

    # a statute's own words quoted after its citation ("多次发送淫秽、侮辱、恐吓…的") are the law, not an allegation
    statute_words = sorted(
        {t.text_zh.strip("。；") for p in load_pack().provisions.values() for t in p.texts}, key=len, reverse=True
    )
    for doc in DOCS:
        for fmt, text in _texts(files[doc]).items():
            text = "".join(text.split())  # PDF text breaks lines inside a quotation
            for sw in statute_words:
                text = text.replace("".join(sw.split()), "")
            for w in THREAT_WORDS:
                assert w not in text, f"{doc}.{fmt} mentions {w!r} although the case has no threat"
            assert "老赖" not in text


def test_regulator_short_version_fits_the_limit(drafted_threat: tuple[Built, dict[str, list[Path]]]) -> None:
    _, files = drafted_threat
    text = _texts(files["regulator"])["docx"]
    m = re.search(r"简要版（用于网上投诉表单，(\d+)字，上限(\d+)字", text)
    assert m and int(m.group(1)) <= int(m.group(2))
    assert "完整版" in text
