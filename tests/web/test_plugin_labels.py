"""Importers, detectors and document templates name themselves: a plug-in registered the way a third party
registers one (a ``weiquan`` hook implementation) shows its own ``label_zh`` in the web's lists and forms — the
import list's format, the review page's 发现方式, the action form's materials — with no table to edit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from weiquan.act.base import DocumentSpec
from weiquan.analyze.base import Hit
from weiquan.hookspecs import hookimpl
from weiquan.ingest.base import ImportContext, Importer, Probe, RawEvent
from weiquan.plugins import plugin_manager
from weiquan.services.analysis import detector_labels
from weiquan.services.documents import document_labels
from weiquan.services.imports import format_labels

WORD = "插件测试词"


class PinLogImporter(Importer):
    """Lines ``YYYY-MM-DD HH:MM<TAB>number<TAB>text`` after a ``PINLOG`` header."""

    name = "pinlog"
    label_zh = "插件日志格式"

    def detect(self, probe: Probe) -> float:
        return 1.0 if probe.head.startswith(b"PINLOG\n") else 0.0

    def parse(self, ctx: ImportContext) -> Iterator[RawEvent]:
        for i, line in enumerate(ctx.path.read_text("utf-8").splitlines()[1:], 2):
            when, number, text = line.split("\t")
            start = dt.datetime.strptime(when, "%Y-%m-%d %H:%M").replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
            yield RawEvent(
                channel="sms", start=start, locator=f"line {i}", direction="incoming", counterpart_raw=number, text=text
            )


class PinDetector:
    id = "plugin.pin"
    version = "1"
    kind = "text"
    label_zh = "插件检测器"

    def detect(self, text: str) -> list[Hit]:
        at = text.find(WORD)
        if at < 0:
            return []
        return [Hit("insult", ((at, at + len(WORD)),), self.id, self.version, 0.9, "插件规则")]


class ThirdPartyPlugin:
    def __init__(self, template_dir: Path) -> None:
        self.template_dir = template_dir

    @hookimpl
    def register_importers(self) -> list[Importer]:
        return [PinLogImporter()]

    @hookimpl
    def register_detectors(self) -> list[object]:
        return [PinDetector()]

    @hookimpl
    def register_documents(self) -> list[DocumentSpec]:
        return [
            DocumentSpec(
                id="hr_letter",
                title_zh="致用人单位说明函",
                label_zh="给用人单位的说明函",
                template="hr_letter.html.j2",
                template_dir=self.template_dir,
                channel=None,
            )
        ]


@pytest.fixture
def plugin(tmp_path: Path) -> Iterator[None]:
    (tmp_path / "hr_letter.html.j2").write_text("<p>{{ title }}</p>", encoding="utf-8")
    pm = plugin_manager()
    pm.register(ThirdPartyPlugin(tmp_path), name="test_third_party")
    try:
        yield
    finally:
        pm.unregister(name="test_third_party")


def test_labels_come_from_each_plugin(plugin: None) -> None:
    assert format_labels()["pinlog"] == "插件日志格式"
    assert format_labels()["synctech_sms"] == "短信备份（SMS Backup & Restore）"  # the built-ins register the same way
    assert detector_labels()["plugin.pin"] == "插件检测器"
    assert detector_labels()["pattern.night"] == "夜间联系统计"
    assert detector_labels()["text.classifier"] == "文字模型识别"  # a part of the combined text detector
    assert document_labels(sent_only=True)["hr_letter"] == "给用人单位的说明函"
    assert "plan" not in document_labels(sent_only=True) and "plan" in document_labels()


def test_the_web_shows_a_plugins_labels(plugin: None, client: TestClient) -> None:
    csrf = client.headers["X-CSRF-Token"]
    client.post("/cases", data={"name": "插件", "lender": "招联", "csrf_token": csrf})
    log = f"PINLOG\n2025-03-01 10:00\t13800138000\t您好，{WORD}。\n".encode()
    up = client.post(
        "/cases/1/import/upload",
        headers={"HX-Request": "true"},
        files=[("files", ("messages.pin", log, "application/octet-stream"))],
    )
    assert up.status_code == 200 and "插件日志格式" in up.text
    assert "插件日志格式" in client.get("/cases/1/import").text  # the import list's 格式 column
    client.post("/cases/1/analyze", data={"csrf_token": csrf})
    review = client.get("/cases/1/review").text
    assert WORD in review and "发现方式：插件检测器" in review
    assert "给用人单位的说明函" in client.get("/cases/1/documents").text  # the action form's 用的材料
