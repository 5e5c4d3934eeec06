"""The jurisdiction pack: legal facts as data, loaded and validated once.

``load_pack(home)`` returns the mainland-China pack (data under ``law/cn/``), merged with any
newer LPR fixings the user imported into that data home with ``weiquan law lpr --update FILE``
(stored in ``<home>/law/lpr_user.csv``); ``load_pack()`` without a home is the bundled data alone —
nothing here reads the environment. The pack of a data home is ``Workspace.law``: services take it
from the workspace, so ``--home`` reaches every consumer. The result is cached per overlay file state.

Contract used by the other areas::

    pack = ws.law                              # or load_pack(home) / load_pack()
    pack.provisions["psapl-50-1-5"].cite()   # 《中华人民共和国治安管理处罚法》第五十条第一款第（五）项
    pack.violations["night_contact"].provisions  # [ProvisionRef(provision_id, kind)]
    pack.conduct.night.start                   # datetime.time(22, 0)
    pack.channels["nfra"].deadline             # None or Deadline(days, unit, ...)
    pack.lpr_on(date(2025, 6, 1))              # 0.03
    pack.find_lender("招联")                    # [LenderMatch(...)]
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
import datetime as dt
import functools
from pathlib import Path
from typing import Any

from pydantic import ValidationError
import yaml

from weiquan.errors import InputError, ProblemFound
from weiquan.law.integrity import check_pack
from weiquan.law.lenders import find_lender
from weiquan.law.lpr import merge_fixings, read_lpr_csv
from weiquan.law.schema import (
    Cap,
    Channel,
    Conduct,
    InterestRules,
    LenderRegistry,
    LprFixing,
    LprTable,
    Provision,
    ProvisionRow,
    Regime,
    StatuteRow,
    VersionText,
    Violation,
    _cite,
)
from weiquan.law.sources import SOURCES_FILE, load_sources
from weiquan.law.sources import resolve as resolve_sources
from weiquan.zh.steps import Note

PACK_DIR = Path(__file__).parent / "cn"
USER_LPR_NAME = "lpr_user.csv"


@dataclass(frozen=True)
class LprOn:
    """The 1-year LPR in force on a date, with how sure we are of it."""

    date: dt.date
    rate: float
    fixing_date: dt.date
    source: str
    confidence: str
    stale: bool  # the date is past the last known fixing by more than ``stale_after_days``
    note_zh: str | None = None


@dataclass(frozen=True)
class LawPack:
    jurisdiction: str
    version: str
    statutes: dict[str, StatuteRow]
    provisions: dict[str, Provision]
    violations: dict[str, Violation]
    conduct: Conduct
    channels: dict[str, Channel]
    interest_rules: InterestRules
    lpr_table: LprTable
    lender_registry: LenderRegistry
    user_lpr_path: Path | None = None
    _lpr_pairs: list[tuple[dt.date, float]] = field(default_factory=list, repr=False)

    # ------------------------------------------------------------------ provisions / violations

    def provisions_for(self, category: str) -> list[Provision]:
        """Provisions for a violation category, in the order the data lists them."""
        v = self.violations.get(category)
        if v is None:
            raise InputError(f"未知的违规类别：{category}", f"unknown violation category: {category}")
        return [self.provisions[r.provision_id] for r in v.provisions]

    def provision(self, provision_id: str) -> Provision:
        p = self.provisions.get(provision_id)
        if p is None:
            raise InputError(f"未知的法条编号：{provision_id}", f"unknown provision id: {provision_id}")
        return p

    def channels_for(self, *, licence_type: str | None = None, violation: str | None = None) -> list[Channel]:
        """Channels that handle a lender licence type and/or a violation category, in suggested order."""
        out = []
        for c in self.channels.values():
            if licence_type is not None and licence_type not in c.handles.licence_types:
                continue
            if violation is not None and violation not in c.handles.violations:
                continue
            out.append(c)
        return sorted(out, key=lambda c: (c.order, c.id))

    # ------------------------------------------------------------------ LPR

    @property
    def lpr(self) -> list[tuple[dt.date, float]]:
        """Sorted (date, 1-year LPR as a decimal) pairs: changes and confirming fixings."""
        return list(self._lpr_pairs)

    @property
    def lpr_fixings(self) -> list[LprFixing]:
        return list(self.lpr_table.fixings)

    @property
    def lpr_known_through(self) -> dt.date:
        return max(self.lpr_table.known_through, self.lpr_table.fixings[-1].date)

    def lpr_fixing_on(self, date: dt.date) -> LprOn:
        fixings = self.lpr_table.fixings
        if date < fixings[0].date:
            raise InputError(
                f"{date.isoformat()} 早于首次LPR报价（{fixings[0].date.isoformat()}），此前适用贷款基准利率，本工具没有该数据。",
                f"{date.isoformat()} is before the first LPR fixing ({fixings[0].date.isoformat()}); no LPR exists for it.",
            )
        current = fixings[0]
        for f in fixings:
            if f.date <= date:
                current = f
            else:
                break
        known = self.lpr_known_through
        stale = (date - known).days > self.lpr_table.stale_after_days
        note = None
        if stale:
            note = Note(
                f"本工具已知的LPR报价截至{known.isoformat()}，{date.isoformat()}的LPR可能已变化，"
                "请到全国银行间同业拆借中心（chinamoney.com.cn）核实后导入新的报价。",
                step="lpr_update",
            )
        return LprOn(date, current.rate, current.date, current.source, current.confidence, stale, note)

    def lpr_on(self, date: dt.date) -> float:
        """The 1-year LPR (decimal) in force on ``date``."""
        return self.lpr_fixing_on(date).rate

    # ------------------------------------------------------------------ interest rules

    @property
    def caps(self) -> dict[str, Cap]:
        return self.interest_rules.caps

    def regime_for(self, licence_type: str, contract_date: dt.date) -> Regime:
        for r in self.interest_rules.regimes:
            if licence_type not in r.licence_types:
                continue
            if r.contract_from and contract_date < r.contract_from:
                continue
            if r.contract_before and contract_date >= r.contract_before:
                continue
            return r
        raise InputError(
            f"没有适用于“{licence_type}”、合同日期{contract_date.isoformat()}的利率规则。",
            f"no interest regime for lender type {licence_type!r} and contract date {contract_date.isoformat()}",
        )

    def cap_rate(self, cap: Cap, *, contract_date: dt.date, filing_date: dt.date | None = None) -> float:
        """Annual rate (decimal) of a cap for a loan; LPR-multiple caps use the LPR on the relevant date."""
        if cap.kind == "fixed":
            assert cap.rate is not None
            return cap.rate
        assert cap.multiple is not None
        on = contract_date if cap.lpr_at == "contract" else (filing_date or contract_date)
        return round(cap.multiple * self.lpr_on(on), 10)

    # ------------------------------------------------------------------ lenders

    def find_lender(self, name: str, limit: int = 5) -> list[Any]:
        """Fuzzy search over brand, app, alias and entity names; best first. See ``weiquan.law.lenders``."""

        return find_lender(self.lender_registry, name, limit=limit)

    @property
    def lenders(self) -> list[Any]:
        return list(self.lender_registry.lenders)


# ---------------------------------------------------------------------- loading


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise ProblemFound(
            f"法律数据文件格式错误：{path.name}：{e}", f"law pack file is not valid YAML: {path.name}: {e}"
        ) from e
    if not isinstance(data, dict):
        raise ProblemFound(f"法律数据文件格式错误：{path.name}", f"law pack file must be a mapping: {path.name}")
    return data


def _validation_error(path: Path, e: ValidationError) -> ProblemFound:
    first = e.errors()[0]
    loc = ".".join(str(x) for x in first["loc"])
    return ProblemFound(
        f"法律数据文件校验失败：{path.name} 的 {loc}：{first['msg']}（共 {e.error_count()} 处）",
        f"law pack validation failed: {path.name} at {loc}: {first['msg']} ({e.error_count()} errors)",
    )


def _texts(s: StatuteRow, p: ProvisionRow, kind: str) -> list[VersionText]:
    """The provision's words per version of its statute, each with its version's dates and own number."""
    versions = {v.id: v for v in s.versions}
    order = [v.id for v in s.versions]
    out = []
    for t in sorted(p.texts, key=lambda t: order.index(t.version)):
        v = versions[t.version]
        current = v.in_force_to is None
        cite = _cite(
            s.title,
            code=s.code,
            kind=kind,
            label=None if current else v.label_zh,
            article=t.article,
            suffix=t.article_suffix,
            paragraph=t.paragraph,
            item=t.item,
            clause=None,
            clause_title=None,
        )
        short = "".join(
            [
                str(t.article or ""),
                t.article_suffix or "",
                f"({t.paragraph})" if t.paragraph else "",
                f"({t.item})" if t.item else "",
            ]
        )
        out.append(
            VersionText(
                version=v.id,
                label_zh=v.label_zh,
                current=current,
                in_force_from=v.in_force_from,
                in_force_to=v.in_force_to,
                citation=cite,
                short=short,
                text_zh=t.text_zh,
                verbatim=t.verbatim,
                penalty=t.penalty,
                source=t.source or v.source,
                confidence=t.confidence or v.confidence,
            )
        )
    return out


def _flatten_provisions(statutes: list[StatuteRow]) -> dict[str, Provision]:
    out: dict[str, Provision] = {}
    for s in statutes:
        for p in s.provisions:
            if p.id in out:
                raise ProblemFound(f"法条编号重复：{p.id}", f"duplicate provision id: {p.id}")
            binds = p.binds or s.binds
            kind = p.kind or s.kind
            out[p.id] = Provision(
                id=p.id,
                statute_id=s.id,
                statute=s.title,
                statute_short=s.short,
                code=s.code,
                article=p.article,
                article_suffix=p.article_suffix,
                paragraph=p.paragraph,
                item=p.item,
                clause=p.clause,
                clause_title=p.clause_title,
                version=s.version,
                in_force=p.in_force_from or s.in_force_from,
                kind=kind,
                strength=s.strength,
                role=p.role or s.role,
                licence_types=list(binds.licence_types),
                association=binds.association,
                excludes_products=list(binds.excludes_products),
                licence_note_zh=binds.note_zh,
                summary_zh=p.summary_zh,
                penalty=p.penalty,
                texts=_texts(s, p, kind),
                note_zh=p.note_zh,
                source=p.source or s.source,
                confidence=p.confidence or s.confidence,
            )
    return out


@functools.lru_cache(maxsize=4)
def _load_base(pack_dir: Path) -> LawPack:
    files = {
        name: pack_dir / f"{name}.yaml"
        for name in ("provisions", "violations", "conduct", "channels", "interest", "lpr", "lenders")
    }
    for path in files.values():
        if not path.is_file():
            raise ProblemFound(f"缺少法律数据文件：{path}", f"law pack file missing: {path}")
    registry_dir = pack_dir if (pack_dir / SOURCES_FILE).is_file() else PACK_DIR
    sources = load_sources(registry_dir)
    raw = {name: resolve_sources(_read_yaml(path), sources) for name, path in files.items()}
    try:
        statutes = [StatuteRow.model_validate(s) for s in raw["provisions"]["statutes"]]
    except ValidationError as e:
        raise _validation_error(files["provisions"], e) from e
    provisions = _flatten_provisions(statutes)

    def parse(name: str, fn: Any) -> Any:
        try:
            return fn(raw[name])
        except ValidationError as e:
            raise _validation_error(files[name], e) from e

    violations = parse("violations", lambda d: {v["id"]: Violation.model_validate(v) for v in d["violations"]})
    conduct = parse("conduct", lambda d: Conduct.model_validate({k: v for k, v in d.items() if k != "version"}))
    channels = parse("channels", lambda d: {c["id"]: Channel.model_validate(c) for c in d["channels"]})
    interest = parse("interest", lambda d: InterestRules.model_validate({k: v for k, v in d.items() if k != "version"}))
    lpr_table = parse("lpr", lambda d: LprTable.model_validate({k: v for k, v in d.items() if k != "version"}))
    registry = parse("lenders", lambda d: LenderRegistry.model_validate({k: v for k, v in d.items() if k != "version"}))
    pack = LawPack(
        jurisdiction="cn",
        version=str(raw["provisions"].get("version", "")),
        statutes={s.id: s for s in statutes},
        provisions=provisions,
        violations=violations,
        conduct=conduct,
        channels=channels,
        interest_rules=interest,
        lpr_table=lpr_table,
        lender_registry=registry,
        _lpr_pairs=[(f.date, f.rate) for f in lpr_table.fixings],
    )

    problems = check_pack(pack)
    if problems:
        raise ProblemFound(
            "法律数据不一致：" + "；".join(problems[:5]) + (f"（共{len(problems)}处）" if len(problems) > 5 else ""),
            "law pack is inconsistent: " + "; ".join(problems[:5]),
        )
    return pack


def user_lpr_path(home: Path | str) -> Path:
    """Where a data home keeps the LPR fixings its user imported."""
    return Path(home) / "law" / USER_LPR_NAME


@functools.lru_cache(maxsize=8)
def _load_with_overlay(pack_dir: Path, overlay: Path | None, _mtime_ns: int) -> LawPack:
    base = _load_base(pack_dir)
    if overlay is None:
        return base

    extra = read_lpr_csv(overlay, source_label=f"用户导入 {overlay.name}")
    table = merge_fixings(base.lpr_table, extra)
    # every other field of the bundled pack carries over unchanged
    return dataclasses.replace(
        base, lpr_table=table, user_lpr_path=overlay, _lpr_pairs=[(f.date, f.rate) for f in table.fixings]
    )


def load_pack(home: Path | str | None = None, *, pack_dir: Path | None = None, use_user_lpr: bool = True) -> LawPack:
    """The mainland-China law pack, validated; with a data ``home``, the LPR fixings imported into that home merged
    in (``use_user_lpr=False`` leaves them out). Without a home, the bundled data alone: the environment
    (``WEIQUAN_HOME``) is never consulted — a service takes the pack of its workspace (``Workspace.law``).
    Cached: repeated calls are cheap and return the same object until the home's LPR file changes.
    """
    d = (pack_dir or PACK_DIR).resolve()
    overlay: Path | None = None
    mtime = 0
    if use_user_lpr and home is not None:
        p = user_lpr_path(home)
        if p.is_file():
            overlay = p.resolve()
            mtime = p.stat().st_mtime_ns
    return _load_with_overlay(d, overlay, mtime)


def clear_cache() -> None:
    _load_base.cache_clear()
    _load_with_overlay.cache_clear()
