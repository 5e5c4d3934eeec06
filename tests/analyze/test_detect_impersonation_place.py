"""Self-identification as a court or police officer after a place name is impersonation."""

from __future__ import annotations

import pytest

from weiquan.analyze.text import classify_text


def _cats(text: str) -> set[str]:
    return {h.category for h in classify_text(text)}


@pytest.mark.parametrize("text", [
    "我是南山区人民法院执行局的工作人员，你的案件已经进入强制执行程序，今天必须还款。",
    "我们是杭州市公安局的，你的网贷欠款已经被立案了。",
])
def test_place_name_then_authority_is_impersonation(text: str) -> None:
    assert "impersonation" in _cats(text)


@pytest.mark.parametrize("text", ["我是本区居民，想问下怎么还款", "我是朝阳区的客户，申请延期还款"])
def test_place_name_without_authority_stays_lawful(text: str) -> None:
    assert "impersonation" not in _cats(text)
