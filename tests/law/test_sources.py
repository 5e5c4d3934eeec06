"""Every legal fact in the law pack names its source in docs/sources.md: each ``source`` field of
``law/cn/*.yaml`` resolves to entries of the sources table (``law/cn/sources.yaml``, generated into
docs/sources.md#law-pack-sources), and an entry no primary text confirmed is printed as 〔未核实〕."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from weiquan.law.pack import PACK_DIR, load_pack
from weiquan.law.sources import SOURCES_FILE, Source, cite_zh, confidence_problems, load_sources, refs, source_fields

ROOT = Path(__file__).resolve().parents[2]
PACK_FILES = sorted(p for p in PACK_DIR.glob("*.yaml") if p.name != SOURCES_FILE)


def _documented_ids() -> set[str]:
    text = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    return set(re.findall(r"^### ([a-z0-9][a-z0-9-]*)$", text, flags=re.M))


@pytest.mark.parametrize("path", PACK_FILES, ids=lambda p: p.name)
def test_every_source_field_resolves_to_a_docs_sources_entry(path: Path) -> None:
    documented = _documented_ids()
    registry = load_sources(PACK_DIR)
    fields = source_fields(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert fields, f"{path.name} has no source fields"
    bad = [
        (loc, text)
        for loc, text in fields
        if not all(sid and sid in registry and sid in documented for sid, _ in refs(text))
    ]
    assert not bad, (
        f"{path.name}: these sources name no entry of docs/sources.md#law-pack-sources (add the primary "
        f"source to law/cn/sources.yaml and run `make docs`, or cite `unverified`): {bad[:5]}"
    )


def test_no_source_names_the_research_notes() -> None:
    notes = re.compile(r"cn-law|fact-?check|design\.md|formats\.md|law-ye-skill|\[M\]")
    for path in PACK_FILES:
        for loc, text in source_fields(yaml.safe_load(path.read_text(encoding="utf-8"))):
            assert not notes.search(text), f"{path.name} {loc}: {text}"


def test_row_confidence_matches_its_sources() -> None:
    """A row is only as sure as its sources: none confirmed → unverified (printed 〔未核实〕); verified → every source
    confirmed; all confirmed legal sources → not unverified."""
    registry = load_sources(PACK_DIR)
    problems = [
        f"{path.name} {p}"
        for path in PACK_FILES
        for p in confidence_problems(yaml.safe_load(path.read_text(encoding="utf-8")), registry)
    ]
    assert problems == [], problems
    sample = {
        "a": Source("a", "《甲法》", "NPC", "LawRefBook", True),
        "b": Source("b", "乙指引", "an association", "a news summary", False),
        "r": Source("r", "工具规则", "this project", "not a legal fact", True, kind="rule"),
    }
    rows = {
        "rows": [
            {"source": "b", "confidence": "verified"},  # nothing confirmed
            {"source": "a；b", "confidence": "verified"},  # one unconfirmed among them
            {"source": "a", "confidence": "unverified"},  # under-claims a confirmed statute
            {"source": "r", "confidence": "unverified"},  # a rule of thumb may
            {"source": "a；b", "confidence": "single-source"},
            {"source": "b", "confidence": "unverified", "provisions": [{"id": "x", "confidence": "verified"}]},
        ],
        "cap_source": "b",
        "cap_confidence": "single-source",
    }
    found = confidence_problems(rows, sample)
    assert sorted(f.split(":")[0] for f in found) == [
        "cap_source",
        "rows[0].source",
        "rows[1].source",
        "rows[2].source",
        "rows[5].provisions[0].source",
    ], found


def test_every_entry_is_documented_and_used() -> None:
    registry = load_sources(PACK_DIR)
    assert set(registry) <= _documented_ids()
    used = {
        sid
        for p in PACK_FILES
        for _, t in source_fields(yaml.safe_load(p.read_text(encoding="utf-8")))
        for sid, _ in refs(t)
    }
    assert set(registry) - used == set(), "entries no law-pack row cites"
    for s in registry.values():
        assert s.title_zh and s.primary and s.read


def test_unconfirmed_sources_are_printed_as_unverified() -> None:
    registry = {
        "a": Source("a", "《甲法》", "NPC", "LawRefBook", True),
        "b": Source("b", "乙指引", "an association", "a news summary", False),
    }
    assert cite_zh("a 第五条；b", registry) == "《甲法》第五条；乙指引〔未核实〕"
    assert cite_zh("not-an-entry", registry) == "not-an-entry"  # shown as written; the test above forbids it
    pack = load_pack()
    assert pack.provisions["psapl-50-1-5"].source.startswith("《中华人民共和国治安管理处罚法》（2025年")
    reg = load_sources(PACK_DIR)
    unconfirmed = [s for s in reg.values() if not s.confirmed]
    assert unconfirmed and all("〔未核实〕" in s.cite_zh() for s in unconfirmed)
    # a row whose every source is unconfirmed prints 〔未核实〕 wherever the pack's source is shown
    raw = yaml.safe_load((PACK_DIR / "channels.yaml").read_text(encoding="utf-8"))
    checked = 0
    for row in raw["channels"]:
        ids = [sid for sid, _ in refs(row["source"])]
        if all(not reg[i].confirmed for i in ids):
            assert "〔未核实〕" in pack.channels[row["id"]].source, row["id"]
            checked += 1
    assert checked
