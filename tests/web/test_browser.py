"""End to end in headless Chromium (Debian's /usr/bin/chromium) driven by Playwright.

create a case → upload the sample files → see findings → confirm one → generate the 投诉函 →
download it → export the evidence package and verify it. A screenshot of each page is saved
under ``$WEIQUAN_ARTEFACTS/web`` (default ``test-artefacts/web`` in the repo).
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.web_builders import ARTEFACTS_ROOT, CHROMIUM, CHROMIUM_ARGS, live_server, require_chromium
from weiquan.config import load_settings
from weiquan.services.demo import samples_dir
from weiquan.web import create_app
from weiquan.web.config import WebConfig
from weiquan.workspace import Workspace

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTEFACTS = ARTEFACTS_ROOT / "web"
PHONE_FILES = (".xml", ".csv", ".wav", ".vmsg", ".db", ".png", ".jpg")


@pytest.fixture
def sqlite_ws(home: Path) -> Iterator[Workspace]:
    """The browser flow runs once, on SQLite (the API and page tests cover PostgreSQL)."""
    w = Workspace(load_settings(home))
    yield w
    w.close()


@pytest.fixture
def live_url(sqlite_ws: Workspace) -> Iterator[str]:
    with live_server(create_app(sqlite_ws, config=WebConfig(run_extraction=False))) as url:
        yield url


def _sample_files() -> list[Path]:
    files = sorted(p for p in samples_dir().rglob("*") if p.is_file() and p.suffix.lower() in PHONE_FILES)
    assert files, "no sample files found"
    return files


def test_borrower_flow_in_chromium(live_url: str, tmp_path: Path) -> None:
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    shots: list[str] = []

    def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]  # untyped pytest fixtures or test doubles
        path = ARTEFACTS / f"{len(shots) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        shots.append(path.name)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        ctx = browser.new_context(accept_downloads=True, locale="zh-CN", viewport={"width": 1280, "height": 900})
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))

        # 1. create a case (with the lender suggestions)
        page.goto(live_url + "/")
        expect(page.get_by_text("第一次使用")).to_be_visible()
        page.fill("input[name=name]", "浏览器测试案件")
        page.fill("#lender", "招联")
        expect(page.locator("#lender-suggest .suggest")).to_be_visible(timeout=10_000)
        shot(page, "home-new-case")
        page.get_by_role("button", name="创建并导入证据").click()
        page.wait_for_url("**/cases/1/import")

        # 2. upload the sample files (JS: one request per file with progress), then analysis runs
        files = _sample_files()
        page.set_input_files("#file-input", [str(p) for p in files])
        expect(page.locator("#upload-results .file-result")).to_have_count(len(files), timeout=60_000)
        expect(page.locator("#analysis .success")).to_be_visible(timeout=60_000)
        assert page.locator("#upload-results .badge.ok").count() >= 2
        shot(page, "import-results")

        # 3. findings: dashboard, then review and confirm one
        page.goto(live_url + "/cases/1")
        expect(page.get_by_role("heading", name="可能违法的催收行为")).to_be_visible()
        assert page.locator("table tbody tr").count() >= 1
        expect(page.locator("#plan ol.steps, #plan .muted").first).to_be_visible(timeout=20_000)
        shot(page, "dashboard")
        page.goto(live_url + "/cases/1/timeline?q=通讯录")
        shot(page, "timeline")
        page.goto(live_url + "/cases/1/review")
        page.locator("details.review-group").first.locator(":scope > summary").click()  # findings come grouped
        first = page.locator("article.finding").first
        expect(first).to_be_visible()
        fid = first.get_attribute("id")
        first.get_by_role("button", name="确认属实").click()
        expect(page.locator(f"#{fid} .badge.confirmed")).to_be_visible(timeout=10_000)
        shot(page, "review-confirmed")

        # 4. the 投诉函: preview, download DOCX
        page.goto(live_url + "/cases/1/documents/lender/view")
        expect(page.locator("iframe")).to_be_visible()
        shot(page, "document-preview")
        with page.expect_download(timeout=60_000) as dl:
            page.get_by_role("link", name="下载 Word（可修改）").click()
        docx = tmp_path / "letter.docx"
        dl.value.save_as(docx)
        assert docx.stat().st_size > 1000 and zipfile.is_zipfile(docx)

        # 5. export the evidence package, download it, upload it back to verify
        page.goto(live_url + "/cases/1/package")
        page.get_by_role("button", name="生成证据包").click()
        expect(page.get_by_text("证据包已生成")).to_be_visible(timeout=120_000)
        with page.expect_download(timeout=60_000) as dl:
            page.get_by_role("link", name="下载证据包").click()
        pkg = tmp_path / "package.zip"
        dl.value.save_as(pkg)
        page.set_input_files("input[name=package]", str(pkg))
        page.get_by_role("button", name="检查", exact=True).click()
        expect(page.locator("#verify-result")).to_contain_text("检查通过", timeout=60_000)
        shot(page, "package-verified")

        page.goto(live_url + "/guides/nfra-12378")
        expect(page.get_by_text("相关推荐")).to_be_visible()
        shot(page, "guide")
        browser.close()
    assert not errors, errors
    assert len(shots) == 8
    shutil.copy(docx, ARTEFACTS / "letter.docx")
