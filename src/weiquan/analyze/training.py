"""Training corpus and training of the text classifier.

The corpus lives in the package (``analyze/corpus/``) and is written by the team: hand-written items
(``handwritten.txt``) and templates expanded combinatorially with a fixed seed (``templates.yaml``).
Every item carries its origin. ``train()`` fits one logistic-regression model per category over
character 1-3-grams of the *normalised* text and writes the model file shipped in the package.
Run it with ``python scripts/train_detector.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
import datetime as dt
import hashlib
from importlib import resources
import json
from pathlib import Path
import random
import re
from typing import Any

import numpy as np
import yaml

from weiquan.analyze.base import LAWFUL, TEXT_CATEGORIES
from weiquan.analyze.grid import expand_grid, expand_retelling, is_retelling
from weiquan.analyze.normalize import as_addressee, default_normalizer

MODEL_PATH = Path(__file__).parent / "model" / "text_classifier.npz"
_SLOT = re.compile(r"\{([a-z0-9_]+)\}")


@dataclass(frozen=True)
class Item:
    text: str
    labels: tuple[str, ...]
    origin: str


def _corpus_file(name: str) -> str:
    return resources.files("weiquan.analyze").joinpath(f"corpus/{name}").read_text(encoding="utf-8")


def load_handwritten() -> list[Item]:
    items: list[Item] = []
    for lineno, line in enumerate(_corpus_file("handwritten.txt").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        labels, _, text = line.partition("\t")
        labs = tuple(sorted(x.strip() for x in labels.split(",") if x.strip()))
        bad = set(labs) - set(TEXT_CATEGORIES) - {LAWFUL}
        if bad or not text.strip():
            raise ValueError(f"handwritten.txt line {lineno}: bad labels {bad} or empty text")
        items.append(Item(text.strip(), labs, f"team-handwritten:{lineno}"))
    return items


def _fill(template: str, slots: dict[str, list[str]], rng: random.Random, depth: int = 0) -> str:
    if depth > 4:
        return template
    return _SLOT.sub(lambda m: _fill(rng.choice(slots[m.group(1)]), slots, rng, depth + 1), template)


# Light noise so the model does not depend on exact punctuation or spacing.
def _augment(text: str, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.06 and len(text) > 6:
        i = rng.randrange(1, len(text) - 1)
        return text[:i] + " " + text[i:]
    if r < 0.10:
        return text.replace("，", ",").replace("！", "!")
    if r < 0.13 and len(text) > 8:
        i = rng.randrange(0, len(text))
        return text[:i] + text[i + 1 :]  # a dropped character (typo)
    return text


def expand_templates(seed: int = 20261128) -> list[Item]:
    data = yaml.safe_load(_corpus_file("templates.yaml"))
    slots: dict[str, list[str]] = {k: [str(x) for x in v] for k, v in data["slots"].items()}
    rng = random.Random(seed)
    items: list[Item] = []
    for t in data["templates"]:
        seen: set[str] = set()
        tries = 0
        while len(seen) < int(t["n"]) and tries < int(t["n"]) * 5:
            tries += 1
            text = _augment(_fill(t["t"], slots, rng), rng)
            if text in seen:
                continue
            seen.add(text)
            items.append(Item(text, tuple(sorted(t["labels"])), f"team-template:{t['id']}"))
    return items


def load_corpus(seed: int = 20261128) -> list[Item]:
    return load_handwritten() + expand_templates(seed)


def load_grid(per_cell: int = 5) -> list[Item]:
    """The systematic grid (``corpus/grid.yaml`` expanded by :mod:`weiquan.analyze.grid`)."""
    return [
        Item(g.text, g.labels, g.origin)
        for g in (*expand_grid(per_cell=per_cell), *expand_retelling(per_cell=per_cell))
    ]


def load_training_items(seed: int = 20261128) -> list[Item]:
    """Everything the classifier is trained on: hand-written items, template expansions and the grid."""
    return load_corpus(seed) + load_grid()


def corpus_digest(items: list[Item] | None = None) -> str:
    """A short hash of the expanded training items (texts and labels), so any change to the data files or to
    the code that expands them gives the model a new version."""
    h = hashlib.sha256()
    for it in items if items is not None else load_training_items():
        h.update(f"{it.text}\t{','.join(it.labels)}\n".encode())
    return h.hexdigest()[:10]


def save_model(payload: dict[str, Any], out: Path) -> None:
    """Write the model as plain arrays (``.npz``): the n-gram vocabulary in column order, idf, coefficients,
    intercepts, labels and a JSON header. Loading it needs numpy only (no pickle, no sklearn import: fast)."""

    vec = payload["vectorizer"]
    p = vec.get_params()
    vocab = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
    header = {k: payload[k] for k in ("version", "trained_at", "labels", "corpus")}
    header["vectorizer"] = {
        "analyzer": p["analyzer"],
        "ngram_range": list(p["ngram_range"]),
        "sublinear_tf": p["sublinear_tf"],
        "norm": p["norm"],
        "lowercase": p["lowercase"],
    }
    with out.open("wb") as f:  # np.savez would add ".npz" to a name without it
        np.savez_compressed(
            f,
            header=np.array(json.dumps(header, ensure_ascii=False)),
            vocab=np.array("\x00".join(vocab)),
            idf=vec.idf_.astype(np.float64),
            coef=payload["coef"],
            intercept=payload["intercept"],
        )


def load_model(path: Path) -> dict[str, Any]:
    """The payload written by :func:`save_model`: header fields, ``vocabulary`` (n-gram -> column), ``idf``,
    ``coef``, ``intercept`` and the vectorizer settings."""

    with np.load(path, allow_pickle=False) as z:
        header = json.loads(str(z["header"]))
        vocab = str(z["vocab"]).split("\x00")
        return {
            **header,
            "vocabulary": {g: i for i, g in enumerate(vocab)},
            "idf": z["idf"],
            "coef": z["coef"],
            "intercept": z["intercept"],
        }


def train(out: Path = MODEL_PATH, *, seed: int = 20261128, c: float = 4.0) -> dict[str, Any]:
    """Fit the per-category models and write them to ``out``. Returns a summary."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    items = load_training_items(seed)
    # The hand-written items are fewer but more varied: count them three times.
    weights = np.array([3.0 if it.origin.startswith("team-handwritten") else 1.0 for it in items])
    norm = default_normalizer()
    # the retelling register is read with the writer's 我 as the addressee, in training as in detection
    texts = [
        (as_addressee(norm.normalize(it.text)) if is_retelling(it.origin) else norm.normalize(it.text)).text
        for it in items
    ]
    vec = TfidfVectorizer(
        analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True, max_features=60000, dtype=np.float32
    )
    x = vec.fit_transform(texts)
    labels = [c_ for c_ in TEXT_CATEGORIES if any(c_ in it.labels for it in items)]
    coef = np.zeros((len(labels), x.shape[1]), dtype=np.float32)
    intercept = np.zeros(len(labels), dtype=np.float32)
    support: dict[str, int] = {}
    for i, lab in enumerate(labels):
        y = np.array([lab in it.labels for it in items], dtype=int)
        support[lab] = int(y.sum())
        model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000, solver="liblinear")
        model.fit(x, y, sample_weight=weights)
        coef[i] = model.coef_[0]
        intercept[i] = model.intercept_[0]
    digest = corpus_digest(items)
    version = f"clf-2.{digest}"
    payload = {
        "version": version,
        "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "labels": labels,
        "vectorizer": vec,
        "coef": coef,
        "intercept": intercept,
        "corpus": {"items": len(items), "support": support, "seed": seed, "digest": digest},
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    save_model(payload, out)
    return {"version": version, "items": len(items), "features": int(x.shape[1]), "labels": support, "out": str(out)}
