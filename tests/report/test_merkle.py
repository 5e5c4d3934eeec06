"""Merkle root of the manifest (RFC 6962 tree hash) and canonical JSON: properties."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from weiquan.report import verify as verifier


def reference_mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1, written directly from the definition."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = 1
    while k << 1 < n:
        k <<= 1
    return hashlib.sha256(b"\x01" + reference_mth(leaves[:k]) + reference_mth(leaves[k:])).digest()


def test_small_trees_by_hand() -> None:
    a, b, c = (hashlib.sha256(x).digest() for x in (b"a", b"b", b"c"))
    h = hashlib.sha256
    assert verifier.merkle_root_of_hashes([a]) == a
    assert verifier.merkle_root_of_hashes([a, b]) == h(b"\x01" + a + b).digest()
    assert verifier.merkle_root_of_hashes([a, b, c]) == h(b"\x01" + h(b"\x01" + a + b).digest() + c).digest()
    assert verifier.merkle_root_of_hashes([]) == h(b"").digest()


@given(st.lists(st.binary(min_size=32, max_size=32), max_size=70))
@settings(max_examples=80, deadline=None)
def test_matches_reference(leaves: list[bytes]) -> None:
    assert verifier.merkle_root_of_hashes(leaves) == reference_mth(leaves)


file_entry = st.fixed_dictionaries(
    {
        "path": st.text(alphabet="abc/_.证据E0123", min_size=1, max_size=20),
        "sha256": st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
        "size": st.integers(min_value=0, max_value=1 << 40),
        "role": st.sampled_from(["original", "derived", "report"]),
    }
)


@given(st.lists(file_entry, min_size=1, max_size=30, unique_by=lambda f: f["path"]), st.data())
@settings(max_examples=80, deadline=None)
def test_any_edit_changes_root_and_order_does_not(files: list[dict], data: st.DataObject) -> None:
    manifest = {"format": verifier.FORMAT, "case": {"id": 1, "name": "案件"}, "files": files}
    root = verifier.merkle_root(manifest)
    # The order of the files list does not matter (leaves are sorted by path) …
    shuffled = {**manifest, "files": data.draw(st.permutations(files))}
    assert verifier.merkle_root(shuffled) == root
    # … but any change to any entry or to the header does.
    i = data.draw(st.integers(0, len(files) - 1))
    field = data.draw(st.sampled_from(["sha256", "size", "role", "path"]))
    edited = [dict(f) for f in files]
    old = edited[i][field]
    edited[i][field] = old + 1 if field == "size" else ("x" + old if field != "sha256" else old[::-1] + "0")
    if edited[i] != files[i]:
        assert verifier.merkle_root({**manifest, "files": edited}) != root
    assert verifier.merkle_root({**manifest, "case": {"id": 2, "name": "案件"}}) != root
    removed = {**manifest, "files": files[:i] + files[i + 1 :]}
    assert verifier.merkle_root(removed) != root


def test_ledger_entry_hash_matches_vault() -> None:
    from weiquan.vault import ledger

    e = {
        "seq": 3,
        "ts": "2025-01-01T00:00:00.000000+00:00",
        "action": "acquired",
        "evidence_sha256": "ab" * 32,
        "case_id": 7,
        "meta": '{"name":"短信.xml"}',
        "prev_hash": "cd" * 32,
    }
    assert verifier.ledger_entry_hash(e) == ledger.entry_hash(
        3, e["ts"], "acquired", e["evidence_sha256"], 7, e["meta"], e["prev_hash"]
    )
