"""Batch character n-gram TF-IDF featuriser over a fitted vocabulary (the classifier's fast path).

At inference time sklearn's ``TfidfVectorizer.transform`` builds one Python string per n-gram and
one dict lookup per n-gram. This module does the same computation for a whole batch of texts at
once with numpy: the batch is joined and turned into an array of code points, every 1/2/3-gram
becomes one 64-bit key (21 bits per code point), the keys are looked up in sorted tables of the
fitted vocabulary (``searchsorted``), and the counts become a sparse matrix with sublinear tf, idf
and l2 norm exactly as the fitted vectorizer would compute them. The n-gram occurrences are kept so
the classifier can compute per-character evidence (hit spans) for many (text, label) pairs in one
pass as well.

Only the configuration the training script uses is supported (char analyzer, lower case, n-gram
range within 1..3, l2 norm, idf, sublinear tf); :meth:`NgramFeaturizer.from_vectorizer` refuses any
other so that a retrained model with different settings cannot silently score differently.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

# sklearn's char analyzer collapses runs of two or more whitespace characters into one space.
_WHITE_SPACES = re.compile(r"\s\s+")
_BITS = 21  # every Unicode code point fits in 21 bits; three of them fit in a uint64


@dataclass(frozen=True)
class Occurrences:
    """Vocabulary n-grams found in a batch, per n: global start offset and feature id (sorted by start)."""

    texts: list[str]  # the featurised texts (lower case, whitespace runs collapsed)
    offsets: np.ndarray  # offsets[d] = start of text d in the joined batch; offsets[-1] = total length
    doc: np.ndarray  # joined-batch position -> index of its text
    starts: dict[int, np.ndarray]
    feats: dict[int, np.ndarray]


class NgramFeaturizer:
    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray, ngram_range: tuple[int, int] = (1, 3)) -> None:
        lo, hi = ngram_range
        if lo < 1 or hi > 3 or lo > hi:
            raise ValueError(f"unsupported n-gram range {ngram_range}")
        self.ngram_range = (lo, hi)
        self.n_features = len(vocabulary)
        self.idf = np.asarray(idf, dtype=np.float64)
        self._tables: dict[int, HashTable] = {}
        for n in range(lo, hi + 1):
            self._tables[n] = HashTable({gram_key(g): j for g, j in vocabulary.items() if len(g) == n})

    @classmethod
    def from_vectorizer(cls, vec: Any) -> NgramFeaturizer:
        """Tables from a fitted sklearn ``TfidfVectorizer`` (only the configuration training uses)."""
        p = vec.get_params()
        ok = (
            p["analyzer"] == "char"
            and p["lowercase"]
            and p["preprocessor"] is None
            and p["strip_accents"] is None
            and p["norm"] == "l2"
            and p["use_idf"]
            and p["sublinear_tf"]
            and not p["binary"]
        )
        if not ok:
            raise ValueError("unsupported vectorizer configuration for the fast featuriser")
        return cls(vec.vocabulary_, vec.idf_, tuple(p["ngram_range"]))

    @staticmethod
    def prepare(text: str) -> str:
        """The string the fitted analyzer sees: lower case, runs of whitespace collapsed."""
        return _WHITE_SPACES.sub(" ", text.lower())

    def occurrences(self, texts: Sequence[str]) -> Occurrences:
        prepared = [self.prepare(t) for t in texts]
        cp, offsets, doc = codepoints(prepared)
        total = int(offsets[-1])
        starts: dict[int, np.ndarray] = {}
        feats: dict[int, np.ndarray] = {}
        lo, hi = self.ngram_range
        for n in range(lo, hi + 1):
            m = total - n + 1
            if m <= 0 or not self._tables[n].size:
                starts[n], feats[n] = np.empty(0, np.int64), np.empty(0, np.int64)
                continue
            key = cp[:m].copy()
            for k in range(1, n):
                key <<= np.uint64(_BITS)
                key |= cp[k : m + k]
            ids = self._tables[n].lookup(key)
            found = ids >= 0
            if n > 1:
                found &= doc[:m] == doc[n - 1 :]
            pos = np.flatnonzero(found)
            starts[n], feats[n] = pos, ids[pos]
        return Occurrences(prepared, offsets, doc, starts, feats)

    def transform_occurrences(self, occ: Occurrences) -> sp.csr_matrix:
        """TF-IDF matrix (sublinear tf, idf, l2 rows) of the texts in ``occ``."""
        n_docs, n_feat = len(occ.texts), self.n_features
        pos = np.concatenate([occ.starts[n] for n in sorted(occ.starts)])
        cols = np.concatenate([occ.feats[n] for n in sorted(occ.feats)])
        if len(pos) == 0:
            return sp.csr_matrix((n_docs, n_feat), dtype=np.float64)
        # one sort groups equal (text, feature) pairs: their run lengths are the term counts
        small = n_docs * n_feat < 2**31
        dt = np.int32 if small else np.int64
        key = occ.doc[pos].astype(dt) * dt(n_feat) + cols.astype(dt)
        key.sort()
        first = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
        counts = np.diff(np.append(first, len(key)))
        ukey = key[first]
        rows = (ukey // n_feat).astype(np.int64)
        feat = (ukey - rows * n_feat).astype(np.int64)
        vals = (np.log(counts) + 1.0) * self.idf[feat]
        norms = np.sqrt(np.bincount(rows, weights=vals * vals, minlength=n_docs))
        norms[norms == 0] = 1.0
        vals /= norms[rows]
        indptr = np.searchsorted(rows, np.arange(n_docs + 1))
        return sp.csr_matrix((vals, feat, indptr), shape=(n_docs, n_feat))

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.transform_occurrences(self.occurrences(texts))

    def contributions(
        self, occ: Occurrences, docs: np.ndarray, rows: np.ndarray, weights: np.ndarray
    ) -> list[list[float]]:
        """Per-character evidence for several (text, label) pairs at once.

        Pair i is text ``docs[i]`` with per-feature weights ``weights[rows[i]]`` (one row per label).
        Character c of a text receives ``w[g] / n`` from every vocabulary n-gram g covering it, summed
        in the same order as the reference loop (n ascending, then start position ascending), so the
        values are bit-identical to it.
        """
        docs = np.asarray(docs, dtype=np.int64)
        rows = np.asarray(rows, dtype=np.int64)
        lens = occ.offsets[docs + 1] - occ.offsets[docs]
        hoff = np.zeros(len(docs) + 1, dtype=np.int64)
        np.cumsum(lens, out=hoff[1:])
        total = int(hoff[-1])
        contrib = np.zeros(total, dtype=np.float64)
        for n in sorted(occ.starts):
            st, ft = occ.starts[n], occ.feats[n]
            lo = np.searchsorted(st, occ.offsets[docs])
            hi = (
                np.searchsorted(st, occ.offsets[docs + 1] - (n - 1))
                if n > 1
                else np.searchsorted(st, occ.offsets[docs + 1])
            )
            hi = np.maximum(hi, lo)
            cnt = hi - lo
            k_total = int(cnt.sum())
            if k_total == 0:
                continue
            pair = np.repeat(np.arange(len(docs)), cnt)
            first = np.zeros(len(docs), dtype=np.int64)
            np.cumsum(cnt[:-1], out=first[1:])
            idx = np.arange(k_total) - np.repeat(first - lo, cnt)
            w = weights[rows[pair], ft[idx]] / n
            local = st[idx] - occ.offsets[docs][pair] + hoff[pair]
            for k in range(n - 1, -1, -1):  # earliest start first, as the reference loop adds them
                contrib += np.bincount(local + k, weights=w, minlength=total)[:total]
        flat = contrib.tolist()
        return [flat[hoff[i] : hoff[i + 1]] for i in range(len(docs))]


def codepoints(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Code points of the joined texts (uint64), text start offsets (len + 1) and position -> text index.

    An n-gram of the joined string is inside one text when its first and last positions share a text.
    """
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    cp = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    doc = np.repeat(np.arange(len(texts), dtype=np.int32), lengths)
    return cp, offsets, doc


