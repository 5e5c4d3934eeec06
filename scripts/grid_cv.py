"""Cross-validation on the training grid that holds out whole cells (issue #15): a proxy for wording nobody wrote.

For each fold, the n-gram model is trained on everything except the held-out cells (the hand-written and template
items always stay in) and scored alone on them. Folds: leave one register out (polite, bureaucratic, crude,
veiled, the retelling register) and leave one recipient out (relative, colleague, employer, contact list).
Prints macro-F1 / lawful FP per fold at the shipped threshold, then the per-label threshold that maximises the F1
pooled over every held-out fold (``--write`` stores those in data/combine.yaml ``per_label``) and the figures with
them. Aggregate figures only; nothing from the dev set or any held-out/blind set is used.

Usage: python scripts/grid_cv.py [--per-cell 3] [--write]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np

from weiquan.analyze.base import LAWFUL, TEXT_CATEGORIES
from weiquan.analyze.evaluate import score
from weiquan.analyze.grid import expand_grid, expand_retelling, is_retelling
from weiquan.analyze.normalize import as_addressee, default_normalizer
from weiquan.analyze.text import combine_config
from weiquan.analyze.training import load_corpus

COMBINE = Path(__file__).resolve().parents[1] / "src/weiquan/analyze/data/combine.yaml"
GRID_THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)


def folds(cells: list[tuple[str, ...]]) -> dict[str, np.ndarray]:
    out = {}
    for reg in ("polite", "bureaucratic", "crude", "veiled"):
        out[f"register={reg}"] = np.array([c[4] == reg and not c[0].startswith(("lawful", "retelling")) for c in cells])
    out["register=retelling"] = np.array([c[0].startswith("retelling") for c in cells])
    for rec in ("relative", "colleague", "employer", "contact_list"):
        out[f"recipient={rec}"] = np.array([c[2] == rec for c in cells])
    out["lawful voice=peer advice+news"] = np.array([c[0] in ("lawful:peer_advice", "lawful:news") for c in cells])
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--per-cell", type=int, default=3)
    ap.add_argument("--write", action="store_true", help="store the chosen per-label thresholds in combine.yaml")
    args = ap.parse_args()
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    norm = default_normalizer()
    base = load_corpus()
    grid = [*expand_grid(per_cell=args.per_cell), *expand_retelling(per_cell=args.per_cell)]

    def text(t: str, origin: str) -> str:
        n = norm.normalize(t)
        return (as_addressee(n) if is_retelling(origin) else n).text

    base_x = [norm.normalize(it.text).text for it in base]
    grid_x = [text(g.text, g.origin) for g in grid]
    labels = [c for c in TEXT_CATEGORIES if any(c in g.labels for g in grid)]
    y_base = np.array([[c in it.labels for c in labels] for it in base])
    y_grid = np.array([[c in g.labels for c in labels] for g in grid])
    w_base = np.array([3.0 if it.origin.startswith("team-handwritten") else 1.0 for it in base])
    thr = float(combine_config()["threshold"])
    pooled_p, pooled_y, pooled_lawful = [], [], []
    for name, held in folds([g.cell for g in grid]).items():
        tr = ~held
        xs = base_x + [t for t, k in zip(grid_x, tr) if k]
        ys = np.vstack([y_base, y_grid[tr]])
        ws = np.concatenate([w_base, np.ones(int(tr.sum()))])
        vec = TfidfVectorizer(
            analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True, max_features=60000, dtype=np.float32
        )
        xtr = vec.fit_transform(xs)
        xte = vec.transform([t for t, k in zip(grid_x, held) if k])
        p = np.zeros((xte.shape[0], len(labels)))
        for j in range(len(labels)):
            if ys[:, j].any():
                m = LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000, solver="liblinear")
                m.fit(xtr, ys[:, j], sample_weight=ws)
                p[:, j] = m.predict_proba(xte)[:, 1]
        yt = y_grid[held]
        gold = [[c for c, v in zip(labels, row) if v] or [LAWFUL] for row in yt]
        pred = [[c for c, v in zip(labels, row) if v >= thr] or [LAWFUL] for row in p]
        r = score(gold, pred)
        print(
            json.dumps(
                {
                    "fold": name,
                    "n": int(held.sum()),
                    "macro_f1": r["macro_f1"],
                    "lawful_fp": r["lawful_false_positive_rate"],
                },
                ensure_ascii=False,
            ),
            flush=True,
        )
        pooled_p.append(p)
        pooled_y.append(yt)
        pooled_lawful.append(~yt.any(axis=1))
    p_all, y_all = np.vstack(pooled_p), np.vstack(pooled_y)
    chosen = {}
    for j, lab in enumerate(labels):
        best = max(GRID_THRESHOLDS, key=lambda t: (_f1(y_all[:, j], p_all[:, j] >= t), t))
        chosen[lab] = best
    print(json.dumps({"per_label_threshold": chosen}, ensure_ascii=False))
    for t_name, th in (("shipped", {lab: thr for lab in labels}), ("per-label", chosen)):
        gold = [[c for c, v in zip(labels, row) if v] or [LAWFUL] for row in y_all]
        pred = [[c for c, v in zip(labels, row) if v >= th[c]] or [LAWFUL] for row in p_all]
        r = score(gold, pred)
        print(json.dumps({"pooled": t_name, "macro_f1": r["macro_f1"], "lawful_fp": r["lawful_false_positive_rate"]}))
    if args.write:
        src = COMBINE.read_text(encoding="utf-8")
        body = "".join(f"\n  {k}: {v}" for k, v in chosen.items())
        src = re.sub(r"per_label:.*?(?=\n\n)", "per_label:" + body, src, count=1, flags=re.S)
        COMBINE.write_text(src, encoding="utf-8")
    return 0


def _f1(y: np.ndarray, p: np.ndarray) -> float:
    tp = float((y & p).sum())
    return 2 * tp / (float(y.sum()) + float(p.sum())) if tp else 0.0


if __name__ == "__main__":
    sys.exit(main())
