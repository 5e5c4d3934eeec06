"""Domain code names the app step a note asks for (``weiquan.zh.steps.Note``), never a CLI command in its prose:
the CLI prints the command, the web links the page, a document names the page — and no module rewrites prose
by pattern."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml
from fastapi.testclient import TestClient

import weiquan
from tests.act.act_builders import TODAY
from tests.code_constants import code_constants
from weiquan.commands._common import STEP_COMMANDS, note_text, step_command
from weiquan.errors import ProblemFound
from weiquan.law.pack import load_pack
from weiquan.services.cases import create_case
from weiquan.services.extraction import RunSummary
from weiquan.services.imports import import_paths
from weiquan.services.plan import build_plan
from weiquan.web.app import create_app
from weiquan.web.templating import STEP_URLS, web_note, web_step
from weiquan.workspace import Workspace
from weiquan.zh.steps import STEP_PAGES_ZH, Note, note_in_words

SRC = Path(weiquan.__file__).parent
DOMAIN = ("act", "analyze", "extract", "ingest", "law", "loans")
COMMAND = re.compile(r"\bweiquan [a-z]")
# services and the vault answer the CLI and the web alike: no command and no command-line option in their words
SHARED = ("services", "vault", "store", "bulk")
OPTION = re.compile(r"\bweiquan [a-z]|(?<![\w-])--[a-z][a-z-]+|\bvault verify\b")
# strings that are not the app's messages: the demo folder's marker file, and the phone-side command that made an
# adb dump (the format's name)
NOT_MESSAGES = {"weiquan demo output; safe to delete\n"}


def _strings(tree: ast.AST) -> list[tuple[int, str]]:
    return [(n.lineno, n.value) for n in code_constants(tree) if isinstance(n.value, str)]


def _yaml_values(data: object) -> list[str]:
    if isinstance(data, dict):
        return [v for x in data.values() for v in _yaml_values(x)]
    if isinstance(data, list):
        return [v for x in data for v in _yaml_values(x)]
    return [data] if isinstance(data, str) else []


def test_domain_prose_names_no_cli_command() -> None:
    offenders = []
    for pkg in DOMAIN:
        for p in (SRC / pkg).rglob("*.py"):
            offenders += [
                f"{p.relative_to(SRC)}:{n}" for n, s in _strings(ast.parse(p.read_text("utf-8"))) if COMMAND.search(s)
            ]
        for p in [*(SRC / pkg).rglob("*.yaml"), *(SRC / pkg).rglob("*.j2")]:
            text = p.read_text("utf-8")
            values = _yaml_values(yaml.safe_load(text)) if p.suffix == ".yaml" else [text]
            offenders += [str(p.relative_to(SRC)) for v in values if COMMAND.search(v)]
    assert offenders == [], offenders


def test_service_messages_name_no_command_or_option() -> None:
    offenders = [
        f"{p.relative_to(SRC)}:{n}"
        for pkg in SHARED
        for p in (SRC / pkg).rglob("*.py")
        for n, s in _strings(ast.parse(p.read_text("utf-8")))
        if OPTION.search(s) and s not in NOT_MESSAGES
    ]
    assert offenders == [], offenders


def test_every_step_has_a_cli_command_and_a_web_rendering() -> None:
    assert set(STEP_COMMANDS) == set(STEP_PAGES_ZH)
    assert {s for s, page in STEP_PAGES_ZH.items() if page} == set(STEP_URLS)


def test_one_note_three_front_ends() -> None:
    note = Note("有 2 项自动识别的违规尚未人工核实：提交前请逐项确认。", step="review")
    assert note_text(note) == "有 2 项自动识别的违规尚未人工核实：提交前请逐项确认（weiquan review）。"
    assert '（在<a href="/cases/3/review">审核违规</a>页）。' in str(web_note(note, 3))
    assert note_in_words(note).endswith("提交前请逐项确认（在本软件“审核违规”页）。")
    assert note_text("没有步骤的提示。") == "没有步骤的提示。"


def test_the_plan_and_the_lpr_note_carry_steps(ws: Workspace) -> None:
    plan = build_plan(ws, create_case(ws, "空案件", lender="速借").id, today=TODAY)  # no findings yet
    first = next(n for n in plan.notes_zh if "尚未发现违规" in n)
    assert first.step == "analyze" and "weiquan" not in first
    pack = load_pack()
    stale = pack.lpr_fixing_on(pack.lpr_known_through.replace(year=pack.lpr_known_through.year + 1))
    assert stale.stale and stale.note_zh.step == "lpr_update" and "weiquan" not in stale.note_zh


def test_service_errors_and_summaries_carry_steps(ws: Workspace, tmp_path: Path) -> None:
    """The extraction summary, the import of an unreadable table and the vault check name a step, not a command;
    the CLI prints the command, the web links the page or says it is command-line only."""
    paused = RunSummary(total=3, done=1, paused=2)
    assert paused.note_zh.step == "extract_resume" and "weiquan" not in paused.note_zh
    assert note_text(paused.note_zh).endswith("可继续识别（weiquan extract --resume）。")
    assert '<a href="/cases/7/import">导入证据</a>' in str(web_note(paused.note_zh, 7))
    assert RunSummary(total=1, done=1).note_zh.step is None

    case_id = create_case(ws, "表格", lender="速借").id
    odd = tmp_path / "odd.csv"
    odd.write_text("发信时刻,对端,话术\n2024-03-04 21:00,15400000001,再不还钱就上门\n", encoding="utf-8")
    [r] = import_paths(ws, case_id, [odd])
    assert r.status == "unparsed" and r.error_step == "column_map" and "--map" not in (r.error or "")
    assert step_command(r.error_step) == "（weiquan import 文件 --map 列名=字段）"
    assert str(web_step(r.error_step, case_id)) == "（目前只能在命令行中操作）"

    ok, zh, _ = ws.vault.check_head(ws.vault.head().text)  # the import wrote ledger entries
    assert ok and zh.step == "vault_verify" and "vault verify" not in zh
    assert note_text(zh).endswith("（weiquan vault verify）。")


def test_errors_show_their_step_in_the_cli_and_the_web(ws: Workspace) -> None:
    err = ProblemFound(Note("证据库中的文件已损坏，停止导出：x。请核验整个证据库。", step="vault_verify"), "damaged")
    app = create_app(ws)

    @app.get("/boom")
    def boom() -> None:
        raise err

    @app.get("/api/v1/boom")
    def api_boom() -> None:
        raise err

    with TestClient(app) as client:
        page = client.get("/boom")
        api = client.get("/api/v1/boom")
    assert "请核验整个证据库（目前只能在命令行中操作）。" in page.text
    assert api.json()["error"]["step"] == "vault_verify" and "weiquan" not in api.json()["error"]["zh"]
