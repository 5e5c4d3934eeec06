"""The fast batch path gives the same results as the reference path; held-out quality floor."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from weiquan.analyze.classifier import default_classifier
from weiquan.analyze.text import default_text_detector
from weiquan.analyze.training import expand_templates

HELDOUT = Path(__file__).parent / "data" / "heldout.jsonl"


def _heldout() -> list[dict]:
    return [json.loads(line) for line in HELDOUT.read_text(encoding="utf-8").splitlines() if line.strip()]


def _varied_messages() -> list[str]:
    gen = [it.text for it in expand_templates(seed=99)][::25]
    tricky = [
        "",
        " ",
        "a",
        "你好  \n\n 爆 通讯录",
        "ABC  DEF 不還就爆你通訊錄",
        "ＸＸ先生，不还就爆你通讯录！",
        "①②㈠… 您 b通讯录  上*门 ${name}你好%s",
        "再不还钱小心你的腿\t\t明天见",
        "txl爆通",
    ]
    return gen + [it["text"] for it in _heldout()] + tricky


def _key(h, ndigits=4):
    return (h.category, h.spans, round(h.confidence, ndigits), h.detector_id, h.rule_id)


def test_fast_path_matches_reference_labels_and_spans():
    d = default_text_detector()
    msgs = _varied_messages()
    assert len(msgs) >= 300
    fast, ref = d.detect_many(msgs), d.detect_many_reference(msgs)
    for m, a, b in zip(msgs, fast, ref, strict=True):
        assert [(h.category, h.spans, h.rule_id) for h in a] == [(h.category, h.spans, h.rule_id) for h in b], m
        assert [h.confidence for h in a] == pytest.approx([h.confidence for h in b], abs=1e-4), m


def test_classifier_fast_featuriser_matches_sklearn():
    c = default_classifier()
    msgs = _varied_messages()
    norms = [c.normalizer.normalize(t).text for t in msgs]
    fast = c.featurizer.transform(norms).toarray()
    ref = c.vec.transform(norms).toarray()
    assert np.allclose(fast, ref, atol=1e-5)
    a, b = c.detect_many(msgs), [c.hits_from(s) for s in c.score_many_reference(msgs)]
    assert [[(h.category, h.spans) for h in x] for x in a] == [[(h.category, h.spans) for h in x] for x in b]


def test_batch_and_single_agree():
    d = default_text_detector()
    msgs = _varied_messages()[:60]
    assert [[_key(h) for h in d.detect(m)] for m in msgs] == [[_key(h) for h in hs] for hs in d.detect_many(msgs)]
