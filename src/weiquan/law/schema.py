"""Pydantic schema of a jurisdiction pack (the data files under ``law/<jurisdiction>/``).

Every legal fact carries ``source`` (ids of ``law/cn/sources.yaml``) and ``confidence``: ``verified`` (every
source it names is confirmed against a primary text), ``single-source`` (not every source confirmed) or
``unverified`` (no source it names is confirmed; the product shows "未核实"). ``law.sources.confidence_problems``
is the rule; a test holds the pack to it.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from weiquan.law.numerals import article_cn, item_cn
from weiquan.zh.format import date_cn
from weiquan.zh.labels import LICENCE_TYPES as LICENCE_TYPES  # the vocabulary's; re-exported for older imports

Confidence = Literal["verified", "single-source", "unverified"]
LicenceType = Literal["bank", "consumer_finance", "small_loan", "unlicensed", "private"]
ProvisionKind = Literal["criminal", "administrative", "civil", "self_regulatory", "standard"]
Strength = Literal["law", "national_standard", "self_regulation"]
Severity = Literal["high", "medium", "low"]
# What a provision is for in a document: a rule of conduct the collector may have broken ("conduct"),
# a procedural rule for the body that receives a complaint or suit ("procedure"), or a remedy the
# person may ask for ("remedy"). Documents list only "conduct" provisions under "违反的规定".
Role = Literal["conduct", "procedure", "remedy"]

CONFIDENCE_LABEL_ZH: dict[str, str] = {"verified": "已核实", "single-source": "单一来源", "unverified": "未核实"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sourced(_Strict):
    source: str = Field(min_length=3)
    confidence: Confidence

    @property
    def unverified(self) -> bool:
        return self.confidence == "unverified"

    @property
    def confidence_zh(self) -> str:
        return CONFIDENCE_LABEL_ZH[self.confidence]


# --------------------------------------------------------------------------- provisions


Association = Literal["nifa", "cba"]
# Loan products a norm may leave out of its scope (GB/T 45251 covers 个人网络消费信贷, not bank credit cards).
Product = Literal["credit_card"]
ASSOCIATION_ZH: dict[str, str] = {"nifa": "中国互联网金融协会", "cba": "中国银行业协会"}


class Binds(_Strict):
    """Whom a norm binds: lenders of some licence types, members of a self-regulatory association, or (both
    empty) everyone. E.g. the 民间借贷 rules do not govern licensed institutions (docs/sources.md#private-lending-scope); the
    NIFA 自律公约 binds NIFA members only, the CBA guideline CBA members only (docs/sources.md#self-regulation-scope)."""

    licence_types: list[LicenceType] = Field(default_factory=list)  # empty: any lender
    association: Association | None = None  # only members of this association
    excludes_products: list[Product] = Field(default_factory=list)  # products outside its subject (a credit card)
    note_zh: str | None = None  # the scope in words, shown when the lender's licence type or membership is unknown

    @property
    def everyone(self) -> bool:
        return not self.licence_types and self.association is None

    @model_validator(mode="after")
    def _explained(self) -> Binds:
        if not self.everyone and not self.note_zh:
            raise ValueError("binds: a limited scope needs note_zh (shown when the licence type is unknown)")
        return self


class StatuteVersion(_Strict):
    """One text of a statute and the dates it was in force, e.g. the 治安管理处罚法 as amended in 2012
    (in force until 2025-12-31) and as revised in 2025 (in force from 2026-01-01)."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    label_zh: str  # e.g. 2012年修正
    in_force_from: dt.date | None = None
    in_force_to: dt.date | None = None  # last day in force (inclusive); None: still in force
    source: str = Field(min_length=3)
    confidence: Confidence


class ProvisionText(_Strict):
    """A provision in one version of its statute: that version's number and its own words."""

    version: str  # StatuteVersion.id
    article: int | None = Field(default=None, ge=1)
    article_suffix: str | None = None
    paragraph: int | None = Field(default=None, ge=1)
    item: int | None = Field(default=None, ge=1)
    text_zh: str = Field(min_length=2)  # the statutory words (or a faithful summary when marked so)
    verbatim: bool = True  # False: a faithful summary, not the statute's own words
    penalty: str | None = None
    source: str | None = None
    confidence: Confidence | None = None


class ProvisionRow(_Strict):
    """One provision as written in provisions.yaml (inside its statute)."""

    id: str = Field(pattern=r"^[a-z0-9_.-]+$")
    article: int | None = Field(default=None, ge=1)
    article_suffix: str | None = None  # "之一" for 刑法第二百九十三条之一
    paragraph: int | None = Field(default=None, ge=1)
    item: int | None = Field(default=None, ge=1)
    clause: str | None = None  # clause of a standard, e.g. "5.3"
    clause_title: str | None = None  # heading of that clause, e.g. "业务管理"
    summary_zh: str = Field(min_length=2)
    penalty: str | None = None
    kind: ProvisionKind | None = None  # overrides the statute's kind
    role: Role | None = None  # overrides the statute's role
    binds: Binds | None = None  # overrides the statute's binds
    in_force_from: dt.date | None = None  # overrides the statute's (a provision added later, e.g. 治安 Art. 56)
    # the provision's number and words in each version of its statute (versions it is absent from are left out)
    texts: list[ProvisionText] = Field(default_factory=list)
    # a note every citation of the provision carries, e.g. 刑法 Art. 246's 告诉的才处理
    note_zh: str | None = None
    source: str | None = None  # overrides the statute's source
    confidence: Confidence | None = None  # overrides the statute's confidence


class StatuteRow(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str = Field(min_length=2)  # formal title without 《》
    short: str
    code: str | None = None  # document number, e.g. 法释〔2020〕17号, GB/T 45251—2025
    kind: ProvisionKind
    strength: Strength
    role: Role = "conduct"
    binds: Binds  # whom the statute binds (every statute states it)
    version: str
    in_force_from: dt.date | None = None  # None: no source read gives the date (the rule is not date-limited)
    versions: list[StatuteVersion] = Field(default_factory=list)  # texts over time, oldest first
    source: str = Field(min_length=3)
    confidence: Confidence
    note_zh: str | None = None
    provisions: list[ProvisionRow]

    @property
    def in_force(self) -> dt.date | None:
        return self.in_force_from

    @model_validator(mode="after")
    def _versions_consistent(self) -> StatuteRow:
        ids = {v.id for v in self.versions}
        for p in self.provisions:
            for t in p.texts:
                if t.version not in ids:
                    raise ValueError(f"statute {self.id}: provision {p.id} names unknown version {t.version}")
        for a, b in zip(self.versions, self.versions[1:]):
            if a.in_force_to is None or b.in_force_from is None or a.in_force_to >= b.in_force_from:
                raise ValueError(f"statute {self.id}: versions {a.id} and {b.id} overlap or leave no end date")
        return self


def _cite(
    statute: str,
    *,
    code: str | None,
    kind: str,
    label: str | None,
    article: int | None,
    suffix: str | None,
    paragraph: int | None,
    item: int | None,
    clause: str | None,
    clause_title: str | None,
) -> str:
    head = f"《{statute}》" + (f"（{label}）" if label else "")
    if code and kind == "standard":
        head += f"（{code}）"
    if article is not None:
        head += article_cn(article, suffix)
        if paragraph is not None:
            head += f"第{item_cn(paragraph)}款"
        if item is not None:
            head += f"第（{item_cn(item)}）项"
    elif clause:
        # a standard is cited by clause number and heading (e.g. "5.3 业务管理"), never as "第5.3条"
        head += clause + (f" {clause_title}" if clause_title else "")
    return head


class VersionText(_Strict):
    """A provision as it read in one version of its statute, with that version's dates and number."""

    version: str
    label_zh: str  # the version's label, e.g. 2012年修正
    current: bool  # the version in force now (cited without its label)
    in_force_from: dt.date | None = None
    in_force_to: dt.date | None = None
    citation: str  # formal citation in that version's numbering
    short: str  # compact number, e.g. "42(5)"
    text_zh: str
    verbatim: bool = True
    penalty: str | None = None
    source: str
    confidence: Confidence

    def covers(self, first: dt.date, last: dt.date) -> bool:
        """True when some day of [first, last] falls in this version's time in force."""
        return (self.in_force_from is None or last >= self.in_force_from) and (
            self.in_force_to is None or first <= self.in_force_to
        )


class Provision(_Strict):
    """A provision with its statute resolved; what the rest of the program uses."""

    id: str
    statute_id: str
    statute: str  # formal title, e.g. 中华人民共和国治安管理处罚法
    statute_short: str
    code: str | None = None
    article: int | None = None
    article_suffix: str | None = None
    paragraph: int | None = None
    item: int | None = None
    clause: str | None = None
    clause_title: str | None = None
    version: str
    in_force: dt.date | None = None  # in_force_from of the provision (or of its statute)
    kind: ProvisionKind
    strength: Strength
    role: Role = "conduct"
    licence_types: list[LicenceType] = Field(default_factory=list)  # empty: applies to any lender
    association: Association | None = None  # binds only members of this association
    excludes_products: list[Product] = Field(default_factory=list)  # Binds.excludes_products
    licence_note_zh: str | None = None  # the scope in words (Binds.note_zh)
    summary_zh: str
    penalty: str | None = None
    texts: list[VersionText] = Field(default_factory=list)  # the provision's words per version, oldest first
    note_zh: str | None = None  # carried by every citation (e.g. 告诉的才处理)
    source: str
    confidence: Confidence

    @property
    def in_force_from(self) -> dt.date | None:
        return self.in_force

    @property
    def binds_everyone(self) -> bool:
        return not self.licence_types and self.association is None

    def cite(self) -> str:
        """Formal Chinese citation, e.g. 《中华人民共和国治安管理处罚法》第五十条第一款第（五）项."""
        return _cite(
            self.statute,
            code=self.code,
            kind=self.kind,
            label=None,
            article=self.article,
            suffix=self.article_suffix,
            paragraph=self.paragraph,
            item=self.item,
            clause=self.clause,
            clause_title=self.clause_title,
        )

    def short_cite(self) -> str:
        """Compact form for tables, e.g. 治安管理处罚法 50(1)(5)."""
        s = self.statute_short
        if self.article is not None:
            s += f" {self.article}{self.article_suffix or ''}"
            if self.paragraph is not None:
                s += f"({self.paragraph})"
            if self.item is not None:
                s += f"({self.item})"
        elif self.clause:
            s += f" {self.clause}"
        return s

    @property
    def confidence_zh(self) -> str:
        return CONFIDENCE_LABEL_ZH[self.confidence]

    @property
    def current_text(self) -> VersionText | None:
        return next((t for t in self.texts if t.current), None)

    @property
    def old_article(self) -> str | None:
        """The number in the version before the current one (e.g. "42(5)"), or None."""
        old = [t for t in self.texts if not t.current]
        return old[-1].short if old else None

    def old_cite(self) -> str | None:
        old = [t for t in self.texts if not t.current]
        return old[-1].citation if old else None

    def texts_for_conduct(self, first: dt.date | None, last: dt.date | None) -> list[VersionText] | None:
        """The versions in force on some day of the conduct, oldest first: [] when the provision was not in force
        on any of its days; None when the provision keeps no per-version text (its date alone decides)."""
        if not self.texts:
            return None
        if first is None or last is None:
            cur = self.current_text
            return [cur] if cur else []
        return [t for t in self.texts if t.covers(first, last)]

    def cite_for_conduct(self, first: dt.date | None, last: dt.date | None) -> tuple[str | None, str | None]:
        """(citation, note) for a rule of conduct broken between ``first`` and ``last``, in the version then in
        force: the 2012 治安管理处罚法 Art. 42 for 2024 conduct, Art. 50 for 2026 conduct, and both, each for its
        days, when the conduct spans 2026-01-01 (docs/sources.md#psapl-2025). A rule is not cited for conduct before it
        existed: (None, None)."""
        texts = self.texts_for_conduct(first, last)
        if texts is None:
            if self.in_force is None or first is None or last is None or first >= self.in_force:
                return self.cite(), None
            if last < self.in_force:
                return None, None
            return self.cite(), f"仅适用于{date_cn(self.in_force)}起的行为"
        if not texts:
            return None, None
        if len(texts) == 1:
            t = texts[0]
            if t.current and self.in_force and first is not None and first < self.in_force:
                return t.citation, f"仅适用于{date_cn(self.in_force)}起的行为"
            return t.citation, None
        newest = texts[-1]
        older = "；".join(f"{date_cn(t.in_force_to)}及以前的行为适用{t.citation}" for t in texts[:-1] if t.in_force_to)
        return newest.citation, older or None

    def applies_to(
        self, licence_type: str | None, member: bool | None = None, product: str | None = None
    ) -> bool | None:
        """True/False whether the provision binds a lender of this licence type (and, for an association's rules,
        membership ``member``) for this loan ``product``; None when that is unknown."""
        if product is not None and product in self.excludes_products:
            return False
        if self.licence_types:
            if licence_type is None:
                return None
            if licence_type not in self.licence_types:
                return False
        if self.association is not None:
            if licence_type in ("unlicensed", "private"):
                return False
            if member is None:
                return None
            return member
        return True


# --------------------------------------------------------------------------- violations


class ProvisionRef(_Strict):
    provision_id: str
    kind: ProvisionKind
    note_zh: str | None = None  # condition, e.g. "仅当债务为非法债务且情节严重"
    # the condition in the words of one version of the statute (StatuteVersion.id → text), where the versions
    # differ: the 2012 治安 Art. 42(5) covers repeated messages only, never 滋扰、纠缠、跟踪
    notes_by_version: dict[str, str] = Field(default_factory=dict)
    # remedy provisions (role "remedy") this conduct makes available, e.g. the 禁止接触 order of
    # 治安管理处罚法 Art. 50(2), which covers only the 滋扰、纠缠、跟踪 conduct of Art. 50(1)(5)
    remedies: list[str] = Field(default_factory=list)
    # the provision is engaged only if the threatened act is actually carried out (殴打 for a threat of violence,
    # 散布隐私 for a threat to expose): documents list it apart from the rules the conduct may have broken
    if_carried_out: bool = False
    # facts the evidence must show before the provision is cited: "illegal_debt" (the debt is an illegal one — an
    # unlicensed lender or a loan above the caps; 刑法 Art. 293之一 says 催收高利放贷等产生的非法债务), "image" (an
    # image of the borrower was made or spread; 民法典 Art. 1019 protects the portrait)
    requires: list[Literal["illegal_debt", "image"]] = Field(default_factory=list)


class Violation(_Strict):
    id: str
    name_zh: str
    description_zh: str
    severity: Severity
    pattern: bool = False  # detected over the timeline rather than per message
    provisions: list[ProvisionRef]
    bodies: list[str]  # channel ids, in suggested order
    source: str
    confidence: Confidence


# --------------------------------------------------------------------------- conduct rules


class RuleSource(Sourced):
    strength: Strength
    provision_id: str | None = None
    wording_zh: str | None = None  # the rule as reported, in Chinese


class NightWindow(_Strict):
    start: dt.time
    end: dt.time
    consent_lifts: bool
    covers: list[str]  # event channels / collection forms the ban covers
    rules: list[RuleSource]

    def contains(self, t: dt.time) -> bool:
        """True if the wall-clock time falls inside the window (which may wrap midnight)."""
        if self.start <= self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end


class Threshold(Sourced):
    value: int = Field(ge=1)
    per: str  # what the count is per, e.g. "debtor/day"
    counts_zh: str  # what is counted
    soft: bool = False  # "不宜" — should not, rather than must not
    strength: Strength
    provision_id: str | None = None
    wording_zh: str | None = None


class ThirdPartyRule(Sourced):
    id: str
    rule_zh: str
    strength: Strength
    provision_id: str | None = None


class Conduct(_Strict):
    night: NightWindow
    max_connected_voice_per_day: Threshold
    max_attempts_per_method_per_day: Threshold
    third_party: list[ThirdPartyRule]
    home_visit: list[ThirdPartyRule]
    not_a_source: list[str] = Field(default_factory=list)  # sources that must not be cited for hours


# --------------------------------------------------------------------------- channels


class Deadline(Sourced):
    days: int = Field(ge=0)
    unit: Literal["calendar", "working"]
    extensions: list[int] = Field(default_factory=list)  # further days allowed, in order (e.g. [15, 30])
    max_days: int | None = None
    applies_to: list[LicenceType] = Field(default_factory=list)  # empty: all
    starts_zh: str  # when the clock starts
    rule_zh: str  # the rule as its source states it
    summary_zh: str | None = None  # short form for running text, e.g. "15日／30日／再延长30日"
    # True when the rule only says "日" and the tool's calendar-day count is an estimate
    unit_estimated: bool = False
    unit_basis_zh: str | None = None  # why calendar/working (e.g. the rule only says "日")

    @model_validator(mode="after")
    def _check(self) -> Deadline:
        if self.max_days is not None and self.max_days != self.days + sum(self.extensions):
            raise ValueError(
                f"deadline: max_days {self.max_days} != days + extensions {self.days + sum(self.extensions)}"
            )
        if self.unit_estimated and not self.unit_basis_zh:
            raise ValueError("deadline: unit_estimated needs unit_basis_zh saying so")
        return self


class Contact(_Strict):
    hotline: str | None = None
    hotline_note_zh: str | None = None
    portal: str | None = None
    app: str | None = None
    wechat: str | None = None
    address_zh: str | None = None  # how to find the address / where to go

    @property
    def address(self) -> str | None:
        return self.address_zh


class Handles(_Strict):
    licence_types: list[LicenceType]
    violations: list[str]


class Channel(Sourced):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name_zh: str
    body: str
    kind: Literal["lender", "regulator", "self_regulatory", "telecom", "police", "court", "credit"]
    handles: Handles
    scope_zh: str
    contact: Contact
    prepare: list[str]
    prerequisite_zh: str | None = None
    deadline: Deadline | None = None
    extra_deadlines: list[Deadline] = Field(default_factory=list)
    deadline_note_zh: str | None = None
    form_max_chars: int | None = None
    order: int
    documents: list[str] = Field(default_factory=list)  # document ids the action area drafts for it
    not_for_zh: str | None = None


# --------------------------------------------------------------------------- interest rules


class Cap(Sourced):
    id: str
    name_zh: str
    kind: Literal["lpr_multiple", "fixed"]
    rate: float | None = Field(default=None, gt=0, lt=1)  # fixed annual rate as a decimal
    multiple: float | None = None  # for lpr_multiple
    lpr_at: Literal["contract", "filing"] | None = None
    verdict: str  # verdict code when the APR is above this cap
    effect_zh: str
    interpretation: bool = False  # a practitioners' reading, not statutory text
    enforceable: bool = True  # used as the lawful rate for "amount lawfully owed"
    # the rate is applied only if the borrower asks a court (法发〔2017〕22号): figures based on it are estimates
    on_request: bool = False
    # interest already paid up to this rate stands; only payments above it can be claimed back (2015 rules:
    # 24 %–36 % was a natural obligation: not enforceable, not refundable once paid)
    refund_line: bool = False

    @model_validator(mode="after")
    def _check(self) -> Cap:
        if self.kind == "fixed" and self.rate is None:
            raise ValueError(f"cap {self.id}: fixed cap needs rate")
        if self.kind == "lpr_multiple" and (self.multiple is None or self.lpr_at is None):
            raise ValueError(f"cap {self.id}: lpr_multiple cap needs multiple and lpr_at")
        return self


class Regime(Sourced):
    id: str
    name_zh: str
    licence_types: list[LicenceType]
    contract_from: dt.date | None = None
    contract_before: dt.date | None = None
    caps: list[str]  # cap ids, low to high
    transition_from: dt.date | None = None  # Art. 31: interest from this date uses transition_cap
    transition_cap: str | None = None
    note_zh: str
    # what a loan check under this regime says (sources as the regime's): the note when the transition cap is
    # applied ({as_of}: the date computed at, standing in for the filing date); the note when interest between the
    # two old lines is kept but not enforceable; notes for every loan under the regime
    transition_note_zh: str | None = None
    settle_note_zh: str | None = None
    check_notes_zh: list[str] = Field(default_factory=list)


class InterestRule(Sourced):
    id: str
    name_zh: str
    rule_zh: str
    provision_ids: list[str] = Field(default_factory=list)


class Verdict(_Strict):
    code: str
    name_zh: str
    rank: int


class InterestRules(_Strict):
    caps: dict[str, Cap]
    regimes: list[Regime]
    rules: dict[str, InterestRule]
    verdicts: list[Verdict]
    day_count: int = 365
    payment_order_zh: str
    payment_order_source: str
    payment_order_confidence: Confidence

    @field_validator("caps", "rules", mode="before")
    @classmethod
    def _by_id(cls, v: object) -> object:
        """The data file lists caps and rules; the model keys them by id."""
        if isinstance(v, list):
            return {item["id"]: item for item in v}
        return v


# --------------------------------------------------------------------------- LPR


class LprFixing(Sourced):
    date: dt.date
    rate: float = Field(gt=0, lt=0.2)  # 1-year LPR as a decimal, 0.03 = 3.00 %
    change: bool = True  # False: a fixing that confirms the previous rate


class LprTable(_Strict):
    known_through: dt.date
    known_through_source: str
    stale_after_days: int = 45
    fixings: list[LprFixing]
    live_sources: list[str]


# --------------------------------------------------------------------------- lenders


class Lender(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    entity: str | None = None  # legal name of the licensed entity
    former_names: list[str] = Field(default_factory=list)
    brands: list[str] = Field(default_factory=list)  # brand, app and product names
    licence_type: LicenceType
    regulator: str
    channels: list[str]  # channel ids
    hotline: str | None = None
    nifa_member: bool | None = None
    cba_member: bool | None = None  # 中国银行业协会 member (binds the CBA guideline); None: unknown
    note_zh: str | None = None
    source: str
    confidence: Confidence  # of the licence status and entity
    brand_confidence: Confidence = "unverified"  # brand/app names are mostly unverified
    name_suffix_verified: bool = False

    def names(self) -> list[str]:
        return [n for n in [self.entity, *self.former_names, *self.brands] if n]

    @property
    def aliases(self) -> list[str]:
        """Brand, app, product and former names (everything but the legal entity)."""
        return [*self.brands, *self.former_names]


class NamePattern(_Strict):
    id: str
    contains: list[str]
    implies_licence: LicenceType | None = None
    flag_zh: str | None = None
    source: str
    confidence: Confidence


class CheckMethod(Sourced):
    text_zh: str


class UnlistedRoute(_Strict):
    regulator_zh: str
    channels: list[str]


class Unlisted(Sourced):
    """What ``weiquan lender check`` says of a name the registry does not list: the flag, the channels, and for a
    licence type the name claims (``NamePattern.implies_licence``) the regulator and channels of that type."""

    flag_zh: str
    channels: list[str]
    by_claimed_licence: dict[LicenceType, UnlistedRoute] = Field(default_factory=dict)


class LenderRegistry(_Strict):
    as_of: dt.date
    # words in a lender's or product's name that tell the loan product ("信用卡" → credit_card), for norms that
    # leave a product out of their scope (Binds.excludes_products)
    product_words: dict[Product, list[str]] = Field(default_factory=dict)
    registry_note_zh: str
    how_to_check: list[CheckMethod]
    lenders: list[Lender]
    patterns: list[NamePattern]
    unlisted: Unlisted
