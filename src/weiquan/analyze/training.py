"""Training corpus and training of the text classifier.

The corpus lives in the package (``analyze/corpus/``): hand-written items (``handwritten.txt``), templates
expanded combinatorially with a fixed seed (``templates.yaml``) and the systematic grid (``grid.yaml``), all
written by the team, plus messages written by independent authors who saw neither the code nor any test set
(``authored/W*.jsonl``, provenance in ``authored/README.md``). Every item carries its origin
(``authored:W2:W2-017`` …), and each origin its sample weight (``corpus/weights.yaml``). ``fit()`` fits one
logistic-regression model per category over character 1-3-grams of the *normalised* text; ``train()`` fits the
whole corpus and writes the model file shipped in the package. Run it with ``python scripts/train_detector.py``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
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
# source_kind values whose texts retell what collectors did (read in the retelling register: `weiquan eval
# --register auto`, and so in training)
RETELLING_KINDS = frozenset({"complaint", "complaint_text", "call_note", "visit_note"})
# The classifier's vocabulary size (character 1-3-grams by document frequency). 60,000 until round 8; with twenty
# authors the cap binds, and 100,000 (every n-gram of min_df 2: 82,342 with the round-9 corpus; 150,000 gives the same)
# lowered out-of-author lawful false positives 54 -> 49 of 2,656 at the same macro-F1 (scripts/loao_eval.py ``+mf``;
# docs/detection.md "Round 9").
MAX_FEATURES = 100_000
AUTHORED_FIELDS = ("id", "text", "labels", "source_kind", "speaker", "recipient", "register", "note")


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


def authored_files() -> list[tuple[str, str]]:
    """(author, JSONL text) of every authored file (``corpus/authored/W*.jsonl``), in author order."""
    d = resources.files("weiquan.analyze").joinpath("corpus/authored")
    files = sorted(
        (f for f in d.iterdir() if f.name.endswith(".jsonl")), key=lambda f: (len(f.name), f.name)
    )  # W2 < W10
    return [(f.name.removesuffix(".jsonl"), f.read_text(encoding="utf-8")) for f in files]


def read_authored(author: str, text: str) -> list[dict[str, Any]]:
    """The rows of one authored file, checked: every field present, labels known, ``lawful`` only alone."""
    rows = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        missing = [k for k in AUTHORED_FIELDS if k not in row]
        labs = row.get("labels") or []
        bad = set(labs) - set(TEXT_CATEGORIES) - {LAWFUL}
        if missing or bad or not labs or (LAWFUL in labs and len(labs) > 1) or not str(row["text"]).strip():
            raise ValueError(f"authored/{author}.jsonl line {lineno}: missing {missing}, bad labels {labs}")
        rows.append(row)
    return rows


def is_retelling_kind(source_kind: object) -> bool:
    return str(source_kind or "").lower() in RETELLING_KINDS


def load_authored(exclude: Collection[str] = ()) -> list[Item]:
    """The authored training messages (``corpus/authored``), without the authors in ``exclude`` (leave one
    author out). Origin ``authored:<author>:<id>``, or ``authored-retelling:…`` for a complaint or a note of a
    call (read in the retelling register)."""
    items = []
    for author, text in authored_files():
        if author in exclude:
            continue
        for row in read_authored(author, text):
            kind = "authored-retelling" if is_retelling_kind(row["source_kind"]) else "authored"
            items.append(Item(row["text"].strip(), tuple(sorted(row["labels"])), f"{kind}:{author}:{row['id']}"))
    return items


def load_grid(per_cell: int = 5) -> list[Item]:
    """The systematic grid (``corpus/grid.yaml`` expanded by :mod:`weiquan.analyze.grid`)."""
    return [
        Item(g.text, g.labels, g.origin)
        for g in (*expand_grid(per_cell=per_cell), *expand_retelling(per_cell=per_cell))
    ]


def load_training_items(seed: int = 20261128, exclude_authors: Collection[str] = ()) -> list[Item]:
    """Everything the classifier is trained on: hand-written items, template expansions, the grid and the
    authored messages (without ``exclude_authors``)."""
    return load_corpus(seed) + load_grid() + load_authored(exclude_authors)


def weights_config() -> dict[str, float]:
    """Sample weight per origin kind (``corpus/weights.yaml``; calibration measured by leave-one-author-out)."""
    return {k: float(v) for k, v in yaml.safe_load(_corpus_file("weights.yaml"))["weights"].items()}


def item_weight(origin: str, weights: dict[str, float]) -> float:
    kind = origin.split(":", 1)[0]
    return weights.get(kind.removesuffix("-retelling"), weights["default"])


def reads_as_retelling(origin: str) -> bool:
    """Grid items of the retelling block and authored complaints/notes are read with 我 as the addressee."""
    return is_retelling(origin) or origin.startswith("authored-retelling:")


def items_digest(items: list[Item]) -> str:
    """A short hash of expanded training items (texts and labels)."""
    h = hashlib.sha256()
    for it in items:
        h.update(f"{it.text}\t{','.join(it.labels)}\n".encode())
    return h.hexdigest()[:10]


def normalizer_digest() -> str:
    """A short hash of the normaliser's tables (``data/normalize.yaml``): the model reads normalised text, so a change
    there (round 11b: template variables read as 某) is a change of what it was trained on."""
    table = resources.files("weiquan.analyze").joinpath("data/normalize.yaml").read_text(encoding="utf-8")
    return hashlib.sha256(table.encode()).hexdigest()[:10]


def corpus_digest(items: list[Item] | None = None, weights: dict[str, float] | None = None) -> str:
    """A short hash of the expanded training items (texts and labels), their weights and the normaliser's tables, so
    any change to the data files, the weights, the code that expands them or the way the text is normalised gives the
    model a new version."""
    its = items if items is not None else load_training_items()
    w = weights if weights is not None else weights_config()
    key = f"{items_digest(its)}{json.dumps(w, sort_keys=True)}{normalizer_digest()}"
    return hashlib.sha256(key.encode()).hexdigest()[:10]


def save_model(payload: dict[str, Any], out: Path) -> None:
    """Write the model as plain arrays (``.npz``): the n-gram vocabulary in column order, idf, coefficients,
    intercepts, labels and a JSON header. Loading it needs numpy only (no pickle, no sklearn import: fast)."""

    vocabulary = payload["vocabulary"]
    vocab = sorted(vocabulary, key=vocabulary.__getitem__)
    header = {k: payload[k] for k in ("version", "trained_at", "labels", "corpus", "vectorizer")}
    with out.open("wb") as f:  # np.savez would add ".npz" to a name without it
        np.savez_compressed(
            f,
            header=np.array(json.dumps(header, ensure_ascii=False)),
            vocab=np.array("\x00".join(vocab)),
            idf=np.asarray(payload["idf"], dtype=np.float64),
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


def fit(
    items: Sequence[Item],
    *,
    c: float = 4.0,
    weights: dict[str, float] | None = None,
    seed: int = 20261128,
    ngram_range: tuple[int, int] = (1, 3),
    max_features: int = MAX_FEATURES,
    balanced: bool = True,
) -> dict[str, Any]:
    """Fit the per-category models on ``items`` (in memory). Returns the payload :func:`load_model` returns
    (header fields, ``vocabulary``, ``idf``, ``coef``, ``intercept``, vectorizer settings). ``ngram_range`` (within
    1..3, what the fast featuriser reads), ``max_features`` and ``balanced`` (class weighting) are the settings
    leave-one-author-out compares (scripts/loao_eval.py); the defaults are the shipped ones."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    wcfg = weights if weights is not None else weights_config()
    w = np.array([item_weight(it.origin, wcfg) for it in items])
    norm = default_normalizer()
    # the retelling register is read with the writer's 我 as the addressee, in training as in detection
    texts = [
        (as_addressee(norm.normalize(it.text)) if reads_as_retelling(it.origin) else norm.normalize(it.text)).text
        for it in items
    ]
    vec = TfidfVectorizer(
        analyzer="char",
        ngram_range=ngram_range,
        min_df=2,
        sublinear_tf=True,
        max_features=max_features,
        dtype=np.float32,
    )
    x = vec.fit_transform(texts)
    labels = [c_ for c_ in TEXT_CATEGORIES if any(c_ in it.labels for it in items)]
    coef = np.zeros((len(labels), x.shape[1]), dtype=np.float32)
    intercept = np.zeros(len(labels), dtype=np.float32)
    support: dict[str, int] = {}
    for i, lab in enumerate(labels):
        y = np.array([lab in it.labels for it in items], dtype=int)
        support[lab] = int(y.sum())
        model = LogisticRegression(
            C=c, class_weight="balanced" if balanced else None, max_iter=2000, solver="liblinear"
        )
        model.fit(x, y, sample_weight=w)
        coef[i] = model.coef_[0]
        intercept[i] = model.intercept_[0]
    digest = corpus_digest(list(items), wcfg)
    p = vec.get_params()
    return {
        "version": f"clf-2.{digest}",
        "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "labels": labels,
        "corpus": {"items": len(items), "support": support, "seed": seed, "digest": digest, "weights": wcfg},
        "vectorizer": {
            "analyzer": p["analyzer"],
            "ngram_range": list(p["ngram_range"]),
            "sublinear_tf": p["sublinear_tf"],
            "norm": p["norm"],
            "lowercase": p["lowercase"],
        },
        "vocabulary": dict(vec.vocabulary_),
        "idf": vec.idf_.astype(np.float64),
        "coef": coef,
        "intercept": intercept,
    }


def train(out: Path = MODEL_PATH, *, seed: int = 20261128, c: float = 4.0) -> dict[str, Any]:
    """Fit the per-category models on the whole corpus and write them to ``out``. Returns a summary."""
    payload = fit(load_training_items(seed), c=c, seed=seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    save_model(payload, out)
    return {
        "version": payload["version"],
        "items": payload["corpus"]["items"],
        "features": len(payload["vocabulary"]),
        "labels": payload["corpus"]["support"],
        "out": str(out),
    }
