"""Regression floors of the text detector, in one table (issue #15).

* ``SETS``: every labelled set written before the detector was tuned on it (team held-out rounds, the
  round-9 probe, and the blind sets written by helpers who never saw the code). Each row records the
  untuned score measured when the set was new (docs/detection.md) and the floor the detector must keep.
  None of them is training data (checked here).
* ``data/phrase_floors.jsonl``: the phrase checks the tuning rounds added (one row per check: ``on``
  ``cats`` = the combined detector's categories, ``rules`` = the rule ids behind its hits; ``exactly``,
  ``has`` or ``lacks``), with the round they came from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import pytest
from tests.analyze.analyze_builders import cats, rules

from weiquan.analyze.evaluate import score
from weiquan.analyze.text import default_text_detector, labels_of
from weiquan.analyze.normalize import default_normalizer
from weiquan.analyze.training import authored_files, load_authored, load_training_items, read_authored

DATA = Path(__file__).parent / "data"
DEV_SET = Path(__file__).resolve().parents[2] / "../shared/data/collection-messages-dev.jsonl"


@dataclass(frozen=True)
class Floor:
    file: str
    origin: str | None  # every item's origin (None: the set keeps its own per-item fields)
    untuned: str  # macro-F1 / lawful FP measured before any change made for the set
    macro_f1: float
    lawful_fp: float
    min_items: int = 25
    lawful_min: int = 0


SETS = [
    Floor("heldout.jsonl", "team-written heldout", "0.967 / 0.013 (ho-178…217 fresh)", 0.92, 0.05, 200, 60),
    Floor("heldout2.jsonl", "team-written heldout round 3", "0.739 / 0.148", 0.92, 0.05, 70),
    Floor("heldout3.jsonl", "team-written heldout round 4", "0.671 / 0.061", 0.92, 0.05, 60, 30),
    Floor("heldout4.jsonl", "team-written heldout round 5", "0.705 / 0.318", 0.96, 0.05, 45, 20),
    # 0.89 since detection round 6 (was 0.91): the model trained with eleven authors adds a second category to
    # short team-written items (a contact told he "有义务督促" read as a false legal threat too); leave-one-author-out
    # and A-Q chose it (docs/detection.md "Round 6")
    Floor("heldout5.jsonl", "team-written heldout round 6", "0.800 / 0.111", 0.89, 0.05, 45, 25),
    Floor("heldout6.jsonl", "team-written heldout round 7", "0.556 / 0.111", 0.98, 0.06, 30, 15),
    Floor("heldout7.jsonl", "team-written heldout round 8", "0.709 / 0.389", 0.94, 0.06, 35, 15),
    Floor("round9_probe.jsonl", "team-written probe round 9", "0.579 / 0.632", 0.98, 0.06, 25, 15),
    # blind sets (issue #15), written by helpers who never saw the code; untuned = the shipped detector of the day
    Floor("blindA.jsonl", None, "0.699 / 0.121 (rules + round-9 model)", 0.94, 0.05, 75, 31),
    # scored once each through scripts/blind_eval.sh with the frozen detector, then used for error analysis
    Floor("blindB.jsonl", None, "0.865 / 0.030 (frozen 1af4c91)", 0.95, 0.05, 75, 31),
    Floor("blindC.jsonl", None, "0.769 / 0.061 (frozen 1af4c91)", 0.88, 0.05, 75, 31),
    Floor("blindD.jsonl", None, "0.731 / 0.091 (frozen a21ba44)", 0.91, 0.05, 75, 31),
    # written after the final change by a third helper; scored once each, untouched, on the shipped detector (24148c6)
    Floor("blindE.jsonl", None, "0.826 / 0.118 (final 24148c6)", 0.94, 0.05, 75, 32),
    Floor("blindF.jsonl", None, "0.864 / 0.029 (final 24148c6)", 0.91, 0.05, 75, 32),
    # session 3: written by a fresh helper before any change of the round; scored once on main 2a5699c
    Floor("blindG.jsonl", None, "0.853 / 0.097 (main 2a5699c)", 0.91, 0.05, 75, 31),
    # session 3: written before round 3 by two more fresh helpers, scored once after its last change (main 6b5f4ed)
    Floor("blindH.jsonl", None, "0.848 / 0.000 (main 6b5f4ed)", 0.92, 0.03, 75, 32),
    Floor("blindI.jsonl", None, "0.904 / 0.097 (main 6b5f4ed)", 0.94, 0.10, 75, 31),
    # session 3: written before round 4 by two more fresh helpers, scored once after its last change (main 43eaae5)
    Floor("blindJ.jsonl", None, "0.865 / 0.182 (main 43eaae5)", 0.91, 0.04, 75, 33),
    Floor("blindK.jsonl", None, "0.836 / 0.032 (main 43eaae5)", 0.87, 0.04, 75, 31),
    # session 4: N, O written before round 5 by two fresh helpers, scored on main a401cab (before) and 4c6d89e (after)
    Floor(
        "blindN.jsonl", None, "0.900 / 0.065 (main a401cab); 0.942 / 0.065 after round 5 (4c6d89e)", 0.94, 0.07, 75, 31
    ),
    Floor(
        "blindO.jsonl", None, "0.891 / 0.000 (main a401cab); 0.929 / 0.000 after round 5 (4c6d89e)", 0.93, 0.03, 75, 30
    ),
    # session 4: P, Q written during round 5 by two more fresh helpers, scored once after it (main 4c6d89e)
    Floor("blindP.jsonl", None, "0.899 / 0.063 (main 4c6d89e)", 0.91, 0.07, 75, 32),
    Floor("blindQ.jsonl", None, "0.905 / 0.000 (main 4c6d89e)", 0.90, 0.03, 75, 32),
    # session 4: R, S written during round 6 by two more fresh helpers, scored once after it (frozen 93f2187, main 6453b1d)
    Floor("blindR.jsonl", None, "0.911 / 0.000 (main 6453b1d)", 0.89, 0.03, 75, 32),
    Floor("blindS.jsonl", None, "0.899 / 0.033 (main 6453b1d)", 0.89, 0.03, 75, 30),
    # session 5: T, U written by two more fresh helpers before round 7, scored once on main 7059fe1
    Floor("blindT.jsonl", None, "0.924 / 0.063 (main 7059fe1)", 0.91, 0.04, 75, 32),
    Floor("blindU.jsonl", None, "0.936 / 0.031 (main 7059fe1)", 0.93, 0.04, 75, 32),
    # session 5: V, W, X, Y written by four more fresh helpers during round 7, scored once after its freeze (21043de, main b281975)
    Floor("blindV.jsonl", None, "0.913 / 0.000 (main b281975)", 0.89, 0.03, 75, 31),
    Floor("blindW.jsonl", None, "0.898 / 0.000 (main b281975)", 0.88, 0.03, 75, 30),
    Floor("blindX.jsonl", None, "0.920 / 0.000 (main b281975)", 0.90, 0.03, 75, 31),
    Floor("blindY.jsonl", None, "0.949 / 0.000 (main b281975)", 0.93, 0.03, 75, 32),
    # session 5: Z1, Z2 written during round 8 by two more fresh helpers, scored once on its frozen candidate (af4f21c)
    Floor("blindZ1.jsonl", None, "0.942 / 0.000 (af4f21c)", 0.92, 0.03, 75, 32),
    Floor("blindZ2.jsonl", None, "0.957 / 0.000 (af4f21c)", 0.93, 0.03, 75, 31),
    # session 6: Z3, Z4 written by two more fresh helpers before round 9, scored once on main a053de2 (round 8)
    Floor("blindZ3.jsonl", None, "0.932 / 0.000 (main a053de2)", 0.91, 0.03, 75, 32),
    Floor("blindZ4.jsonl", None, "0.943 / 0.000 (main a053de2)", 0.92, 0.03, 75, 30),
    # session 6: Z5, Z6 written during round 9 by two more fresh helpers, scored once on its frozen candidate (ffc2cee)
    Floor("blindZ5.jsonl", None, "0.918 / 0.000 (ffc2cee)", 0.90, 0.03, 75, 31),
    Floor("blindZ6.jsonl", None, "0.948 / 0.000 (ffc2cee)", 0.92, 0.03, 75, 32),
    # session 7: Z7, Z8 written during round 10 by two more fresh helpers, scored once on the shipped round 9 (main cb24f1d)
    Floor("blindZ7.jsonl", None, "0.923 / 0.000 (main cb24f1d)", 0.90, 0.03, 75, 32),
    Floor("blindZ8.jsonl", None, "0.918 / 0.000 (main cb24f1d)", 0.90, 0.03, 75, 32),
    # session 8: Z9, Z10 written during round 11 by two more fresh helpers, scored once on the shipped round 9 (main 782d0bc)
    # before any candidate existed; every round-11 candidate scored the same on them (Z9: one lawful item of 31 flagged)
    Floor("blindZ9.jsonl", None, "0.947 / 0.032 (main 782d0bc)", 0.92, 0.04, 75, 31),
    Floor("blindZ10.jsonl", None, "0.946 / 0.000 (main 782d0bc)", 0.92, 0.03, 75, 31),
    # session 9: Z11, Z12 written by two fresh helpers before round 12, scored once on main 68e2fbc (both over the 3 %
    # lawful bar), then read for round 12's error analysis; Z13, Z14 written after that, scored once on main 68e2fbc
    # and once on the frozen round-12 candidate (b0ea2b5: 0.915 / 0 and 0.896 / 0)
    Floor("blindZ11.jsonl", None, "0.913 / 0.088 (main 68e2fbc)", 0.89, 0.09, 75, 34),
    Floor("blindZ12.jsonl", None, "0.932 / 0.059 (main 68e2fbc)", 0.91, 0.06, 75, 34),
    Floor("blindZ13.jsonl", None, "0.908 / 0.000 (main 68e2fbc)", 0.89, 0.03, 75, 35),
    Floor("blindZ14.jsonl", None, "0.892 / 0.000 (main 68e2fbc)", 0.87, 0.03, 75, 33),
    # session 9: Z15, Z16 written by two more fresh helpers after rounds 12 and 13 were fixed, scored once on main d8854ea
    # (the detector of 68e2fbc; neither round's candidate was adopted): both meet the goal (>= 0.90, <= 3 %)
    Floor("blindZ15.jsonl", None, "0.907 / 0.029 (main d8854ea)", 0.88, 0.03, 75, 35),
    Floor("blindZ16.jsonl", None, "0.937 / 0.029 (main d8854ea)", 0.91, 0.03, 75, 34),
    # session 10: Z17, Z18 written by two more fresh helpers (brief with the "already published" convention line) before
    # round 15, scored once on main ccfe349; Z17 meets the goal, Z18 flags 3 of 33 lawful items. Rounds 15-19 left them
    # unchanged except where rejected (docs/detection.md "Rounds 15-19")
    Floor("blindZ17.jsonl", None, "0.918 / 0.029 (main ccfe349)", 0.90, 0.03, 75, 35),
    Floor("blindZ18.jsonl", None, "0.956 / 0.091 (main ccfe349)", 0.93, 0.10, 75, 33),
]


def _items(name: str) -> list[dict]:
    return [json.loads(x) for x in (DATA / name).read_text(encoding="utf-8").splitlines() if x.strip()]


@cache
def _training_texts() -> frozenset[str]:

    return frozenset(it.text for it in load_training_items())


@pytest.mark.parametrize("fl", SETS, ids=lambda f: f.file)
def test_set_is_well_formed_and_not_in_training(fl: Floor) -> None:
    items = _items(fl.file)
    assert len(items) >= fl.min_items
    assert all(it["labels"] and isinstance(it["text"], str) for it in items)
    if fl.origin:
        assert all(it["origin"] == fl.origin for it in items)
    assert sum(it["labels"] == ["lawful"] for it in items) >= fl.lawful_min
    assert not _training_texts() & {it["text"] for it in items}


@pytest.mark.parametrize("fl", SETS, ids=lambda f: f.file)
def test_set_quality_floor(fl: Floor) -> None:
    items = _items(fl.file)
    preds = [labels_of(h) for h in default_text_detector().detect_many([it["text"] for it in items])]
    res = score([it["labels"] for it in items], preds)
    assert res["macro_f1"] >= fl.macro_f1, (fl.file, res["macro_f1"], res["lawful_false_positive_rate"])
    assert res["lawful_false_positive_rate"] <= fl.lawful_fp, (fl.file, res["lawful_false_positive_rate"])


PHRASES = _items("phrase_floors.jsonl")


@pytest.mark.parametrize("row", PHRASES, ids=lambda r: r["from"].split("::")[-1][:40])
def test_phrase_floor(row: dict) -> None:
    if "known_fail" in row:  # a regression kept visible with its reason; passes again -> remove the field
        pytest.xfail(row["known_fail"])
    got = cats(row["text"]) if row["on"] == "cats" else rules(row["text"])
    if "exactly" in row:
        assert got == set(row["exactly"]), (row["text"], got)
    if "has" in row:
        assert set(row["has"]) <= got, (row["text"], got)
    if "lacks" in row:
        assert not set(row["lacks"]) & got, (row["text"], got)


def test_phrase_table_is_not_training_data() -> None:
    assert not _training_texts() & {r["text"] for r in PHRASES}


# -- authored training messages (corpus/authored, round 5) -------------------------------------------------------
# A normalised stretch this long shared with a set text means the item is not independent of the set. Stock legal
# formulas recur in independent writing ("依法向有管辖权的人民法院提起民事诉讼", "中国人民银行金融信用信息基础数据库",
# a court SMS's "【某市某区人民法院】赵某：原告某小额贷款有限公司诉你借款合同纠纷一案"): the longest stretch an authored
# item shares with any set is 35 characters, a third of the item (measured when the files were added), so 40
# separates formulas from copies.
WINDOW = 40


def _flat(text: str) -> str:
    return "".join(default_normalizer().normalize(text).text.split())


def _windows(texts: list[str]) -> set[str]:
    out: set[str] = set()
    for t in texts:
        s = _flat(t)
        out.update(s[i : i + WINDOW] for i in range(max(1, len(s) - WINDOW + 1)))
    return out


def test_authored_files_are_well_formed_and_documented() -> None:
    readme = resources.files("weiquan.analyze").joinpath("corpus/authored/README.md").read_text(encoding="utf-8")
    for author, text in authored_files():
        rows = read_authored(author, text)  # raises on a missing field, an unknown label or lawful with another
        assert f"| {author} |" in readme, author
        assert len({r["id"] for r in rows}) == len(rows), author
        if "labels_author" in text:  # every label fix is listed in the README with its reason
            for r in rows:
                if r.get("labels_author") and sorted(r["labels_author"]) != sorted(r["labels"]):
                    assert r["id"] in readme, r["id"]
    items = load_authored()
    assert all(it.origin.split(":")[0] in ("authored", "authored-retelling") for it in items)
    assert {it.text for it in items} <= _training_texts()


def test_no_set_text_in_authored_items() -> None:
    """No authored message shares a normalised 40-character stretch with any labelled set (floors, held-out,
    phrase checks) or with the dev set of real messages when it is present (it is not shipped), and none is
    contained whole in a set text or contains one."""
    sets = [it["text"] for f in sorted(DATA.glob("*.jsonl")) for it in _items(f.name)]
    if DEV_SET.exists():
        sets += [json.loads(x)["text"] for x in DEV_SET.read_text(encoding="utf-8").splitlines() if x.strip()]
    texts = [it.text for it in load_authored()]
    shared = _windows(texts) & _windows(sets)
    assert not shared, sorted(shared)[:5]
    flat_sets = "\x00".join(_flat(t) for t in sets)
    flat_authored = "\x00".join(_flat(t) for t in texts)
    assert not [t for t in texts if len(_flat(t)) >= 8 and _flat(t) in flat_sets]
    assert not [t for t in sets if len(_flat(t)) >= 8 and _flat(t) in flat_authored]


def test_leave_one_author_out_excludes_the_author() -> None:
    for author, _ in authored_files():
        assert not [it for it in load_training_items(exclude_authors=[author]) if f":{author}:" in it.origin]
