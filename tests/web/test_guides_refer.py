"""A guide states no hotline, deadline or legal figure itself: it names the law pack's channel, provision or cap,
so one fact lives in one place (a change to the pack shows on the guide pages)."""

from __future__ import annotations

import dataclasses
import re

import pytest
import yaml

from weiquan.law.pack import load_pack
from weiquan.web.guide_data import GUIDE_DIR, PLACEHOLDER, Fact, for_pack, load_guides

SHOWN_KEYS = ("title", "summary", "heading", "points", "text")


def _shown_text(data: object) -> list[str]:
    """Every string of a guide file a reader sees (not ids, links or a fact's own source)."""
    out: list[str] = []
    if isinstance(data, dict):
        for k, v in data.items():
            if k in SHOWN_KEYS:
                out += [v] if isinstance(v, str) else [x for x in v if isinstance(x, str)]
            out += _shown_text(v) if isinstance(v, (dict, list)) else []
    elif isinstance(data, list):
        for v in data:
            out += _shown_text(v)
    return out


@pytest.mark.parametrize("path", sorted(GUIDE_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_guides_restate_no_hotline_deadline_or_rate(path) -> None:
    pack = load_pack()
    hotlines = {c.contact.hotline for c in pack.channels.values() if c.contact.hotline}
    for text in _shown_text(yaml.safe_load(path.read_text(encoding="utf-8"))):
        plain = PLACEHOLDER.sub("", text)
        for h in hotlines:
            assert not re.search(rf"(?<![\d-]){re.escape(h)}(?![\d-])", plain), f"{path.name} restates {h}: {text}"
        assert not re.search(r"\d+\s*(?:个?工作日|日|天|%|倍)", plain), f"{path.name} restates a figure: {text}"


def test_every_guide_fills_from_the_pack_and_facts_carry_the_rows_source() -> None:
    pack = load_pack()
    referring = 0
    for g in load_guides().values():
        shown = for_pack(g, pack)
        texts = [
            shown.title,
            shown.summary,
            *(p for s in shown.sections for p in s.points),
            *(f.text for f in shown.facts),
        ]
        assert not any("{" in t for t in texts), g.id
        for raw, f in zip(g.facts, shown.facts):
            assert f.source and f.confidence
            if raw.ref:
                referring += 1
                kind, row_id = raw.ref.split(":", 1)
                row = (
                    pack.channels[row_id].deadline
                    if kind == "deadline"
                    else {
                        "channel": pack.channels,
                        "provision": pack.provisions,
                        "cap": pack.interest_rules.caps,
                        "statute": pack.statutes,
                    }[kind][row_id]
                )
                assert (f.source, f.confidence) == (row.source, row.confidence)
    assert referring >= 10


def test_a_change_in_the_pack_shows_on_the_guide(client) -> None:
    pack = load_pack()
    nfra = pack.channels["nfra"]
    police = pack.channels["police"]
    changed = dataclasses.replace(
        pack,
        channels={
            **pack.channels,
            "nfra": nfra.model_copy(update={"contact": nfra.contact.model_copy(update={"hotline": "99999"})}),
            "police": police.model_copy(
                update={"deadline": police.deadline.model_copy(update={"summary_zh": "测试期限"})}
            ),
        },
    )
    guides = load_guides()
    assert "99999 是什么" == for_pack(guides["nfra-12378"], changed).title
    assert any("测试期限" in p for s in for_pack(guides["police-110"], changed).sections for p in s.points)
    # the page shows the workspace's pack
    page = client.get("/guides/nfra-12378").text
    assert "12378 是什么" in page and "{" not in page.split("<main", 1)[-1].split("</main>", 1)[0]


def test_a_fact_has_a_pack_row_or_its_own_source() -> None:
    with pytest.raises(ValueError):
        Fact(text="x", ref="channel:nfra", source="重复的来源", confidence="verified")
    with pytest.raises(ValueError):
        Fact(text="x")
    with pytest.raises(ValueError, match="unknown channel"):
        for_pack(load_guides()["start"].model_copy(update={"summary": "{channel:nope:name_zh}"}), load_pack())
