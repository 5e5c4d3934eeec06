"""N-best rescoring with the word language model (extract/asr_lm.py): the LM, the guards of ``choose``,
the stand-in for the decoder, the domain word list and the setting that turns it off."""

from __future__ import annotations

import importlib.util
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from weiquan.extract import asr
from weiquan.extract.asr_lm import (
    Hypothesis,
    NBestWhisper,
    RescoreSettings,
    WordLM,
    bare,
    choose,
    is_loop,
    segment,
)

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(importlib.util.find_spec("jieba") is None, reason="the asr extra is not installed")

TOY_GENERAL = {"账单": 50, "仗": 40, "单": 60, "今天": 100, "分析": 500, "分期": 20, "的": 1000}
TOY_DOMAIN = {"分期": 100, "账单": 30, "的": 200}
CFG = RescoreSettings(hypotheses=5, weight=0.5, max_acoustic_gap=4.0, min_lm_gain=2.0)


def toy_lm(alpha: float = 0.5) -> WordLM:
    return WordLM(TOY_GENERAL, TOY_DOMAIN, alpha=alpha)


def test_segment_takes_the_most_probable_split() -> None:
    lm = toy_lm()
    score, words = segment("今天的账单", lm.word_logprob, lm.unknown)
    assert words == ["今天", "的", "账单"]
    assert score == pytest.approx(sum(lm.word_logprob(w) or 0.0 for w in words))
    # A character in no list costs the floor (count 1 of the general list), it is never dropped.
    _, words = segment("账单嘞", lm.word_logprob, lm.unknown)
    assert words == ["账单", "嘞"]


def test_lm_prefers_the_word_to_its_homophone_and_domain_weight_moves_priors() -> None:
    lm = toy_lm()
    assert lm.score("账单") > lm.score("仗单") + 2
    assert toy_lm(alpha=0.0).score("分析") > toy_lm(alpha=0.0).score("分期")  # general Chinese: 分析
    assert toy_lm(alpha=0.5).score("分期") > toy_lm(alpha=0.5).score("分析")  # with the collection domain: 分期
    assert lm.score("，。 ") == 0.0  # punctuation is not scored
    assert lm.score("账单。今天") == pytest.approx(lm.score("账单") + lm.score("今天"))


def test_the_real_lm_knows_collection_words_and_lender_names() -> None:
    lm = asr.collection_lm()
    for right, heard in (("账单", "仗单"), ("核实", "合时"), ("工号", "功耗"), ("逾期", "于七"), ("花呗", "花被")):
        assert lm.score(right) > lm.score(heard), (right, heard)
    assert lm.word_logprob("借呗") is not None  # a registry brand jieba does not know
    assert lm.word_logprob("微粒贷") is not None  # a loan product of the data file's ``products``
    assert lm.score("核实") > lm.score("和使") and lm.score("尾号") > lm.score("为号")


def test_choose_rescores_only_within_the_guards() -> None:
    lm = toy_lm()
    top = Hypothesis("今天的仗单", -5.0)
    right = Hypothesis("今天的账单", -6.0)
    k, why = choose([top, right], lm, CFG)
    assert k == 1 and why is not None and why["heard"] == "今天的仗单" and why["chosen"] == "今天的账单"
    assert why["acoustic_gap"] == pytest.approx(1.0) and why["lm_gain"] > 2
    # Acoustically too far below the beam's best: never chosen, whatever the LM says.
    assert choose([top, Hypothesis("今天的账单", -9.5)], lm, CFG) == (0, None)
    # A different number of characters (the LM would like dropping a syllable): never chosen.
    assert choose([Hypothesis("今天的仗单嘞", -5.0), Hypothesis("今天的账单", -5.1)], lm, CFG) == (0, None)
    # Only punctuation differs: nothing to choose.
    assert choose([top, Hypothesis("今天的，仗单", -5.1)], lm, CFG) == (0, None)
    # A gain below min_lm_gain keeps Whisper's choice.
    assert choose([top, right], lm, RescoreSettings(5, 0.5, 4.0, min_lm_gain=100.0)) == (0, None)
    # A single hypothesis, or the weight making the acoustic loss dominate.
    assert choose([top], lm, CFG) == (0, None)
    assert choose([top, right], lm, RescoreSettings(5, 0.01, 4.0, 2.0)) == (0, None)
    assert bare("今天，的 账单。") == "今天的账单"


