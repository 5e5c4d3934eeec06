"""CLI: global --home, case commands with --json, exit codes, bilingual errors without tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.fixtures.cli import runner, wq
from weiquan.cli import app


def test_case_lifecycle_json(home: Path) -> None:
    r = wq(home, "case", "new", "--name", "张三 vs 某某贷", "--lender", "某某贷", "--json")
    assert r.exit_code == 0, r.output
    created = json.loads(r.output)
    assert created["id"] >= 1 and created["name"] == "张三 vs 某某贷" and created["lender_name"] == "某某贷"
    listed = json.loads(wq(home, "case", "list", "--json").output)
    assert [c["id"] for c in listed] == [created["id"]]
    shown = json.loads(wq(home, "case", "show", str(created["id"]), "--json").output)
    assert shown["counts"]["events"] == 0
    # delete asks for confirmation; "n" keeps the case
    r = wq(home, "case", "delete", str(created["id"]), input="n\n")
    assert r.exit_code != 0
    assert len(json.loads(wq(home, "case", "list", "--json").output)) == 1
    r = wq(home, "case", "delete", str(created["id"]), input="y\n")
    assert r.exit_code == 0
    assert json.loads(wq(home, "case", "list", "--json").output) == []


def test_case_delete_keeps_ledger_record(home: Path) -> None:
    from sqlalchemy import select

    from weiquan.config import load_settings
    from weiquan.store.models import LedgerEntry
    from weiquan.workspace import Workspace

    cid = json.loads(wq(home, "case", "new", "--name", "x", "--json").output)["id"]
    assert wq(home, "case", "delete", str(cid), "--yes").exit_code == 0
    with Workspace(load_settings(home)) as ws, ws.db.read_session() as s:
        actions = [(e.action, e.case_id) for e in s.execute(select(LedgerEntry).order_by(LedgerEntry.seq)).scalars()]
    assert actions == [("case_created", cid), ("case_deleted", cid)]
    assert wq(home, "vault", "verify").exit_code == 0


def test_unknown_case_is_exit_2_bilingual_no_traceback(home: Path) -> None:
    r = wq(home, "case", "show", "42")
    assert r.exit_code == 2
    assert "案件 42 不存在" in r.output and "case 42 does not exist" in r.output
    assert "Traceback" not in r.output


def test_usage_error_exit_2(home: Path) -> None:
    r = wq(home, "case", "new")  # --name missing
    assert r.exit_code == 2


def test_empty_name_is_input_error(home: Path) -> None:
    r = wq(home, "case", "new", "--name", "  ")
    assert r.exit_code == 2 and "不能为空" in r.output


def test_home_from_env_and_python_m(tmp_path: Path) -> None:
    env = {**os.environ, "WEIQUAN_HOME": str(tmp_path / "envhome")}
    out = subprocess.run(
        [sys.executable, "-m", "weiquan", "case", "new", "--name", "env", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout)["name"] == "env"
    assert (tmp_path / "envhome" / "weiquan.db").exists()


def test_init_json(home: Path) -> None:
    r = wq(home, "init", "--json")
    assert r.exit_code == 0
    info = json.loads(r.output)
    assert info["home"] == str(home.resolve()) and info["database"].startswith("sqlite:///")


def test_version() -> None:
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and r.output.startswith("weiquan ")


def test_case_new_fills_the_lender_from_the_registry_like_the_web(home: Path) -> None:
    """`case new` and the web's new-case form are one service: an exact registry name fills entity and licence."""
    from fastapi.testclient import TestClient

    from weiquan.config import load_settings
    from weiquan.web import create_app
    from weiquan.web.config import WebConfig
    from weiquan.workspace import Workspace

    cli = json.loads(wq(home, "case", "new", "--name", "张三 vs 招联", "--lender", "招联", "--json").output)
    assert (cli["lender_entity"], cli["licence_type"]) == ("招联消费金融股份有限公司", "consumer_finance")
    unknown = json.loads(wq(home, "case", "new", "--name", "x", "--lender", "某某贷", "--json").output)
    assert (unknown["lender_entity"], unknown["licence_type"]) == (None, None)
    with Workspace(load_settings(home)) as ws, TestClient(create_app(ws, config=WebConfig(run_extraction=False))) as c:
        token = c.get("/").text.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
        web = c.post("/api/v1/cases", json={"name": "张三 vs 招联", "lender": "招联"}, headers={"X-CSRF-Token": token})
        assert web.status_code == 201, web.text
        assert {k: web.json()[k] for k in ("lender_entity", "licence_type")} == {
            k: cli[k] for k in ("lender_entity", "licence_type")
        }