_EMPTY = np.uint64(0xFFFFFFFFFFFFFFFF)  # no n-gram key has all 64 bits set (code points < 2**21)
_MULT = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing


class HashTable:
    """Open-addressing hash table (linear probing) with vectorised lookups of uint64 keys."""

    def __init__(self, items: dict[int, int]) -> None:
        self.size = len(items)
        bits = max(4, (4 * max(1, len(items)) - 1).bit_length())  # load factor <= 1/4
        self._shift = np.uint64(64 - bits)
        self._mask = (1 << bits) - 1
        keys = np.full(1 << bits, _EMPTY, dtype=np.uint64)
        ids = np.full(1 << bits, -1, dtype=np.int64)
        if items:
            ks = np.fromiter(items.keys(), dtype=np.uint64, count=len(items))
            home = self._home(ks).tolist()
        else:
            home = []
        self.max_probe = 0
        for (k, j), h in zip(items.items(), home):
            probe = 0
            while keys[(h + probe) & self._mask] != _EMPTY:
                probe += 1
            keys[(h + probe) & self._mask], ids[(h + probe) & self._mask] = k, j
            self.max_probe = max(self.max_probe, probe)
        self._keys, self._ids = keys, ids

    def _home(self, keys: np.ndarray) -> np.ndarray:
        return ((keys * _MULT) >> self._shift).astype(np.int64)

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """Feature id of every key, -1 when absent."""
        out = np.full(len(keys), -1, dtype=np.int64)
        home = self._home(keys)
        pending = np.arange(len(keys))
        for probe in range(self.max_probe + 1):
            slot = (home + probe) & self._mask if probe else home
            stored = self._keys[slot]
            hit = stored == keys
            out[pending[hit]] = self._ids[slot[hit]]
            more = ~hit & (stored != _EMPTY)
            if not more.any():
                break
            pending, home, keys = pending[more], home[more], keys[more]
        return out


def gram_key(gram: str) -> int:
    """64-bit key of a 1-3 character string (21 bits per code point)."""
    k = 0
    for ch in gram:
        k = (k << _BITS) | ord(ch)
    return k


def max_segment(contrib: Sequence[float]) -> tuple[int, int]:
    """``[start, end)`` of the maximum-sum contiguous segment (Kadane; first maximum, latest reset)."""
    best, best_a, best_b = float("-inf"), 0, len(contrib)
    cur, a = 0.0, 0
    for i, v in enumerate(contrib):
        if cur <= 0:
            cur, a = v, i
        else:
            cur += v
        if cur > best:
            best, best_a, best_b = cur, a, i + 1
    return best_a, best_b
