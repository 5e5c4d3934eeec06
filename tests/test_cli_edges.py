"""Edges of the CLI a new user hits (issue 17, item 6): usage errors exit 2 with a Chinese message,
the demo never deletes a folder it did not create, a busy port is named before anything runs,
times in the future are refused, ``review`` prints Chinese in the case's time zone."""

from __future__ import annotations

import datetime as dt
import socket
from pathlib import Path

import pytest
from tests.fixtures.cli import add_analysed_threat, runner, wq
from weiquan.cli import app
from weiquan.errors import InputError


@pytest.fixture
def case(home: Path) -> Path:
    assert wq(home, "case", "new", "--name", "边界").exit_code == 0
    return home


def test_missing_input_path_is_a_usage_error(case: Path) -> None:
    r = wq(case, "import", "--case", "1", str(case / "nowhere" / "sms.xml"))
    assert r.exit_code == 2 and "找不到文件或文件夹" in r.output


def test_future_times_are_refused(case: Path) -> None:
    future = (dt.datetime.now() + dt.timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
    r = wq(case, "add-event", "--case", "1", "--channel", "visit", "--time", future, "--text", "上门")
    assert r.exit_code == 2 and "将来" in r.output
    r = wq(case, "action", "add", "--case", "1", "--body", "lender", "--submitted", future[:10])
    assert r.exit_code == 2 and "将来" in r.output
    past = (dt.datetime.now() - dt.timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
    r = wq(
        case,
        "add-event",
        "--case",
        "1",
        "--channel",
        "visit",
        "--time",
        past,
        "--text",
        "上门",
        "--to",
        "relative",
        "--to-name",
        "母亲",
        "--witnesses",
        "邻居张某",
    )
    assert r.exit_code == 0, r.output


def test_review_without_a_terminal_exits_2_and_speaks_chinese(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    add_analysed_threat(case, "2025-03-01 23:30")  # one finding: a threat at 23:30 Beijing time (15:30 UTC)
    r = wq(case, "review", "--case", "1")  # CliRunner's stdin is not a terminal
    assert r.exit_code == 2 and "需要在终端里运行" in r.output
    from weiquan.commands import analyze

    monkeypatch.setattr(analyze, "has_terminal", lambda: True)
    r = wq(case, "review", "--case", "1", input="q\n")
    assert "2025-03-01 23:30" in r.output and "15:30" not in r.output  # the case's time zone, not UTC
    for internal in ("basis", "clf-", "law pack", "(sms", " sms "):
        assert internal not in r.output, internal


def test_demo_never_deletes_a_folder_it_did_not_create(tmp_path: Path) -> None:
    from weiquan.services.demo import DEMO_MARKER, prepare_out_dir

    mine = tmp_path / "my-documents"
    mine.mkdir()
    (mine / "合同.pdf").write_bytes(b"%PDF-1.4 precious")
    with pytest.raises(InputError):
        prepare_out_dir(mine)
    assert (mine / "合同.pdf").read_bytes() == b"%PDF-1.4 precious"
    fresh = prepare_out_dir(tmp_path / "new" / "out")  # new folders are created and marked
    assert (fresh / DEMO_MARKER).is_file()
    (fresh / "documents").mkdir()
    (fresh / "documents" / "old.pdf").write_bytes(b"old")
    again = prepare_out_dir(fresh)  # a previous demo output is replaced
    assert again == fresh and not (fresh / "documents").exists() and (fresh / DEMO_MARKER).is_file()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert prepare_out_dir(empty) == empty.resolve()
    r = runner.invoke(app, ["demo", "--home", str(tmp_path / "h"), "--out", str(mine)])
    assert r.exit_code == 2 and "不会使用它" in r.output and (mine / "合同.pdf").exists()


def test_a_busy_port_is_reported_before_anything_runs(tmp_path: Path) -> None:
    from weiquan.web.config import check_port_free

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        with pytest.raises(InputError) as e:
            check_port_free("127.0.0.1", port)
        assert f"端口 {port} 已被占用" in e.value.zh and f"PORT={port + 1}" in e.value.zh
        r = runner.invoke(
            app, ["demo", "--home", str(tmp_path / "h"), "--out", str(tmp_path / "o"), "--serve", "--port", str(port)]
        )
        assert r.exit_code == 2 and "已被占用" in r.output
        assert not (tmp_path / "o").exists()  # refused before the demo ran
        r = wq(tmp_path / "h", "serve", "--port", str(port))
        assert r.exit_code == 2 and "已被占用" in r.output
    check_port_free("127.0.0.1", port)  # free again


def test_readme_says_how_to_run_weiquan_after_setup() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    assert ".venv/bin/weiquan" in readme and "source .venv/bin/activate" in readme and "make demo PORT=8001" in readme
