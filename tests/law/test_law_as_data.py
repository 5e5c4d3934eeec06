"""Law as data (issue 14 item 5): the places that once wrote legal facts into Python — the loan check's notes (24 %,
36 %, 2020-08-20, licensed types), the LPR multiple in the law service, the police time limit and 110 in the plan,
the lender registry's fallback channels — read them from the law pack. A figure written back into their code
(outside comments and docstrings) fails here; the pack row with its source is the place for it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import weiquan
from tests.code_constants import code_constants

SRC = Path(weiquan.__file__).parent
FILES = [
    "loans/check.py",
    "loans/legality.py",
    "loans/calc.py",
    "services/law.py",
    "services/loans.py",
    "act/plan.py",
    "act/deadlines.py",
    "act/builtin.py",
    "law/lenders.py",
]
# a percentage cap, the 2020-08-20 switch, an emergency or complaint hotline, the six-month limit in words
FIGURE = re.compile(r"(?<!\d)(?:24|36)\s*%|2020-08-20|2020年8月20日|(?<!\d)(?:110|12378|12363|12315)(?!\d)|六个月")
CHANNEL_IDS = {"police", "nfra", "local_regulator", "nifa", "isc_12321", "court", "lender", "carrier", "miit_12300"}


@pytest.mark.parametrize("rel", FILES)
def test_no_legal_figure_written_into_code(rel: str) -> None:
    tree = ast.parse((SRC / rel).read_text(encoding="utf-8"))
    constants = code_constants(tree)
    figures = [
        f"{rel}:{c.lineno}: {c.value!r}" for c in constants if isinstance(c.value, str) and FIGURE.search(c.value)
    ]
    rates = [f"{rel}:{c.lineno}: {c.value!r}" for c in constants if c.value in (0.24, 0.36)]
    multiples = [  # 4 * rate: the cap's multiple is interest.yaml's
        f"{rel}:{n.lineno}"
        for n in ast.walk(tree)
        if isinstance(n, ast.BinOp)
        and isinstance(n.op, ast.Mult)
        and any(isinstance(s, ast.Constant) and s.value == 4 for s in (n.left, n.right))
    ]
    channel_lists = [  # a list of channel ids is a fallback route the pack does not hold
        f"{rel}:{n.lineno}"
        for n in ast.walk(tree)
        if isinstance(n, (ast.List, ast.Tuple))
        and len(n.elts) > 1
        and all(isinstance(e, ast.Constant) and e.value in CHANNEL_IDS for e in n.elts)
    ]
    assert figures + rates + multiples + channel_lists == []
