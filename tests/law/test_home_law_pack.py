"""The workspace owns the law pack: after ``weiquan --home X law lpr --update FILE`` every consumer — the CLI loan
check, the case's loan checks, the plan, the documents, the web loan check (page and API) — reads X's LPR, not the
default home's; ``load_pack()`` without a home never reads the environment."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import weiquan.law.pack as pack_module
from weiquan.cli import app
from weiquan.config import load_settings
from weiquan.law.pack import load_pack
from weiquan.services import cases, documents, loans, plan
from weiquan.web import create_app
from weiquan.web.config import WebConfig
from weiquan.workspace import Workspace

runner = CliRunner()
# A fixing after the bundled table ends: a private loan contracted on 2026-11-01 is capped at 4 × 2.90 % = 11.6 %
# with it, at 4 × the last bundled fixing without it.
LPR_CSV = "date,1Y\n2026-10-20,2.90\n"
LOAN = {
    "lender": "张三",
    "lender_type": "private",
    "contract_date": "2026-11-01",
    "principal": 10000,
    "disbursed": [{"date": "2026-11-01", "amount": 10000}],
    "repayments": [{"date": "2026-12-01", "amount": 10500}],
    "as_of": "2026-12-01",
}


def _cap(result: dict[str, Any]) -> float:
    return next(c["rate"] for c in result["caps"] if c["id"] == "four_lpr_contract")


@pytest.fixture
def homes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """Home X with the imported fixing; the default home (WEIQUAN_HOME) without it."""
    default, home = tmp_path / "default", tmp_path / "x"
    monkeypatch.setenv("WEIQUAN_HOME", str(default))
    csv = tmp_path / "lpr.csv"
    csv.write_text(LPR_CSV, encoding="utf-8")
    r = runner.invoke(app, ["--home", str(home), "law", "lpr", "--update", str(csv), "--json"])
    assert r.exit_code == 0, r.output
    assert [a["date"] for a in json.loads(r.stdout)["added"]] == ["2026-10-20"]
    return home, default


def test_bundled_and_default_packs_do_not_see_another_home(homes: tuple[Path, Path]) -> None:
    home, default = homes
    assert load_pack(home).lpr_known_through == dt.date(2026, 10, 20)
    assert load_pack().lpr_known_through < dt.date(2026, 10, 20)  # no home: the bundled data, not WEIQUAN_HOME's
    assert load_pack(default).lpr_known_through < dt.date(2026, 10, 20)


def test_cli_loan_check_reads_the_homes_lpr(homes: tuple[Path, Path], tmp_path: Path) -> None:
    home, _ = homes
    f = tmp_path / "loan.json"
    f.write_text(json.dumps(LOAN, ensure_ascii=False), encoding="utf-8")
    mine = runner.invoke(app, ["--home", str(home), "loan", "check", str(f), "--json"])
    default = runner.invoke(app, ["loan", "check", str(f), "--json"])
    assert mine.exit_code == 0 and default.exit_code == 0, mine.output + default.output
    assert _cap(json.loads(mine.stdout)) == pytest.approx(0.116)
    assert _cap(json.loads(default.stdout)) != pytest.approx(0.116)


def test_services_and_web_read_the_workspaces_pack(homes: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    home, _ = homes
    calls: list[Path | None] = []
    real = pack_module.load_pack

    def spy(h: Path | str | None = None, **kw: Any) -> Any:
        calls.append(Path(h) if h is not None else None)
        return real(h, **kw)

    with Workspace(load_settings(home)) as ws:
        assert ws.law.lpr_known_through == dt.date(2026, 10, 20)
        case = cases.create_case(ws, "案件", lender="张三")
        stored = loans.add_loan(ws, case.id, dict(LOAN))
        assert _cap(stored.result) == pytest.approx(0.116)
        monkeypatch.setattr(pack_module, "load_pack", spy)
        p = plan.build_plan(ws, case.id, today=dt.date(2026, 12, 2))
        assert p.steps
        html = documents.document_html(ws, case.id, "plan", today=dt.date(2026, 12, 2))
        assert "维权" in html
        with TestClient(create_app(ws, config=WebConfig(run_extraction=False))) as c:
            token = re.search(r'name="csrf-token" content="([^"]+)"', c.get("/").text)
            assert token
            c.headers["X-CSRF-Token"] = token.group(1)
            api = c.post("/api/v1/loans/check", json=LOAN)
            assert api.status_code == 200, api.text
            assert _cap(api.json()) == pytest.approx(0.116)
            page = c.post(
                "/loans",
                data={
                    "lender": "张三",
                    "lender_type": "private",
                    "contract_date": "2026-11-01",
                    "principal": "10000",
                    "received": "10000",
                    "repayments": "2026-12-01 10500",
                },
            )
            assert page.status_code == 200, page.text
        assert calls and all(h == ws.home for h in calls), calls


# Calls of ``load_pack()`` without a home: the bundled data alone. A home adds only its imported LPR fixings, so
# these read nothing a home changes (conduct rules, lender names); every other consumer takes ``ws.law`` or
# ``load_pack(home)``.
BUNDLED_ONLY = {
    "analyze/lawrules.py": "detectors are plug-ins registered without a workspace; they read the conduct rules",
    "extract/asr.py": "lender names for the speech decoder's hints",
    "loans/check.py": "the library default when a caller passes no pack (every service passes ws.law)",
}


def test_no_consumer_reads_the_pack_behind_the_workspaces_back() -> None:
    import ast

    src = Path(pack_module.__file__).resolve().parents[1]
    bare = sorted(
        str(p.relative_to(src))
        for p in src.rglob("*.py")
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", getattr(node.func, "attr", None)) == "load_pack"
        and not node.args
        and not node.keywords
    )
    assert set(bare) <= set(BUNDLED_ONLY), bare
    assert not any(p.startswith(("services/", "web/", "commands/")) for p in bare)
