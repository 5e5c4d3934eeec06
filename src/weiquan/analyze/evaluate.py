"""Multi-label evaluation of a text detector on a labelled JSONL file (``weiquan eval``).

Input lines: ``{"text": ..., "labels": [...]}``. A prediction without any violation label counts as
``lawful``. Output keys (exactly): ``n``, ``per_label`` (label -> precision, recall, f1, support),
``macro_f1`` (mean F1 over labels other than ``lawful`` with support >= 5 in the file),
``lawful_false_positive_rate`` (share of items labelled only ``lawful`` that got any violation label),
``micro_f1`` (pooled over all labels other than ``lawful``). When items carry ``source_kind`` (where the
text came from: sms, call transcript, chat, forum post ...), ``by_source_kind`` adds the same figures for
each kind (items without one are counted under ``"unknown"``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from weiquan.analyze.base import LAWFUL
from weiquan.errors import InputError

MACRO_MIN_SUPPORT = 5


def read_jsonl(path: Path, *, need_labels: bool) -> list[dict[str, Any]]:
    if not path.exists():
        raise InputError(f"文件不存在：{path}", f"file not found: {path}")
    items = []
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(
                    f"第 {lineno} 行不是有效的 JSON：{e.msg}", f"line {lineno} is not valid JSON: {e.msg}"
                ) from None
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                raise InputError(f"第 {lineno} 行缺少 text 字段", f'line {lineno} has no "text" string')
            if need_labels and not isinstance(obj.get("labels"), list):
                raise InputError(f"第 {lineno} 行缺少 labels 列表", f'line {lineno} has no "labels" list')
            items.append(obj)
    return items


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _norm(labels: Iterable[str]) -> set[str]:
    s = {x for x in labels if x != LAWFUL}
    return s or {LAWFUL}


def score(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> dict[str, Any]:
    if len(gold) != len(pred):
        raise ValueError("gold and predictions differ in length")
    g = [_norm(x) for x in gold]
    p = [_norm(x) for x in pred]
    labels = sorted(set().union(*g, *p)) if g else []
    per: dict[str, dict[str, float | int]] = {}
    tp_all = fp_all = fn_all = 0
    for lab in labels:
        tp = sum(lab in a and lab in b for a, b in zip(g, p, strict=True))
        fp = sum(lab not in a and lab in b for a, b in zip(g, p, strict=True))
        fn = sum(lab in a and lab not in b for a, b in zip(g, p, strict=True))
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        per[lab] = {
            "precision": round(prec, 4),
            "recall": round(rec, 4),
            "f1": round(_f1(prec, rec), 4),
            "support": tp + fn,
        }
        if lab != LAWFUL:
            tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
    macro_labels = [lab for lab in labels if lab != LAWFUL and per[lab]["support"] >= MACRO_MIN_SUPPORT]
    macro = sum(float(per[lab]["f1"]) for lab in macro_labels) / len(macro_labels) if macro_labels else 0.0
    lawful_items = [b for a, b in zip(g, p, strict=True) if a == {LAWFUL}]
    fpr = sum(b != {LAWFUL} for b in lawful_items) / len(lawful_items) if lawful_items else 0.0
    mp = tp_all / (tp_all + fp_all) if tp_all + fp_all else 0.0
    mr = tp_all / (tp_all + fn_all) if tp_all + fn_all else 0.0
    return {
        "n": len(g),
        "per_label": per,
        "macro_f1": round(macro, 4),
        "lawful_false_positive_rate": round(fpr, 4),
        "micro_f1": round(_f1(mp, mr), 4),
    }


def evaluate(items: Sequence[dict[str, Any]], predict: Callable[[list[str]], list[list[str]]]) -> dict[str, Any]:
    preds = predict([it["text"] for it in items])
    res = score([it["labels"] for it in items], preds)
    if any("source_kind" in it for it in items):
        groups: dict[str, list[int]] = {}
        for i, it in enumerate(items):
            groups.setdefault(str(it.get("source_kind") or "unknown"), []).append(i)
        res["by_source_kind"] = {
            k: score([items[i]["labels"] for i in idx], [preds[i] for i in idx]) for k, idx in sorted(groups.items())
        }
    return res
