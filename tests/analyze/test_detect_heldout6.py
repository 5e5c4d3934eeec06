"""Held-out round 7 (team-written, measured before tuning) and the context fixes made after it."""

from __future__ import annotations

import pytest

from weiquan.analyze.text import classify_text


@pytest.mark.parametrize("text", [
    "催收说要联系我的家人，我现在该怎么办？",
    "据央视新闻报道，一催收团伙以群发通讯录方式逼债，已被警方查处",
])
def test_lawful_round7_negatives(text):
    assert {h.category for h in classify_text(text)} == set()
