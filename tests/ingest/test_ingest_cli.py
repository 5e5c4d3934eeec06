"""``weiquan import``, ``weiquan timeline`` and ``weiquan add-event`` through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import weiquan
from tests.fixtures import ingest_formats as fx
from tests.fixtures.cli import wq_out
from weiquan.testing import phone_exports as w


def _case(home: Path) -> int:
    code, out = wq_out(home, "case", "new", "--name", "CLI 测试", "--json")
    assert code == 0, out
    return int(json.loads(out)["id"])


def test_import_timeline_and_add_event(home: Path, files: Path) -> None:
    cid = _case(home)
    w.synctech_sms_xml(files / "sms.xml", fx.messages())
    w.synctech_calls_xml(files / "calls.xml", fx.calls())
    code, out = wq_out(home, "import", "--case", str(cid), str(files), "--json")
    assert code == 0, out
    results = json.loads(out)
    assert [(r["format"], r["added"]) for r in results] == [("synctech_calls", 4), ("synctech_sms", 4)]
    assert {"format", "added", "merged", "warnings", "error", "status"} <= set(results[0])

    code, out = wq_out(
        home,
        "add-event",
        "--case",
        str(cid),
        "--channel",
        "call",
        "--time",
        "2024-03-05 22:40",
        "--number",
        "15400000003",
        "--text",
        "打给我妈妈",
        "--to",
        "relative",
        "--to-name",
        "母亲",
        "--json",
    )
    assert code == 0, out
    assert json.loads(out)["recipient"] == "relative"

    code, out = wq_out(home, "timeline", "--case", str(cid), "--json")
    assert code == 0, out
    events = json.loads(out)
    assert len(events) == 9
    e = events[0]
    for key in ("id", "channel", "direction", "start", "duration_s", "counterpart", "text", "evidence"):
        assert key in e
    assert e["start"] == "2024-03-04T09:30:00+08:00"
    assert e["evidence"][0]["sha256"] and e["evidence"][0]["locator"] == "/smses/sms[1]"
    code, out = wq_out(home, "timeline", "--case", str(cid), "--channel", "call", "--number", "15400000001", "--json")
    assert len(json.loads(out)) == 3
    code, out = wq_out(home, "timeline", "--case", str(cid), "--since", "2024-03-05", "--until", "2024-03-05", "--json")
    assert code == 0 and sorted(e["text"] for e in json.loads(out)) == sorted([fx.messages()[3].body, "打给我妈妈"])
    code, out = wq_out(home, "timeline", "--case", str(cid))
    assert code == 0 and "时间线 Timeline (9)" in out


def test_import_exit_code_and_map(home: Path, files: Path) -> None:
    cid = _case(home)
    ok = w.synctech_calls_xml(files / "calls.xml", fx.calls())
    bad = files / "empty.xml"
    bad.write_bytes(b"")
    code, out = wq_out(home, "import", "--case", str(cid), str(ok), str(bad))
    assert code == 1  # one file failed, the other was still imported
    assert "错误 empty.xml" in out and "0 字节" in out and "新增 4 条事件" in out
    odd = w.csv_file(files / "odd.csv", [["发信时刻", "对端", "话术"], ["2024-03-04 21:00", "15400000001", "上门"]])
    code, out = wq_out(
        home,
        "import",
        "--case",
        str(cid),
        str(odd),
        "--map",
        "发信时刻=time",
        "--map",
        "对端=number",
        "--map",
        "话术=text",
        "--json",
    )
    assert code == 0 and json.loads(out)[0]["added"] == 1
    code, out = wq_out(home, "import", "--case", str(cid), str(odd), "--map", "bogus")
    assert code == 2 and "列名=字段" in out


def test_add_event_bad_input(home: Path) -> None:
    cid = _case(home)
    code, out = wq_out(
        home, "add-event", "--case", str(cid), "--channel", "fax", "--time", "2024-03-05 22:40", "--text", "x"
    )
    assert code == 2 and "未知渠道" in out
    code, out = wq_out(home, "add-event", "--case", str(cid), "--channel", "visit", "--time", "昨天晚上", "--text", "x")
    assert code == 2 and "无法识别的时间" in out
    code, out = wq_out(
        home, "add-event", "--case", str(cid), "--channel", "visit", "--time", "2100-01-01 10:00", "--text", "x"
    )
    assert code == 2 and "超出合理范围" in out


def test_sample_case_imports_cleanly(home: Path) -> None:
    cid = _case(home)
    code, out = wq_out(home, "import", "--case", str(cid), str(Path(weiquan.__file__).parent / "samples"), "--json")
    assert code == 0, out
    results = json.loads(out)
    # the sample set (scripts/make_samples.py) also holds a chat screenshot, queued for OCR
    assert {r["format"] for r in results} == {
        "synctech_sms",
        "synctech_calls",
        "table",
        "manual_json",
        "call_recording",
        "image",
    }
    assert {r["status"] for r in results if r["format"] == "image"} == {"queued"}
    code, out = wq_out(home, "timeline", "--case", str(cid), "--json")
    events = json.loads(out)
    flood = [e for e in events if e["channel"] == "call" and e["start"].startswith("2024-03-11")]
    assert len(flood) >= 7 and len({e["counterpart"] for e in flood}) == 1
    assert any(e["recipient"] == "relative" for e in events)
    assert any(int(e["start"][11:13]) >= 22 or int(e["start"][11:13]) < 8 for e in events if e["channel"] == "call")
    assert len({e["counterpart"] for e in events if e["signature"] == "示例速贷"}) >= 3
    assert any(
        len(e["evidence"]) == 2 and {x["source_format"] for x in e["evidence"]} == {"synctech_calls", "call_recording"}
        for e in events
    )


def test_import_on_a_terminal_shows_live_progress(home: Path, files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from rich.console import Console

    import weiquan.commands.importing as importing

    screen = io.StringIO()
    monkeypatch.setattr(
        importing,
        "console",
        lambda: Console(file=screen, force_terminal=True, width=120, highlight=False, color_system=None),
    )
    seen: list[str] = []
    real = importing.imports.import_paths

    def spy(*args: object, **kwargs: object) -> object:
        progress = kwargs["progress"]
        assert callable(progress)
        kwargs["progress"] = lambda r: (seen.append(r.name), progress(r))
        return real(*args, **kwargs)  # type: ignore[arg-type]  # a test double passes through loosely typed arguments

    monkeypatch.setattr(importing.imports, "import_paths", spy)
    cid = _case(home)
    w.synctech_sms_xml(files / "sms.xml", fx.messages())
    w.synctech_calls_xml(files / "calls.xml", fx.calls())
    code, _ = wq_out(home, "import", "--case", str(cid), str(files))
    assert code == 0
    assert sorted(seen) == ["in/calls.xml", "in/sms.xml"]
    text = screen.getvalue()
    assert "导入 importing" in text and "个文件 files" in text  # the live line was drawn
    assert "共 2 个文件，新增 8 条事件" in text  # then the summary