def test_a_decoding_loop_is_never_used_when_the_beam_has_another_reading() -> None:
    """A wide beam ranked 你要是今天能还一半ＧＧＧＧＧＧＧＧＧＧ first on a heldout3 clip (its score is
    normalised by length): the first hypothesis that is not a loop becomes the reference."""
    lm = toy_lm()
    loop = Hypothesis("今天的ＧＧＧＧＧＧ", -4.0)
    k, why = choose([loop, Hypothesis("今天的仗单", -5.0), Hypothesis("今天的账单", -5.5)], lm, CFG)
    assert k == 2 and why is not None and why["loop"] is True and why["heard"] == loop.text
    k, why = choose([loop, Hypothesis("今天的仗单", -5.0)], lm, CFG)
    assert k == 1 and why is not None and why["chosen"] == "今天的仗单"
    assert choose([loop, Hypothesis("今天的ＧＧＧＧＧ", -4.5)], lm, CFG) == (0, None)  # nothing else: unchanged
    assert is_loop("ＧＧ，ＧＧ") and not is_loop("今天今天") and not is_loop("哈哈哈")


class _FakeResult:
    def __init__(self, seqs: list[list[int]], scores: list[float]) -> None:
        self.sequences_ids, self.scores, self.no_speech_prob = seqs, scores, 0.01


class _FakeModel:
    """What faster-whisper calls on ctranslate2's Whisper, with a fixed beam for token ids 1/2 = 仗/账."""

    is_multilingual = True

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def generate(self, features: Any, prompts: Any, **kw: Any) -> list[_FakeResult]:
        self.calls.append(kw)
        n = kw.get("num_hypotheses", 1)
        seqs, scores = [[10, 11, 12, 1, 3], [10, 11, 12, 2, 3], [10, 11, 12, 2]][:n], [-1.0, -1.2, -3.0][:n]
        return [_FakeResult(seqs, scores)]


def _decode(ids: list[int]) -> str:
    return "".join({10: "今", 11: "天", 12: "的", 1: "仗", 2: "账", 3: "单"}[i] for i in ids)


def test_nbest_stand_in_puts_the_chosen_hypothesis_first() -> None:
    model = _FakeModel()
    nb = NBestWhisper(model, _decode, toy_lm(), CFG)
    (r,) = nb.generate(None, [[1]], beam_size=5, length_penalty=1.0)
    assert model.calls[-1]["num_hypotheses"] == 3 or model.calls[-1]["num_hypotheses"] == 5
    assert r.sequences_ids[0] == [10, 11, 12, 2, 3] and r.scores[0] == -1.2 and r.no_speech_prob == 0.01
    assert len(r.sequences_ids) == 3 and sorted(map(tuple, r.sequences_ids)) == sorted(
        map(tuple, [[10, 11, 12, 1, 3], [10, 11, 12, 2, 3], [10, 11, 12, 2]])
    )
    assert nb.log == [
        {"heard": "今天的仗单", "chosen": "今天的账单", "acoustic_gap": 1.0, "lm_gain": nb.log[0]["lm_gain"]}
    ]
    # Acoustic score is cumulative: Whisper's length-normalised score × length.
    nb.nbest = []
    nb.generate(None, [[1]], beam_size=5, length_penalty=1.0)
    assert [h.acoustic for h in nb.nbest[0]] == pytest.approx([-5.0, -6.0, -12.0])
    # Sampling (temperature fallback) and greedy calls pass through untouched.
    nb.generate(None, [[1]], beam_size=1, sampling_temperature=0.2)
    assert "num_hypotheses" not in model.calls[-1]
    assert nb.is_multilingual  # everything else is the wrapped model's


class _PromptModel(_FakeModel):
    """A beam that depends on the prompt: prompt [1] (the first hotwords) hears 仗单 (and a shorter reading),
    prompt [9, 1] (the extended hotwords) hears 账单 first and 仗单 second."""

    def generate(self, features: Any, prompts: Any, **kw: Any) -> list[_FakeResult]:
        self.calls.append({**kw, "prompts": prompts})
        if prompts == [[9, 1]]:
            return [_FakeResult([[10, 11, 12, 2, 3], [10, 11, 12, 1, 3]], [-0.9, -1.1])]
        return [_FakeResult([[10, 11, 12, 1, 3], [10, 11, 12, 1]], [-1.0, -3.0])]


