"""Law-pack services: listings for the CLI and web, lender check, LPR import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from weiquan.law.lenders import check_lender
from weiquan.law.lpr import read_lpr_csv, merge_fixings, save_user_fixings
from weiquan.law.pack import LawPack, clear_cache, load_pack, user_lpr_path
from weiquan.law.schema import CONFIDENCE_LABEL_ZH


def provision_rows(pack: LawPack, statute: str | None = None) -> list[dict[str, Any]]:
    out = []
    for p in pack.provisions.values():
        if statute and statute not in (p.statute_id, p.statute_short, p.statute):
            continue
        d = p.model_dump(mode="json")
        d["citation"] = p.cite()
        d["old_article"] = p.old_article
        d["in_force_from"] = p.in_force.isoformat() if p.in_force else None
        d["binds"] = {"licence_types": p.licence_types, "association": p.association, "note_zh": p.licence_note_zh}
        d["confidence_zh"] = CONFIDENCE_LABEL_ZH[p.confidence]
        out.append(d)
    return out


def violation_rows(pack: LawPack) -> list[dict[str, Any]]:
    out = []
    for v in pack.violations.values():
        d = v.model_dump(mode="json")
        d["citations"] = [pack.provisions[r.provision_id].cite() for r in v.provisions]
        out.append(d)
    return out


def channel_rows(pack: LawPack, licence_type: str | None = None, violation: str | None = None) -> list[dict[str, Any]]:
    chans = pack.channels_for(licence_type=licence_type, violation=violation) if (licence_type or violation) else sorted(
        pack.channels.values(), key=lambda c: (c.order, c.id)
    )
    return [c.model_dump(mode="json") for c in chans]


def lender_report(name: str, *, home: Path, limit: int = 5) -> dict[str, Any]:
    """Everything `weiquan lender check NAME` prints: matches, licence type, regulator, channels, red flags."""
    pack = load_pack(home)
    c = check_lender(pack.lender_registry, name, limit=limit)
    return {
        "query": c.query,
        "found": c.licence_source == "registry",
        "licence_type": c.licence_type,
        "licence_source": c.licence_source,
        "claimed_licence": c.claimed_licence,
        "regulator": c.regulator,
        "matches": [
            {
                "id": m.lender.id,
                "entity": m.lender.entity,
                "brands": m.lender.brands,
                "former_names": m.lender.former_names,
                "matched_name": m.matched_name,
                "score": m.score,
                "exact": m.exact,
                "licence_type": m.lender.licence_type,
                "regulator": m.lender.regulator,
                "hotline": m.lender.hotline,
                "nifa_member": m.lender.nifa_member,
                "source": m.lender.source,
                "confidence": m.lender.confidence,
                "brand_confidence": m.lender.brand_confidence,
                "name_suffix_verified": m.lender.name_suffix_verified,
            }
            for m in c.matches
        ],
        "channels": [
            {"id": cid, "name": pack.channels[cid].name_zh, "hotline": pack.channels[cid].contact.hotline, "portal": pack.channels[cid].contact.portal}
            for cid in c.channels
            if cid in pack.channels
        ],
        "red_flags": c.red_flags,
        "notes": c.notes,
        "how_to_check": [h.model_dump(mode="json") for h in pack.lender_registry.how_to_check],
    }


def _lpr_multiple(pack: LawPack) -> float:
    """The multiple of the LPR that caps private lending (interest.yaml ``four_lpr_contract``: 4)."""
    multiple = pack.interest_rules.caps["four_lpr_contract"].multiple
    assert multiple is not None  # an lpr_multiple cap has one (schema)
    return multiple


def lpr_rows(pack: LawPack) -> dict[str, Any]:
    m = _lpr_multiple(pack)
    return {
        "known_through": pack.lpr_known_through.isoformat(),
        "user_file": str(pack.user_lpr_path) if pack.user_lpr_path else None,
        "live_sources": pack.lpr_table.live_sources,
        "fixings": [
            {"date": f.date.isoformat(), "rate": f.rate, "four_times": round(m * f.rate, 6), "change": f.change, "source": f.source, "confidence": f.confidence}
            for f in pack.lpr_table.fixings
        ],
    }


def import_lpr(csv_path: Path, *, home: Path) -> dict[str, Any]:
    """Validate a downloaded LPR CSV against the pack and store its new fixings in the data home."""
    extra = read_lpr_csv(csv_path)
    pack = load_pack(home)
    merged = merge_fixings(pack.lpr_table, extra)  # raises on conflicts
    known = {f.date for f in pack.lpr_table.fixings}
    new = [f for f in merged.fixings if f.date not in known]
    target = user_lpr_path(home)
    if new:
        save_user_fixings(target, new)
        clear_cache()
    return {
        "file": str(csv_path),
        "rows": len(extra),
        "added": [{"date": f.date.isoformat(), "rate": f.rate} for f in new],
        "stored_in": str(target),
        "known_through": max(merged.known_through, pack.lpr_known_through).isoformat(),
    }


def lpr_on(date: dt.date, *, home: Path) -> dict[str, Any]:
    pack = load_pack(home)
    info = pack.lpr_fixing_on(date)
    return {
        "date": date.isoformat(),
        "rate": info.rate,
        "four_times": round(_lpr_multiple(pack) * info.rate, 6),
        "fixing_date": info.fixing_date.isoformat(),
        "source": info.source,
        "confidence": info.confidence,
        "stale": info.stale,
        "note": info.note_zh,
    }
