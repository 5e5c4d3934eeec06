"""Cross-reference checks over a loaded pack (run on every load and in the tests)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from weiquan.law.pack import LawPack

#: The violation categories (docs/sources.md#violation-categories); the pack must define exactly these.
CATEGORIES: tuple[str, ...] = (
    "threat_violence",
    "threat_exposure",
    "threat_legal_false",
    "impersonation",
    "threat_visit",
    "home_visit",
    "insult",
    "third_party_contact",
    "privacy_disclosure",
    "harassment_volume",
    "night_contact",
    "illegal_debt",
    "lawful",
)


def check_pack(pack: LawPack) -> list[str]:
    """Every problem found, as short English+Chinese strings; empty when the pack is consistent."""
    problems: list[str] = []
    prov = pack.provisions
    chans = pack.channels

    def need_provision(pid: str | None, where: str) -> None:
        if pid is not None and pid not in prov:
            problems.append(f"{where}: unknown provision {pid}")

    def need_channel(cid: str, where: str) -> None:
        if cid not in chans:
            problems.append(f"{where}: unknown channel {cid}")

    if set(pack.violations) != set(CATEGORIES):
        problems.append(
            f"violations: categories {sorted(set(pack.violations) ^ set(CATEGORIES))} differ from docs/sources.md#violation-categories"
        )
    for v in pack.violations.values():
        for r in v.provisions:
            need_provision(r.provision_id, f"violation {v.id}")
            for rid in r.remedies:
                need_provision(rid, f"violation {v.id} remedies")
                if rid in prov and prov[rid].role != "remedy":
                    problems.append(f"violation {v.id}: {rid} is listed as a remedy but its role is {prov[rid].role}")
        for b in v.bodies:
            need_channel(b, f"violation {v.id}")
    c = pack.conduct
    for r in c.night.rules:
        need_provision(r.provision_id, "conduct.night")
    need_provision(c.max_connected_voice_per_day.provision_id, "conduct.max_connected_voice_per_day")
    need_provision(c.max_attempts_per_method_per_day.provision_id, "conduct.max_attempts_per_method_per_day")
    for r in [*c.third_party, *c.home_visit]:
        need_provision(r.provision_id, f"conduct.{r.id}")
    for ch in chans.values():
        for vid in ch.handles.violations:
            if vid not in pack.violations:
                problems.append(f"channel {ch.id}: unknown violation {vid}")
        if not ch.source.strip():
            problems.append(f"channel {ch.id}: no source")
    ir = pack.interest_rules
    for reg in ir.regimes:
        for cid in reg.caps:
            if cid not in ir.caps:
                problems.append(f"regime {reg.id}: unknown cap {cid}")
        if reg.transition_cap and reg.transition_cap not in ir.caps:
            problems.append(f"regime {reg.id}: unknown transition cap {reg.transition_cap}")
    verdict_codes = {v.code for v in ir.verdicts}
    for cap in ir.caps.values():
        if cap.verdict not in verdict_codes:
            problems.append(f"cap {cap.id}: unknown verdict {cap.verdict}")
    for rule in ir.rules.values():
        for pid in rule.provision_ids:
            need_provision(pid, f"interest rule {rule.id}")
    dates = [f.date for f in pack.lpr_table.fixings]
    if any(b <= a for a, b in zip(dates, dates[1:])):
        problems.append("lpr: dates are not strictly increasing")
    ids: set[str] = set()
    for lender in pack.lender_registry.lenders:
        if lender.id in ids:
            problems.append(f"lender {lender.id}: duplicate id")
        ids.add(lender.id)
        for cid in lender.channels:
            need_channel(cid, f"lender {lender.id}")
        if not lender.names():
            problems.append(f"lender {lender.id}: no name")
    unlisted = pack.lender_registry.unlisted
    for cid in [*unlisted.channels, *(c for r in unlisted.by_claimed_licence.values() for c in r.channels)]:
        need_channel(cid, "lenders.yaml unlisted")
    return problems