def test_pooled_second_decoding_joins_the_candidates_under_the_same_guards() -> None:
    """Seventh round: the second beam's readings join the first beam's; the first beam's best stays the
    reference (acoustic gap and length are measured against it), a reading both beams found keeps the first
    beam's score, the choice is recorded as pooled, and a prompt the pool cannot rewrite gets no second call."""
    model = _PromptModel()
    nb = NBestWhisper(model, _decode, toy_lm(), CFG, pool=lambda p: [9, *p] if p == [1] else None)
    nb.nbest = []
    (r,) = nb.generate(None, [[1]], beam_size=5, length_penalty=1.0)
    assert [c["prompts"] for c in model.calls] == [[[1]], [[9, 1]]]
    assert all(c["num_hypotheses"] == 5 and c["beam_size"] == 5 for c in model.calls)
    assert r.sequences_ids[0] == [10, 11, 12, 2, 3] and r.scores[0] == -0.9
    # 今天的仗单 is in both beams: once, with the first beam's score; the pooled reading comes after the first's
    assert [h.text for h in nb.nbest[0]] == ["今天的仗单", "今天的仗", "今天的账单"]
    assert [h.acoustic for h in nb.nbest[0]] == pytest.approx([-5.0, -12.0, -4.5])
    assert nb.log == [
        {
            "heard": "今天的仗单",
            "chosen": "今天的账单",
            "acoustic_gap": -0.5,
            "lm_gain": nb.log[0]["lm_gain"],
            "pooled": True,
        }
    ]
    # The guards still hold for pooled readings: with no acoustic slack, nothing changes.
    strict = NBestWhisper(model, _decode, toy_lm(), RescoreSettings(5, 0.5, -1.0, 2.0), pool=lambda p: [9, *p])
    (r,) = strict.generate(None, [[1]], beam_size=5, length_penalty=1.0)
    assert r.sequences_ids[0] == [10, 11, 12, 1, 3] and strict.log == []
    # A prompt of another shape: one decoding only.
    model.calls.clear()
    nb.generate(None, [[2]], beam_size=5, length_penalty=1.0)
    assert len(model.calls) == 1


def test_pooled_hints_and_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """The second decoding's hotwords: the lender names, then the correction's terms and the products; it
    needs the rescoring, and the setting asr_hotword_pool (WEIQUAN_ASR_HOTWORD_POOL) turns it off."""
    h = asr.collection_hints()
    p = asr.pooled_hints(h)
    words = (p.hotwords or "").split("、")
    assert p.prompt == h.prompt and (p.hotwords or "").startswith(h.hotwords or "")
    assert {"通讯录", "核实", "微粒贷", "美团月付", "借呗"} <= set(words) and len(words) == len(set(words))
    settings = asr.rescore_settings()
    assert asr.resolve_pool(True, h, settings) == p
    assert asr.resolve_pool(True, h, None) is None  # no rescoring, nothing to choose with
    assert asr.resolve_pool(True, asr.PLAIN_HINTS, settings) is None  # no hotwords to extend
    assert asr.resolve_pool(False, h, settings) is None
    monkeypatch.setenv("WEIQUAN_ASR_HOTWORD_POOL", "0")
    assert asr.pool_enabled() is False and asr.resolve_pool(True, h, settings) is None
    assert "-p" not in asr.engine_id_for("base").split("-r")[-1]


def test_hotword_swap_rewrites_only_the_hotwords_of_the_prompt() -> None:
    class Tok:
        sot_prev = 50361

        def encode(self, text: str) -> list[int]:
            return [ord(c) for c in text]

    h, p = asr.DecoderHints("提示", "借呗"), asr.DecoderHints("提示", "借呗、逾期")
    swap = asr._hotword_swap(Tok(), h, p)
    prompt = [50361, *Tok().encode(" 借呗"), 7, 8, 50258]
    assert swap(prompt) == [50361, *Tok().encode(" 借呗、逾期"), 7, 8, 50258]
    assert swap([50258, 7]) is None and swap([50361, *Tok().encode(" 花呗"), 7]) is None


def test_rescoring_is_in_the_cache_key_and_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    on = asr.engine_id_for("base", rescore=asr.rescore_settings())
    off = asr.engine_id_for("base", rescore=None)
    assert on != off and "-r10w" in on and "-r" not in off.split("-c")[-1]
    monkeypatch.setenv("WEIQUAN_ASR_RESCORE", "0")
    assert asr.rescore_enabled() is False
    monkeypatch.setenv("WEIQUAN_ASR_RESCORE", "1")
    assert asr.rescore_enabled() is True
    s = asr.rescore_settings()
    assert 2 <= s.hypotheses <= 16 and s.max_acoustic_gap > 0 and s.min_lm_gain >= 0 and math.isfinite(s.weight)


def test_domain_word_list_is_what_its_script_writes() -> None:
    """The domain word counts are a frozen snapshot (the decoding was tuned and measured with it): they are
    what the script writes from the corpus version named in their header. When the detector's corpus has
    changed since, the snapshot deliberately stays (regenerating it changes transcripts: re-measure first)."""
    spec = importlib.util.spec_from_file_location("make_asr_lm", REPO / "scripts" / "make_asr_lm.py")
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    if script.recorded_hash() != script.corpus_hash():
        pytest.skip("the authored corpus changed since the LM snapshot; the snapshot stays frozen")
    r = subprocess.run([sys.executable, str(REPO / "scripts" / "make_asr_lm.py"), "--check"], check=False)
    assert r.returncode == 0, "src/weiquan/extract/data/asr_domain_words.tsv differs from what its script writes"
