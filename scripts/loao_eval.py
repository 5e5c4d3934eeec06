"""Leave-one-author-out evaluation of the text detector (issue #15, round 5).

Every blind set is written by someone else, so the question is how the detector does on an author whose wording
it never saw. For each author Wk of ``analyze/corpus/authored`` the model is trained on the team corpus plus the
other authors (``fit`` exactly as ``train`` does, in memory), combined with the rules exactly as shipped, and
scored on Wk (each item read in its register, as ``weiquan eval --register auto`` does). The model trained on
every author is then scored on the floor sets (``tests/analyze/data/blind?.jsonl``, never training data).

A candidate is a choice of authored weight, regularisation, thresholds and the model's say over word-only rules
(``--candidate`` specs, see :func:`candidate`, or ``--all``). ``before`` is the team corpus alone (no authored item) combined as in round 4 (the detector of round 4); ``w8``
is the shipped combination (data/combine.yaml) with authored items at weight 8. ``--tune-thresholds`` also picks per-label model thresholds on the pooled out-of-author predictions
(never on a floor set) and reports the floors with them.

Usage: python scripts/loao_eval.py [--candidate before w1 …] [--all] [--tune-thresholds] [--floors A B …]
Prints aggregate figures only (one JSON object per line; the last line is every result).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from weiquan.analyze.classifier import ClassifierDetector
from weiquan.analyze.evaluate import score
from weiquan.analyze.normalize import default_normalizer
from weiquan.analyze.rules import default_rules
from weiquan.analyze.text import CombinedTextDetector, combine_config, labels_of
from weiquan.analyze.training import (
    MAX_FEATURES,
    authored_files,
    items_digest,
    fit,
    is_retelling_kind,
    load_model,
    load_training_items,
    normalizer_digest,
    read_authored,
    save_model,
    weights_config,
)

ROOT = Path(__file__).resolve().parents[1]
FLOORS = ROOT / "tests/analyze/data"
# every blind set of the floor table (tests/analyze/data/blind<X>.jsonl), in the order they were written
FLOOR_SETS = tuple(sorted(p.stem.removeprefix("blind") for p in FLOORS.glob("blind*.jsonl")))
THRESHOLDS = (0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85)


@dataclass(frozen=True)
class Candidate:
    name: str
    authored: float | None  # sample weight of authored items; None: no authored item at all
    c: float = 4.0
    threshold: float | None = None  # None: the shipped combine.yaml values
    per_label: tuple[tuple[str, float], ...] | None = None
    overrules: tuple[str, ...] = ()  # rule ids the model may overrule, beyond combine.yaml's model_overrules
    overrules_only: tuple[str, ...] | None = None  # instead of combine.yaml's (``before``: round 4's)
    overrule_below: float | None = None
    below_by: tuple[tuple[str, float], ...] | None = ()  # per-category overrule bars (None: none at all)
    veto: float | None = None  # the model's bar where context cancelled a rule or framed the text (veto_threshold)
    origin_weights: tuple[tuple[str, float], ...] = ()  # other origin kinds' weights (team-template, team-grid)
    ngram: tuple[int, int] = (1, 3)  # character n-gram range (within 1..3: the fast featuriser's)
    max_features: int = MAX_FEATURES  # the shipped vocabulary size (training.MAX_FEATURES)
    balanced: bool = True  # class_weight="balanced"
    notes: str = ""


OVERRULE_EXTRA = ("C1", "C2")  # "转告"/"你是他家人吗": words of a call to a contact, which may disclose nothing
# Round 6: rules whose out-of-author precision is poor (scripts/loao_eval.py --rule-precision), by group; ``+o<group>``
# lets the model overrule them (e.g. ``w8+oexp+ovisit``).
OVERRULE_GROUPS = {
    "exp": ("E1", "E1b", "E3"),  # 爆通讯录/曝光 named in news, advice and notices
    "visit": ("T1",),  # 上门 in a booked or denied visit
    "kids": ("L8",),  # 限制高消费/子女 in honest explanations
    "lawyer": ("I2",),  # a genuine lawyer naming the firm
    "legal": ("L5", "L7"),  # 冻结/失信 in honest explanations of enforcement
}

# ``+b<label><bar>``: the model's bar (probability it needs to add the label on its own) for one label
BAR_LABELS = {
    "vis": "threat_visit",
    "exp": "threat_exposure",
    "vio": "threat_violence",
    "leg": "threat_legal_false",
    "ins": "insult",
    "imp": "impersonation",
    "tpc": "third_party_contact",
    "pri": "privacy_disclosure",
    "vol": "harassment_volume",
    "debt": "illegal_debt",
}


def candidate(spec: str) -> Candidate:
    """``before`` or ``w<authored weight>[-c<C>][+ovr][+fam<letters>][+below<x>][+thr<x>][+tpl<x>][+grid<x>]``:
    e.g. ``w3``, ``w2-c8``, ``w3+ovr+below0.2`` (``+ovr``: the model may also overrule the contact rules C1/C2;
    ``+famcl``: every rule of the C and L families, ``+famall`` every rule; ``+below``: the overrule bar; ``+thr``:
    the model's default bar; ``+bvis0.7`` (``+bexp``, ``+bvio`` … see ``BAR_LABELS``): one label's model bar; ``+veto``: its bar against a cancelling context; ``+tpc``: the overrule bar of third_party_contact and
    privacy_disclosure; ``+tpl``/``+grid``/``+hw``: the template/grid/hand-written items' weight; ``+ng12``/``+ng23``:
    the character n-gram range; ``+mf<n>``: the vocabulary size; ``+unbal``: no class weighting)."""
    if spec == "before":
        # round 4: the team corpus alone; the model overruled only C3, C4, X1, L10 below 0.1
        return Candidate("before", None, overrules_only=("C3", "C4", "X1", "L10"), overrule_below=0.1, below_by=None)
    m = re.fullmatch(r"w([0-9.]+)(?:-c([0-9.]+))?((?:\+[a-z]+[0-9.]*)*)", spec)
    if not m:
        raise argparse.ArgumentTypeError(f"bad candidate {spec!r}")
    mods = re.findall(r"\+([a-z]+)([0-9.]*)", m.group(3))
    cand = Candidate(spec, float(m.group(1)), c=float(m.group(2) or 4.0))
    for name, val in mods:
        if name == "ovr":
            cand = replace(cand, overrules=OVERRULE_EXTRA)
        elif name[:1] == "o" and name[1:] in OVERRULE_GROUPS:
            cand = replace(cand, overrules=(*cand.overrules, *OVERRULE_GROUPS[name[1:]]))
        elif name.startswith("fam"):  # +famcl: every rule of the C and L families (+famall: every rule)
            fams = name[3:].upper()
            ids = tuple(r.id for r in _rules("message").rules if fams == "ALL" or r.id[0] in fams)
            cand = replace(cand, overrules=(*cand.overrules, *ids))
        elif name == "below":
            cand = replace(cand, overrule_below=float(val))
        elif name in ("tpl", "grid", "hw"):
            kind = {"tpl": "team-template", "grid": "team-grid", "hw": "team-handwritten"}[name]
            cand = replace(cand, origin_weights=(*cand.origin_weights, (kind, float(val))))
        elif name == "ng":  # +ng12, +ng23: the character n-gram range
            cand = replace(cand, ngram=(int(val[0]), int(val[1])))
        elif name == "mf":  # +mf100000: the vocabulary size
            cand = replace(cand, max_features=int(val))
        elif name == "unbal":  # no class weighting
            cand = replace(cand, balanced=False)
        elif name == "thr":
            cand = replace(cand, threshold=float(val))
        elif name == "tpc":  # the overrule bar of the contact/disclosure categories
            cand = replace(cand, below_by=(("third_party_contact", float(val)), ("privacy_disclosure", float(val))))
        elif name == "veto":
            cand = replace(cand, veto=float(val))
        elif name[:1] == "b" and name[1:] in BAR_LABELS:  # +bvis0.7: the model's own bar for one label
            bars = dict(cand.per_label or combine_config().get("per_label") or {})
            cand = replace(cand, per_label=tuple(sorted((bars | {BAR_LABELS[name[1:]]: float(val)}).items())))
        else:
            raise argparse.ArgumentTypeError(f"bad modifier {name!r} in {spec!r}")
    return cand


DEFAULT_CANDIDATES = ("before", "w1", "w2", "w3", "w5", "w3-c2", "w3-c8", "w3+ovr", "w3+ovr+below0.2")


def read_set(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


@cache
def _rules(register: str):
    return default_rules(register)


_CLF: dict[int, ClassifierDetector] = {}


def detector(payload: dict | None, register: str, cand: Candidate, per_label: dict | None = None):
    clf = None
    if payload is not None:
        clf = _CLF.get(id(payload)) or _CLF.setdefault(id(payload), ClassifierDetector(payload, default_normalizer()))
    det = CombinedTextDetector(_rules(register), clf, register=register)
    own = combine_config().get(f"model_overrules_{register}")
    if own:  # as text_detector() does
        det.overrulable, det.overrule_below, det.overrule_below_by = frozenset(own["rules"]), float(own["below"]), {}
    if cand.threshold is not None:
        det.threshold = cand.threshold
    if cand.per_label is not None:
        det.per_label = dict(cand.per_label)
    if per_label is not None:
        det.per_label = dict(per_label)
    if cand.overrules_only is not None:
        det.overrulable = frozenset(cand.overrules_only)
    if cand.overrules:
        det.overrulable = det.overrulable | frozenset(cand.overrules)
    if cand.overrule_below is not None:
        det.overrule_below = cand.overrule_below
    if cand.below_by is None:
        det.overrule_below_by = {}
    elif cand.below_by:
        det.overrule_below_by = dict(cand.below_by)
    if cand.veto is not None:
        det.veto_threshold = cand.veto
    return det


def predict(items: list[dict], payload: dict, cand: Candidate, per_label: dict | None = None) -> list[list[str]]:
    """Labels for every item, each read in its register (``source_kind`` complaint/call_note → retelling)."""
    out: list[list[str]] = [[] for _ in items]
    for register in ("message", "retelling"):
        idx = [i for i, it in enumerate(items) if is_retelling_kind(it.get("source_kind")) == (register == "retelling")]
        if idx:
            det = detector(payload, register, cand, per_label)
            for i, hits in zip(idx, det.detect_many([items[i]["text"] for i in idx]), strict=True):
                out[i] = labels_of(hits)
    return out


_FITS: dict[tuple, dict] = {}
CACHE: Path | None = None  # --cache DIR: fitted models kept on disk between runs (keyed by corpus digest + settings)


def model(cand: Candidate, exclude: tuple[str, ...], authors: tuple[str, ...]) -> dict:
    excl = authors if cand.authored is None else exclude
    key = (cand.authored, cand.c, cand.origin_weights, cand.ngram, cand.max_features, cand.balanced, excl)
    if key not in _FITS:
        w = weights_config() | {"authored": cand.authored or 0.0} | dict(cand.origin_weights)
        items = load_training_items(exclude_authors=excl)
        path = None
        if CACHE is not None:
            # the origins too: an item read as a retelling (authored-retelling) is featurised differently
            origins = hashlib.sha256("\n".join(it.origin.split(":")[0] for it in items).encode()).hexdigest()[:10]
            # and the normaliser's tables: the model reads normalised text (round 11b changed them)
            settings = [items_digest(items), origins, w, cand.c, cand.ngram, cand.max_features, cand.balanced]
            settings.append(normalizer_digest())
            tag = hashlib.sha256(json.dumps(settings).encode()).hexdigest()[:16]
            path = CACHE / f"{tag}.npz"
        if path is not None and path.exists():
            _FITS[key] = load_model(path)
        else:
            t0 = time.time()
            _FITS[key] = fit(
                items,
                c=cand.c,
                weights=w,
                ngram_range=cand.ngram,
                max_features=cand.max_features,
                balanced=cand.balanced,
            )
            print(f"  fit {key} in {time.time() - t0:.1f} s", file=sys.stderr, flush=True)
            if path is not None:
                save_model(_FITS[key], path)
    return _FITS[key]


def summary(gold: list[list[str]], pred: list[list[str]], per_label: bool = False) -> dict:
    r = score(gold, pred)
    n_lawful = sum(g == ["lawful"] for g in gold)
    fp = sum(g == ["lawful"] and p != ["lawful"] for g, p in zip(gold, pred, strict=True))
    out = {"n": len(gold), "macro_f1": round(r["macro_f1"], 3), "lawful_fp": f"{fp}/{n_lawful}"}
    if per_label:  # F1 (support) of every label
        out["per_label"] = {k: f"{v['f1']:.3f} ({v['support']})" for k, v in r["per_label"].items()}
    return out


def evaluate(
    cand: Candidate, authored: dict[str, list[dict]], floors: dict[str, list[dict]], per_label: dict | None = None
) -> dict:
    authors = tuple(authored)
    res: dict = {"candidate": cand.name, "per_label": per_label, "loao": {}, "floors": {}}
    pooled_g, pooled_p = [], []
    for a, items in authored.items():
        payload = model(cand, (a,), authors)
        gold = [it["labels"] for it in items]
        pred = predict(items, payload, cand, per_label)
        res["loao"][a] = summary(gold, pred)
        pooled_g += gold
        pooled_p += pred
    if authored:
        res["loao"]["pooled"] = summary(pooled_g, pooled_p, per_label=True)
        res["loao"]["mean_macro_f1"] = round(sum(res["loao"][a]["macro_f1"] for a in authors) / len(authors), 3)
    payload = model(cand, (), authors)
    for name, items in floors.items():
        res["floors"][name] = summary([it["labels"] for it in items], predict(items, payload, cand, per_label))
    f1s = [v["macro_f1"] for v in res["floors"].values()]
    fps = [int(v["lawful_fp"].split("/")[0]) for v in res["floors"].values()]
    res["floors_mean"] = round(sum(f1s) / len(f1s), 3)
    res["floors_worst"] = min(f1s)
    res["floors_lawful_fp_total"] = sum(fps)
    res["floors_lawful_fp_worst"] = max(fps)
    res["floors_sets_over_one_fp"] = sum(x > 1 for x in fps)
    return res


def rule_precision(cand: Candidate, authored: dict[str, list[dict]], floors: dict[str, list[dict]]) -> dict:
    """Per rule id (``None``: the model alone), how often its hits survive in the combined detector on out-of-author
    items (each author read by the model that never saw it) and on the floor sets: ``lawful_fp`` (a hit on a lawful
    item), ``tp`` (the hit's category is a gold label), ``other`` (a wrong category on an unlawful item)."""
    authors = tuple(authored)
    out: dict[str, dict[str, dict[str, int]]] = {"loao": {}, "floors": {}}

    def count(where: str, items: list[dict], payload: dict) -> None:
        for register in ("message", "retelling"):
            idx = [
                i for i, it in enumerate(items) if is_retelling_kind(it.get("source_kind")) == (register == "retelling")
            ]
            if not idx:
                continue
            det = detector(payload, register, cand)
            for i, hits in zip(idx, det.detect_many([items[i]["text"] for i in idx]), strict=True):
                gold = items[i]["labels"]
                for h in hits:
                    for rid in str(h.rule_id).split(","):
                        kind = "lawful_fp" if gold == ["lawful"] else ("tp" if h.category in gold else "other")
                        row = out[where].setdefault(rid, {"lawful_fp": 0, "tp": 0, "other": 0})
                        row[kind] += 1

    for a, items in authored.items():
        count("loao", items, model(cand, (a,), authors))
    full = model(cand, (), authors)
    for items in floors.values():
        count("floors", items, full)
    return out


def tune_thresholds(cand: Candidate, authored: dict[str, list[dict]]) -> dict[str, float]:
    """Per-label model thresholds that maximise each label's F1 over the pooled out-of-author predictions of the
    combined detector (a label's bar changes only that label's decisions), with a lawful-FP tie-break."""
    authors = tuple(authored)
    base = dict(detector(None, "message", cand).per_label)
    labels = sorted({lab for items in authored.values() for it in items for lab in it["labels"]} - {"lawful"})
    chosen: dict[str, float] = {}
    for lab in labels:
        best = None
        for t in THRESHOLDS:
            pl = base | {lab: t}
            tp = fp = fn = lfp = 0
            for a, items in authored.items():
                preds = predict(items, model(cand, (a,), authors), cand, pl)
                for it, p in zip(items, preds, strict=True):
                    g, ph = lab in it["labels"], lab in p
                    tp += g and ph
                    fp += ph and not g
                    fn += g and not ph
                    lfp += ph and it["labels"] == ["lawful"]
            f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
            key = (round(f1, 3), -lfp, t)
            if best is None or key > best[0]:
                best = (key, t)
        chosen[lab] = best[1]
        print(json.dumps({"label": lab, "threshold": best[1], "f1": best[0][0]}), file=sys.stderr, flush=True)
    return chosen


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--candidate", nargs="*", type=candidate, help="before, w3, w2-c8, w3+ovr+below0.2 …")
    ap.add_argument("--all", action="store_true", help="every candidate of DEFAULT_CANDIDATES")
    ap.add_argument("--tune-thresholds", action="store_true")
    ap.add_argument("--floors", nargs="*", default=list(FLOOR_SETS))
    ap.add_argument("--rule-precision", action="store_true", help="per rule id: lawful FP / true / other hits")
    ap.add_argument("--cache", type=Path, help="keep fitted models in this directory between runs")
    args = ap.parse_args(argv)
    global CACHE
    CACHE = args.cache
    if CACHE is not None:
        CACHE.mkdir(parents=True, exist_ok=True)
    authored = {a: read_authored(a, text) for a, text in authored_files()}
    floors = {s: read_set(FLOORS / f"blind{s}.jsonl") for s in args.floors}
    cands = [candidate(c) for c in DEFAULT_CANDIDATES] if args.all else args.candidate or [candidate("before")]
    results = []
    for cand in cands:
        name = cand.name
        r = evaluate(cand, authored, floors)
        if args.rule_precision:
            r["rule_precision"] = rule_precision(cand, authored, floors)
        print(json.dumps(r, ensure_ascii=False), flush=True)
        results.append(r)
        if args.tune_thresholds and cand.authored is not None and authored:
            pl = tune_thresholds(cand, authored)
            r2 = evaluate(replace(cand, name=f"{name}+tuned"), authored, floors, per_label=pl)
            print(json.dumps(r2, ensure_ascii=False), flush=True)
            results.append(r2)
    print(json.dumps(results, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
