"""Issue 17 in headless Chromium (Debian's /usr/bin/chromium, Python Playwright), at desktop width and at 390 px
with touch: every flow a new borrower uses, and on every page three checks —

* no ASCII word outside an allow-list of proper nouns and format names (user content — file names, message
  bodies, names a person typed — is marked ``data-user``/``.text`` and not checked);
* no date that was never confirmed: the proposed local time of every date-unconfirmed event must not appear
  (only the 确认日期 page shows the proposal, labelled 推测);
* no page taller than 6,000 px.

Flows: upload an SMS export, a screenshot whose messages show only times (no date in its name or EXIF) and a
``.md`` note; the file list, OCR progress and the 日期待确认 notice update without a reload (real OCR runs in the
app's background thread); the timeline shows 日期待确认; the 确认日期 page confirms one screenshot per click (image
beside it) or moves it to another day; the manual-entry form; the review page (grouped, counters update on
confirm); 快速换算 with one field; the overview bar chart answers a tap with the day's date. A screenshot of every
page is saved under ``$WEIQUAN_ARTEFACTS/ux`` (default ``test-artefacts/ux``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.web.web_builders import (
    ARTEFACTS_ROOT,
    CHROMIUM,
    CHROMIUM_ARGS,
    live_server,
    require_chromium,
    sms_backup_xml,
)
from weiquan.config import load_settings
from weiquan.services import cases, timeline
from weiquan.web import create_app
from weiquan.web.config import WebConfig
from weiquan.workspace import Workspace

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
ARTEFACTS = ARTEFACTS_ROOT / "ux"
MAX_HEIGHT = 6000
# Proper nouns, format and unit names a borrower meets on the pages (and may need to type or look for).
ALLOWED = {
    "App",
    "APP",
    "iPhone",
    "Android",
    "CSV",
    "Excel",
    "XML",
    "ZIP",
    "JSON",
    "vmsg",
    "SMS",
    "Backup",
    "Restore",
    "sms.db",
    "mmssms.db",
    "calllog.db",
    "PDF",
    "DOCX",
    "Word",
    "WPS",
    "GB/T",
    "GB",
    "T",
    "LPR",
    "SHA",
    "SHA-256",
    "KB",
    "MB",
    "UTC",
    "OCR",
    "Ctrl",
    "IRR",
    "AI",
    "ID",
    "WeChat",
    "QQ",
    "P",  # P图 (a doctored photo)
}
ASCII_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*[A-Za-z0-9]|[A-Za-z]")
VISIBLE_TEXT = """() => {
  const root = document.body.cloneNode(true);
  root.querySelectorAll('[data-user], .text, script, style, noscript, input, textarea, select option').forEach(e => e.remove());
  return root.innerText;
}"""
CST = ZoneInfo("Asia/Shanghai")


def _undated_screenshot(folder: Path) -> Path:
    """A generated SMS screenshot whose separators show only 昨天/a time, saved under a name without a date."""
    spec = importlib.util.spec_from_file_location("make_screenshots", REPO / "scripts" / "make_screenshots.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["make_screenshots"] = mod
    spec.loader.exec_module(mod)
    shot = next(s for s in mod.fixtures() if s.name == "Screenshot_20261030_214733_com.android.mms.png")
    return Path(mod.save(dataclasses.replace(shot, name="聊天记录.png"), folder))


@pytest.fixture
def app_url(home: Path) -> Iterator[tuple[str, Workspace]]:
    ws = Workspace(load_settings(home))
    try:
        # OCR runs in the app's background thread, as for a real user
        with live_server(create_app(ws, config=WebConfig(run_extraction=True))) as url:
            yield url, ws
    finally:
        ws.close()


def _unconfirmed_times(ws: Workspace, case_id: int) -> set[str]:
    """How each never-confirmed proposal would be written on a page (local date and time, and the Chinese date)."""
    out: set[str] = set()
    for e in timeline.list_events(ws, case_id):
        if e.date_unconfirmed:
            local = e.start_utc.astimezone(CST)
            out |= {f"{local:%Y-%m-%d %H:%M}", f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"}
    return out


class Checker:
    def __init__(self, page, ws: Workspace, case_id: int, tag: str) -> None:  # type: ignore[no-untyped-def]  # untyped pytest fixtures or test doubles
        self.page, self.ws, self.case_id, self.tag, self.n = page, ws, case_id, tag, 0

    def __call__(self, name: str, *, proposals_allowed: bool = False) -> None:
        page = self.page
        page.wait_for_load_state("networkidle")
        self.n += 1
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / f"{self.tag}-{self.n:02d}-{name}.png"), full_page=True)
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height <= MAX_HEIGHT, f"{name}: page is {height} px tall at {self.tag}"
        text = page.evaluate(VISIBLE_TEXT)
        words = {w for w in ASCII_WORD.findall(text) if w not in ALLOWED}
        assert not words, f"{name} ({self.tag}): English or internal identifiers on the page: {sorted(words)}"
        if not proposals_allowed:
            full = page.evaluate("document.body.innerText")
            shown = [t for t in _unconfirmed_times(self.ws, self.case_id) if t in full]
            assert not shown, f"{name} ({self.tag}): a date that was never confirmed is shown: {shown}"


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_borrower_flows_at_desktop_and_phone_width(app_url: tuple[str, Workspace], tmp_path: Path, width: int) -> None:
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    url, ws = app_url
    case = cases.create_case(ws, "我的案件", lender="示例速贷")
    base = f"{url}/cases/{case.id}"
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "sms-backup.xml").write_bytes(
        sms_backup_xml(12, start=dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.timezone.utc))
    )
    shot_file = _undated_screenshot(inputs)
    (inputs / "上门经过.md").write_text("# 3月20日\n两个人上门，邻居看见了。\n", encoding="utf-8")
    tag = "desktop" if width > 600 else "phone"

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        ctx = browser.new_context(
            locale="zh-CN", viewport={"width": width, "height": 900}, has_touch=width < 600, is_mobile=width < 600
        )
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        check = Checker(page, ws, case.id, tag)

        # 1. upload: per-file results, the .md note explained with a link to the form, the file list follows
        page.goto(base + "/import")
        check("import-empty")
        page.set_input_files(
            "#file-input", [str(inputs / "sms-backup.xml"), str(shot_file), str(inputs / "上门经过.md")]
        )
        expect(page.locator("#upload-results .file-result")).to_have_count(3, timeout=60_000)
        note = page.locator("#upload-results .file-result").filter(has_text="上门经过.md")
        expect(note).to_contain_text("这是一份文字笔记")
        expect(note.get_by_role("link", name="手动记录")).to_have_attribute("href", f"/cases/{case.id}/events/new")
        expect(page.locator("#import-live")).to_contain_text("已导入的文件（2）", timeout=30_000)  # no reload
        # 2. OCR runs in the background; the live region shows progress and then the dates to confirm
        expect(page.locator("#import-live .dates-notice")).to_be_visible(timeout=240_000)
        expect(page.locator("#import-live")).to_contain_text("1 / 1 个已完成")
        check("import-after-ocr")
        assert _unconfirmed_times(ws, case.id), "the screenshot's events should wait for a confirmed date"

        # 3. every page before confirming: 日期待确认, never the proposed date
        page.goto(base + "/timeline")
        expect(page.locator(".event .badge.unverified", has_text="日期待确认").first).to_be_visible()
        check("timeline-unconfirmed")
        page.goto(base)
        expect(page.locator("#dates-notice")).to_be_visible()
        check("dashboard-unconfirmed")
        page.goto(base + "/review")
        check("review")

        # 4. confirm: the image beside the form, one click; the count follows without a reload
        page.goto(base + "/dates")
        card = page.locator("article.date-confirm").first
        expect(card.locator("img")).to_be_visible()
        # the real image has loaded (polled from Python: wait_for_function compiles its predicate with eval,
        # which the pages' Content-Security-Policy rightly refuses once it has to poll)
        img = page.locator(".date-media img").first
        deadline = time.monotonic() + 30
        while not img.evaluate("i => i.complete && i.naturalWidth > 0"):
            assert time.monotonic() < deadline, "the screenshot beside the date form never loaded"
            page.wait_for_timeout(100)
        check("dates-page", proposals_allowed=True)
        if tag == "desktop":
            card.get_by_role("button", name="日期正确").click()
        else:  # the phone user corrects the day instead
            card.locator("input[name=day]").fill("2025-03-02")
            card.get_by_role("button", name="改为这一天").click()
        expect(page.locator("article.date-confirm.done")).to_be_visible(timeout=60_000)
        expect(page.locator("#dates-left")).to_contain_text("全部确认完了")
        check("dates-confirmed")
        assert not _unconfirmed_times(ws, case.id)
        page.goto(base + "/timeline")
        expect(page.locator(".event .badge.unverified", has_text="日期待确认")).to_have_count(0)
        check("timeline-confirmed")

        # 5. a visit has no file: the form, then the timeline
        page.goto(base + "/events/new")
        check("manual-form")
        page.select_option("select[name=channel]", "visit")
        page.fill("input[name=time]", "2025-03-20T19:00")
        page.select_option("select[name=recipient]", "relative")
        page.fill("input[name=recipient_name]", "母亲")
        page.fill("textarea[name=text]", "两名男子到我父母家，说我欠钱不还")
        page.fill("input[name=witnesses]", "邻居张某")
        page.get_by_role("button", name="保存这条记录").click()
        expect(page.locator(".success")).to_contain_text("已保存")
        check("manual-saved")

        # 6. review: grouped; a confirmation updates the counters without a reload
        page.goto(base + "/review")
        counts = page.locator("#review-counts")
        before = int(re.search(r"待审核（(\d+)）", counts.inner_text()).group(1))  # type: ignore[union-attr]  # the test asserts the value exists
        assert before >= 1
        group = page.locator("details.review-group").first
        group.locator(":scope > summary").click()
        group.locator("article.finding").first.get_by_role("button", name="确认属实").click()
        expect(counts).to_contain_text(f"待审核（{before - 1}）", timeout=20_000)
        check("review-confirmed")

        # 7. the overview: bars answer a tap (phone) or a click with their date
        page.goto(base)
        bar = page.locator(".bars .bar:not(.zero)").first
        bar.tap() if tag == "phone" else bar.click()
        expect(page.locator("#bar-readout")).to_contain_text("年")
        expect(page.locator("#bar-readout")).to_contain_text("次")
        check("dashboard")

        # 8. the loan page's quick conversion with one field
        page.goto(url + "/loans")
        page.fill("input[name=daily]", "0.05")
        page.get_by_role("button", name="换算").click()
        expect(page.locator("#quick")).to_contain_text("18.25%")
        check("loans-quick")

        for path, name in (
            (base + "/documents", "documents"),
            (base + "/package", "package"),
            (url + "/", "home"),
            (url + "/guides", "guides"),
        ):
            page.goto(path)
            check(name)
        browser.close()
    assert not errors, errors
