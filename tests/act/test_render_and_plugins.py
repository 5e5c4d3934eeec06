"""The shared HTML→PDF/DOCX helper, the short-text fitter and document plug-ins."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.act.act_builders import build_case
from weiquan.act.base import DocumentSpec
from weiquan.act.drafting import fit_text
from weiquan.hookspecs import hookimpl
from weiquan.plugins import plugin_manager
from weiquan.report.render import (
    base_css,
    cjk_font_stack,
    docx_text,
    fonts_embedded,
    html_to_docx,
    html_to_pdf,
    installed_cjk_fonts,
    pdf_text,
    wrap_html,
)
from weiquan.workspace import Workspace
from weiquan.zh.format import money_zh


def test_html_to_pdf_and_docx_roundtrip(tmp_path: Path) -> None:
    html = wrap_html(
        '<h1>测试文书</h1><p>第一段：<span class="fill">【请填写：姓名】</span></p>'
        "<table><tr><th>序号</th><th>名称</th></tr><tr><td>1</td><td>通话记录</td></tr></table>"
        "<ol><li>停止联系第三人</li></ol><pre>原文  两个空格\n第二行</pre>",
        title="测试",
    )
    pdf = html_to_pdf(html, tmp_path / "a" / "t.pdf")
    docx = html_to_docx(html, tmp_path / "a" / "t.docx")
    assert "测试文书" in pdf_text(pdf) and "通话记录" in pdf_text(pdf)
    assert fonts_embedded(pdf)
    text = docx_text(docx)
    assert "【请填写：姓名】" in text and "1. 停止联系第三人" in text and "通话记录" in text
    assert "原文  两个空格" in text  # <pre> keeps whitespace
    assert not list((tmp_path / "a").glob("*.part"))


def test_font_stack_and_css() -> None:
    assert cjk_font_stack()[0].startswith("Noto")
    assert installed_cjk_fonts(), "a CJK font (fonts-noto-cjk or fonts-wqy-microhei) must be installed"
    css = base_css(title="页眉")
    assert "@page" in css and "counter(pages)" in css and "Noto Serif CJK SC" in css


def test_money_in_figures_and_capitals() -> None:
    assert money_zh(12860.5) == "人民币12,860.50元（大写：壹万贰仟捌佰陆拾元伍角）"
    assert money_zh(3000) == "人民币3,000.00元（大写：叁仟元整）"
    assert money_zh(None) == ""


@settings(max_examples=80, deadline=None)
@given(
    units=st.lists(
        st.tuples(st.text(alphabet="催收短信电话投诉一二三，。", min_size=0, max_size=120), st.booleans()), max_size=8
    ),
    limit=st.integers(min_value=10, max_value=400),
)
def test_fit_text_never_exceeds_the_limit(units: list[tuple[str, bool]], limit: int) -> None:
    out = fit_text(units, limit)
    assert len(out) <= limit
    full = "\n".join(t.strip() for t, _ in units if t.strip())
    if len(full) <= limit:
        assert out == full  # nothing dropped when it fits


def test_fit_text_drops_optional_before_required() -> None:
    units = [("必需开头" * 5, True), ("可选细节" * 10, False), ("必需诉求" * 5, True)]
    out = fit_text(units, 45)
    assert out == "必需开头" * 5 + "\n" + "必需诉求" * 5


class _ThirdParty:
    def __init__(self, root: Path) -> None:
        self.root = root

    @hookimpl
    def register_documents(self) -> list[DocumentSpec]:
        return [
            DocumentSpec(id="hr_letter", title_zh="致用人单位说明函", template="hr.html.j2", template_dir=self.root)
        ]


def test_third_party_document_plugin(ws: Workspace, tmp_path: Path) -> None:
    from weiquan.services.documents import draft_document, list_documents

    tdir = tmp_path / "tpl"
    tdir.mkdir()
    (tdir / "hr.html.j2").write_text(
        '{% import "_macros.html.j2" as m %}<h1>说明函</h1>'
        "<p>{{ borrower_name }}自{{ period_from }}起受到催收来电{{ counts.calls }}次。</p>"
        "{{ m.closing(pack) }}",
        encoding="utf-8",
    )
    pm = plugin_manager()
    plugin = _ThirdParty(tdir)
    pm.register(plugin, name="test_hr_letter")
    try:
        assert "hr_letter" in {d.id for d in list_documents()}
        b = build_case(ws, threats=False)
        [path, _sheet] = draft_document(
            ws, b.case_id, "hr_letter", formats="docx", out_dir=tmp_path / "out", today=dt.date(2026, 3, 20)
        )
        text = docx_text(path)
        assert "李四自2026年3月3日起受到催收来电15次" in text and "自行提交" in text
    finally:
        pm.unregister(plugin)
    assert "hr_letter" not in {d.id for d in list_documents()}


def test_builtin_documents_registered_through_the_hook() -> None:
    from weiquan.services.documents import document_specs

    specs = document_specs()
    assert list(specs)[:8] == [
        "lender",
        "regulator",
        "12321",
        "police",
        "lawsuit",
        "injunction",
        "catalogue",
        "contacts",
    ]


def test_unknown_format_is_refused(ws: Workspace, tmp_path: Path) -> None:
    from weiquan.errors import InputError
    from weiquan.services.documents import draft_document

    b = build_case(ws, threats=False)
    with pytest.raises(InputError):
        draft_document(ws, b.case_id, "lender", formats="odt", out_dir=tmp_path)
