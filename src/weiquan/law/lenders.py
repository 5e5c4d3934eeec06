"""Lender lookup: fuzzy search over the registry and red flags for a name."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from weiquan.law.schema import Lender, LenderRegistry, NamePattern

_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "股份公司", "公司", "app", "APP", "App")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
MATCH_THRESHOLD = 70.0


def normalise(name: str) -> str:
    """Lower-case, full-width → half-width, no spaces/punctuation, no company-form suffix."""
    s = unicodedata.normalize("NFKC", name).strip()
    for suf in _SUFFIXES:
        if s.endswith(suf) and len(s) > len(suf) + 1:
            s = s[: -len(suf)]
            break
    return _PUNCT.sub("", s).lower()


@dataclass(frozen=True)
class LenderMatch:
    lender: Lender
    score: float  # 0–100
    matched_name: str
    exact: bool  # the query equals a known name (after normalisation)

    @property
    def licence_type(self) -> str:
        return self.lender.licence_type

    @property
    def confidence(self) -> str:
        return self.lender.confidence

    @property
    def entity(self) -> str | None:
        return self.lender.entity

    @property
    def regulator(self) -> str:
        return self.lender.regulator

    @property
    def hotline(self) -> str | None:
        return self.lender.hotline

    @property
    def aliases(self) -> list[str]:
        return self.lender.aliases

    @property
    def nifa_member(self) -> bool | None:
        return self.lender.nifa_member

    @property
    def source(self) -> str:
        return self.lender.source


def _score(q: str, name: str) -> tuple[float, bool]:
    n = normalise(name)
    if not q or not n:
        return 0.0, False
    if q == n:
        return 100.0, True
    if q in n or n in q:
        shorter, longer = sorted((q, n), key=len)
        # substring: strong, but weaker for very short fragments of long names
        return 85.0 + 14.0 * len(shorter) / len(longer), False
    return float(fuzz.ratio(q, n)), False


def find_lender(
    registry: LenderRegistry, name: str, limit: int = 5, threshold: float = MATCH_THRESHOLD
) -> list[LenderMatch]:
    q = normalise(name)
    matches: list[LenderMatch] = []
    for lender in registry.lenders:
        best = (0.0, False, "")
        for n in lender.names():
            s, exact = _score(q, n)
            if (s, exact) > best[:2]:
                best = (s, exact, n)
        if best[0] >= threshold:
            matches.append(LenderMatch(lender, round(best[0], 1), best[2], best[1]))
    matches.sort(key=lambda m: (-m.score, m.lender.id))
    return matches[:limit]


@dataclass
class LenderCheck:
    query: str
    matches: list[LenderMatch]
    licence_type: str | None  # from an unambiguous registry match; None when not found or ambiguous
    licence_source: str  # "registry" | "ambiguous" | "unknown"
    claimed_licence: str | None  # what the name claims (e.g. "…消费金融" → consumer_finance), unverified
    regulator: str | None
    channels: list[str]
    red_flags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def check_lender(registry: LenderRegistry, name: str, limit: int = 5) -> LenderCheck:
    """Match a name against the registry and list red flags (not found, imitation, unlicensed patterns)."""
    matches = find_lender(registry, name, limit=limit)
    strong = [m for m in matches if m.score >= 90]
    flags: list[str] = []
    notes: list[str] = []
    pattern_hits: list[NamePattern] = [
        p for p in registry.patterns if any(k.lower() in name.lower() for k in p.contains)
    ]
    if strong:
        best = strong[0]
        lt: str | None = best.lender.licence_type
        source = "registry"
        regulator: str | None = best.lender.regulator
        channels = list(best.lender.channels)
        if not best.exact and best.score < 99:
            notes.append(f"按相近名称“{best.matched_name}”匹配，请核对借款合同上的出借方全称。")
        if best.lender.confidence == "unverified":
            notes.append(
                "这家机构的牌照信息未能与监管部门公布的原文核对（未核实），请以国家金融监督管理总局的金融许可证查询结果为准。"
            )
        if best.lender.note_zh:
            notes.append(best.lender.note_zh)
        claimed = lt
        top = [m for m in strong if m.score == best.score]
        if len({m.lender.id for m in top}) > 1:
            notes.append(
                "名称同时接近多个机构："
                + "、".join(m.lender.entity or m.matched_name for m in top)
                + "。请以借款合同上的出借方为准。"
            )
            if len({m.lender.licence_type for m in top}) > 1:
                lt = None
                claimed = None
                source = "ambiguous"
                regulator = None
                channels = list(dict.fromkeys(c for m in top for c in m.lender.channels))
    else:
        lt = None
        claimed = None
        source = "unknown"
        regulator = None
        channels = list(registry.unlisted.channels)
        flags.append(registry.unlisted.flag_zh)
        for p in pattern_hits:
            if p.implies_licence and claimed is None:
                claimed = p.implies_licence
            if p.flag_zh:
                flags.append(p.flag_zh)
        route = registry.unlisted.by_claimed_licence.get(claimed) if claimed else None
        if route is not None:
            regulator = route.regulator_zh
            channels = list(route.channels)
        if matches:
            notes.append(
                "相近名称："
                + "、".join(f"{m.matched_name}（{m.score:.0f}）" for m in matches[:3])
                + "。名称相近不等于同一机构，谨防仿冒。"
            )
    if strong:
        for p in pattern_hits:
            if p.implies_licence is None and p.flag_zh:
                flags.append(p.flag_zh)
    return LenderCheck(name, matches, lt, source, claimed, regulator, channels, flags, notes)


def product_of(registry: LenderRegistry, *names: str | None) -> str | None:
    """The loan product a lender's or product's name tells (``LenderRegistry.product_words``: "招商银行信用卡中心" →
    "credit_card"), or None."""
    for product, words in registry.product_words.items():
        if any(w in (n or "") for n in names for w in words):
            return product
    return None
