"""The case report PDF: text content, charts present (rendered with pdftoppm), evidence references."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.report.report_case_builder import BuiltCase, build_case
from weiquan.config import load_settings
from weiquan.report.render import pdf_text
from weiquan.services.case_report import build_case_report
from weiquan.services.export import export_case
from weiquan.workspace import Workspace

needs_poppler = pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils (pdftoppm) not installed")


def _colour_fraction(png: Path) -> float:
    """Share of clearly coloured (non-grey) pixels: charts are coloured, the text of the report is black."""
    a = np.asarray(Image.open(png).convert("RGB"), dtype=np.int16)
    return float(((a.max(axis=2) - a.min(axis=2)) > 60).mean())


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, BuiltCase, Path]]:
    """One workspace, case and report for the read-only checks of this module (the report takes seconds)."""
    root = tmp_path_factory.mktemp("report")
    w = Workspace(load_settings(root / "home"))
    b = build_case(w)
    pdf = build_case_report(w, b.case_id, root / "report.pdf")
    yield w, b, pdf
    w.close()


@pytest.fixture
def report_pdf(shared: tuple[Workspace, BuiltCase, Path]) -> Path:
    return shared[2]


def test_report_text(report_pdf: Path) -> None:
    text = pdf_text(report_pdf)
    for needle in (
        "催收违规情况报告",
        "某某贷",
        "一、概要",
        "二、图表",
        "三、违规事实清单",
        "四、证据保全方法与核验",
        "五、证据文件清单",
        "E001",
        "sms-20250101.xml",
        "位置 row",
        "爆你通讯录",
        "已人工确认",
        "不能证明导入之前",
        "python3 verify.py",
        "联系第三方",
    ):
        assert needle in text, needle
    # Rejected findings are counted, not listed.
    assert "被驳回的识别" not in text and "另有 1 条自动识别结果" in text
    # Figures trace to events: 120 events, 40 SMS, 80 calls in the built case.
    assert "120 次" in text and "电话 80 次" in text and "短信 40 次" in text


@needs_poppler
def test_report_has_charts(report_pdf: Path, tmp_path: Path) -> None:
    images = subprocess.run(["pdfimages", "-list", str(report_pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in images.splitlines()[2:] if line.strip()]
    assert len([r for r in rows if r[2] == "image"]) >= 3
    image_pages = sorted({int(r[0]) for r in rows if r[2] == "image"})
    pages_dir = tmp_path / "pages"
    pages_dir.mkdir()
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(report_pdf), str(pages_dir / "p")], check=True)
    pages = sorted(pages_dir.glob("p-*.png"), key=lambda p: int(p.stem.split("-")[1]))
    assert len(pages) >= 4
    fractions = [_colour_fraction(p) for p in pages]
    # The first page is black text; the chart pages carry coloured charts: the bars and heat map fill
    # much of their page, the number dots of figure 3 less, but every chart page has coloured ink.
    assert fractions[0] < 0.001
    assert all(fractions[n - 1] > 0.001 for n in image_pages), (image_pages, fractions)
    assert max(fractions[n - 1] for n in image_pages) > 0.03, fractions


def test_report_in_package(ws: Workspace, built: BuiltCase, tmp_path: Path) -> None:
    res = export_case(ws, built.case_id, tmp_path / "case.zip")
    assert res.report
    with zipfile.ZipFile(res.path) as zf:
        name = next(n for n in zf.namelist() if n.endswith("report/案件报告.pdf"))
        (tmp_path / "r.pdf").write_bytes(zf.read(name))
    assert "E003" in pdf_text(tmp_path / "r.pdf")


def test_report_for_empty_case(ws: Workspace, tmp_path: Path) -> None:
    from weiquan.services.cases import create_case

    c = create_case(ws, "空案件")
    text = pdf_text(build_case_report(ws, c.id, tmp_path / "empty.pdf"))
    assert "暂无联系记录" in text and "尚未识别出违规行为" in text


def test_report_cites_law_pack_and_night_window(shared: tuple[Workspace, BuiltCase, Path]) -> None:
    import re
    from zoneinfo import ZoneInfo

    from sqlalchemy import select

    from weiquan.law.pack import load_pack
    from weiquan.store.models import Event

    ws, built, report_pdf = shared
    pack = load_pack()
    text = re.sub(r"\s+", "", pdf_text(report_pdf))
    assert re.sub(r"\s+", "", pack.provisions["civil-1024"].cite()) in text
    assert pack.violations["threat_exposure"].name_zh in text
    # A finding without provisions of its own shows its category's provisions from the pack.
    night_first = pack.violations["night_contact"].provisions[0].provision_id
    assert re.sub(r"\s+", "", pack.provisions[night_first].cite()) in text
    night = pack.conduct.night
    zone = ZoneInfo("Asia/Shanghai")
    with ws.db.read_session() as s:
        starts = s.execute(select(Event.start).where(Event.case_id == built.case_id)).scalars().all()
    expected = sum(1 for t in starts if night.contains(t.astimezone(zone).time()))
    assert f"夜间联系{expected}次（{night.start:%H:%M}–{night.end:%H:%M}" in text


def test_report_lists_only_the_rules_that_govern_the_lender() -> None:
    """A finding's legal basis in the report: conduct rules only (no procedure or remedy articles), and no
    民间借贷 rules for a licensed lender (they govern private and unlicensed lenders only)."""
    from weiquan.law.pack import load_pack
    from weiquan.report.case_data import load_law

    law = load_law(load_pack())
    pids = ["private_lending-25", "psapl-50-1-5", "psapl-90"]
    assert law.breached(pids, "consumer_finance") == ["psapl-50-1-5"]
    assert law.breached(pids, "unlicensed") == ["private_lending-25", "psapl-50-1-5"]
    assert law.breached([{"provision_id": "private_lending-25"}], None) == [{"provision_id": "private_lending-25"}]


def test_report_cites_the_version_in_force_when_the_conduct_happened() -> None:
    """Conduct in 2024: the 2012 numbering of the 治安管理处罚法 (Art. 42), not the 2026 one; a rule new in
    2025/2026 with no earlier counterpart (Art. 56) is not cited; the Civil Code is unchanged."""
    import datetime as dt

    from weiquan.law.pack import load_pack
    from weiquan.report.case_data import load_law

    law = load_law(load_pack())
    period = (dt.date(2024, 3, 1), dt.date(2024, 3, 20))
    cite = law.cite("psapl-50-1-5", period)
    assert cite is not None and cite[0].endswith("（2012年修正）第四十二条第（五）项")
    assert law.cite("psapl-56", period) is None
    assert law.cite("civil-1033-1", period) == law.cite("civil-1033-1")
