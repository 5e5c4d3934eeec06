"""One vocabulary (weiquan.zh.labels): every stored id has one Chinese label, and no other module keeps its own
table of channels, directions, recipients, licence types, severities or action statuses."""

from __future__ import annotations

import ast
import typing
from pathlib import Path

import weiquan
from weiquan.law.schema import LicenceType, Severity
from weiquan.zh import labels as L

SRC = Path(weiquan.__file__).parent
# Names that only weiquan.zh.labels may define (a second table with another word is how the labels drifted).
SHARED = {
    "CHANNEL_ZH",
    "DIRECTION_ZH",
    "RECIPIENT_ZH",
    "LICENCE_ZH",
    "SEVERITY_ZH",
    "STATUS_ZH",
    "ACTION_STATUS_ZH",
    "SEVERITY_RANK",
    "CHANNELS",
    "DIRECTIONS",
    "RECIPIENTS",
    "LICENCE_TYPES",
    "SEVERITIES",
    "STATUSES",
    "ACTION_STATUSES",
    "ORIGIN_SOURCE_ZH",
    "TEXT_SOURCE_ZH",
    "IMPORT_STATUS_ZH",
}


def test_every_id_has_one_label() -> None:
    assert set(L.CHANNEL_ZH) == set(L.CHANNELS)
    assert set(L.RECIPIENT_ZH) == set(L.RECIPIENTS)
    assert set(L.DIRECTIONS) <= set(L.DIRECTION_ZH)
    assert set(L.LICENCE_ZH) == set(L.LICENCE_TYPES) == set(typing.get_args(LicenceType))
    assert set(L.SEVERITY_ZH) == set(L.SEVERITIES) == set(typing.get_args(Severity))
    assert set(L.ACTION_STATUS_ZH) == set(L.ACTION_STATUSES)
    assert set(L.REVIEW_ZH) == set(L.REVIEW_STATES) == set(L.REVIEW_REPORT_ZH)


def test_conflicting_words_resolved() -> None:
    assert L.ACTION_STATUS_ZH["sent"] == "已提交" and L.ACTION_STATUS_ZH["overdue"] == "已超期"
    assert L.SEVERITY_ZH["low"] == "一般"
    assert [L.severity_rank(s) for s in ("high", "medium", "low", None, "unknown")] == [0, 1, 2, 3, 3]
    assert L.direction_label("sms", "incoming") == "收到" and L.direction_label("call", "incoming") == "来电"
    assert L.direction_label("visit", "incoming") == "找上门" and L.direction_label(None, None) == ""


def _module_level_names(tree: ast.Module) -> set[str]:
    out: set[str] = set()
    for node in tree.body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        out |= {t.id for t in targets if isinstance(t, ast.Name)}
    return out


def test_no_second_table() -> None:
    offenders = []
    for path in SRC.rglob("*.py"):
        if path == SRC / "zh" / "labels.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        offenders += [f"{path.relative_to(SRC)}: {n}" for n in sorted(_module_level_names(tree) & SHARED)]
        # a severity order written out again ({"high": 0, "medium": 1, ...}) instead of severity_rank
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Dict)
                and {getattr(k, "value", None) for k in node.keys} >= {"high", "medium", "low"}
                and all(isinstance(v, ast.Constant) and isinstance(v.value, int) for v in node.values)
            ):
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno}: severity order")
    assert not offenders, offenders
