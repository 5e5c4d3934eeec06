"""Phone-number normalisation for mainland-China evidence (docs/sources.md#format-numbers).

``normalize_number(raw)`` keeps the raw string and returns:

- ``national``: the digits as dialled inside China (``13800138000``, ``075512345678``, ``95588``);
- ``e164``: ``+8613800138000`` for mobile/landline/hotline numbers phonenumbers accepts, the
  international form for foreign numbers, else ``None``;
- ``key``: what the timeline stores as the counterpart (E.164 when known, else the national digits,
  else the lower-cased alphanumeric sender id);
- ``kind``: one of :data:`NUMBER_KINDS` (classification rules in ``data/numbering.yaml``);
- ``carrier`` / ``region`` in Chinese where phonenumbers knows them;
- ``post_dial``: digits after ``,``/``p``/``;``/``w`` split off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import phonenumbers
import yaml

# phonenumbers' carrier and geocoder tables (~40 MB of Python dicts, ~1 s and ~100 MB RSS to load)
# are imported on first use, so processes that never normalise a number (web UI, analysis, report)
# do not pay for them when the plug-ins are loaded.


@cache
def _pn_lookup() -> tuple[Any, Any]:
    from phonenumbers import carrier as pn_carrier
    from phonenumbers import geocoder as pn_geocoder

    return pn_carrier, pn_geocoder


NUMBER_KINDS = (
    "mobile",
    "mvno",
    "iot",
    "landline",
    "service_95",
    "service_96",
    "hotline_400_800",
    "sms_gateway_106",
    "carrier_10",
    "gov_12",
    "short_code",
    "intl",
    "alnum",
    "withheld",
    "unknown",
)

_FULLWIDTH = str.maketrans(
    {chr(0xFF10 + i): str(i) for i in range(10)} | {"＋": "+", "（": "(", "）": ")", "－": "-", "　": " "}
)
_SEPARATORS = re.compile(r"[\s\-().·/]")
_POST_DIAL = re.compile(r"[,;pPwW]")
_WITHHELD = {
    "",
    "(unknown)",
    "-1",
    "-2",
    "-3",
    "unknown",
    "private",
    "anonymous",
    "withheld",
    "null",
    "未知号码",
    "私人号码",
    "未知",
    "insert-address-token",
}


@dataclass(frozen=True)
class NumberInfo:
    raw: str | None
    national: str | None
    e164: str | None
    key: str | None
    kind: str
    carrier: str | None = None
    region: str | None = None
    post_dial: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@cache
def _rules() -> tuple[tuple[str, re.Pattern[str]], ...]:
    data = yaml.safe_load(resources.files("weiquan.ingest").joinpath("data/numbering.yaml").read_text("utf-8"))
    return tuple((c["kind"], re.compile(c["pattern"])) for c in data["classes"])


@cache
def _ip_prefixes() -> tuple[str, ...]:
    data = yaml.safe_load(resources.files("weiquan.ingest").joinpath("data/numbering.yaml").read_text("utf-8"))
    return tuple(data["ip_dial_prefixes"]["values"])


def classify_national(digits: str) -> str:
    """Number kind of a national (China) digit string."""
    for kind, rx in _rules():
        if rx.match(digits):
            return kind
    return "unknown"


def _strip_ip_prefix(digits: str) -> str:
    for p in _ip_prefixes():
        rest = digits[len(p) :]
        if digits.startswith(p) and (re.fullmatch(r"1[3-9]\d{9}", rest) or re.fullmatch(r"0[1-9]\d{8,10}", rest)):
            return rest
    return digits


def _to_national(s: str) -> tuple[str | None, bool]:
    """(national digits, is_foreign) for a cleaned string of digits with optional leading +."""
    if s.startswith("+"):
        body = s[1:]
        if body.startswith("86"):
            return _after_country_code(body[2:]), False
        return body, True
    if s.startswith("0086"):
        return _after_country_code(s[4:]), False
    if s.startswith("00") and len(s) > 4:
        return s[2:], True
    if s.startswith("86") and len(s) == 13 and s[2] == "1":
        return s[2:], False
    return s, False


def _after_country_code(rest: str) -> str:
    """National form of what follows +86: mobiles and service numbers as-is, landlines regain their 0."""
    rest = rest.lstrip("0") if len(rest) > 11 else rest
    if re.fullmatch(r"1[3-9]\d{9}|14[0-4]\d{10}", rest) or rest.startswith(("400", "800", "95", "96", "106")):
        return rest
    if len(rest) >= 9:
        return "0" + rest
    return rest


@lru_cache(maxsize=65536)
def normalize_number(raw: str | None) -> NumberInfo:
    """Normalise one counterpart number as found in an export or a file name (cached)."""
    if raw is None:
        return NumberInfo(None, None, None, None, "withheld")
    text = raw.strip().translate(_FULLWIDTH)
    if text.lower() in _WITHHELD:
        return NumberInfo(raw, None, None, None, "withheld")
    m = _POST_DIAL.search(text)
    post_dial = None
    if m and re.search(r"\d", text[: m.start()]):
        post_dial, text = text[m.start() :], text[: m.start()]
    cleaned = _SEPARATORS.sub("", text)
    if not re.fullmatch(r"\+?[\d*#]+", cleaned):
        # alphanumeric sender id (BOC, an e-mail handle of iMessage, an RCS group id)
        key = cleaned.lower()[:40] if cleaned else None
        return NumberInfo(raw, None, None, key, "alnum" if key else "unknown", post_dial=post_dial)
    cleaned = cleaned.replace("*", "").replace("#", "") if re.search(r"\d{5}", cleaned) else cleaned
    national, foreign = _to_national(cleaned)
    if not national or not national.isdigit():
        return NumberInfo(raw, None, None, cleaned[:40] or None, "unknown", post_dial=post_dial)
    if foreign:
        return _foreign(raw, national, post_dial)
    national = _strip_ip_prefix(national)
    kind = classify_national(national)
    e164 = carrier = region = None
    if kind in ("mobile", "mvno", "landline", "hotline_400_800", "iot"):
        try:
            pn = phonenumbers.parse(national, "CN")
        except phonenumbers.NumberParseException:
            pn = None
        if pn is not None and phonenumbers.is_possible_number(pn):
            e164 = phonenumbers.format_number(pn, phonenumbers.PhoneNumberFormat.E164)
            if phonenumbers.is_valid_number(pn):
                pn_carrier, pn_geocoder = _pn_lookup()
                carrier = pn_carrier.name_for_number(pn, "zh") or None
                region = pn_geocoder.description_for_number(pn, "zh") or None
                if region == "中国":
                    region = None
    key = e164 or national
    return NumberInfo(raw, national, e164, key[:40], kind, carrier, region, post_dial)


def _foreign(raw: str, digits: str, post_dial: str | None) -> NumberInfo:
    try:
        pn = phonenumbers.parse("+" + digits, None)
    except phonenumbers.NumberParseException:
        return NumberInfo(raw, None, None, ("+" + digits)[:40], "intl", post_dial=post_dial)
    e164 = phonenumbers.format_number(pn, phonenumbers.PhoneNumberFormat.E164)
    pn_geocoder = _pn_lookup()[1]
    region = pn_geocoder.description_for_number(pn, "zh") or None if phonenumbers.is_valid_number(pn) else None
    return NumberInfo(raw, None, e164, e164[:40], "intl", None, region, post_dial)


def number_query_key(text: str) -> str | None:
    """The counterpart key a user-typed number (``--number``) matches in the timeline."""
    return normalize_number(text).key


@lru_cache(maxsize=4096)
def display_number(number: str | None) -> str:
    """A stored number as people in China write it: '154 0000 0011', '0755 0000 1234'; foreign numbers keep
    +CC; short codes and unparsed text as given. The pages, charts and CLI show numbers this one way."""
    if not number:
        return ""
    if not number.startswith("+"):
        return number
    try:
        n = phonenumbers.parse(number, "CN")
    except phonenumbers.NumberParseException:
        return number
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if n.country_code == 86
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(n, fmt)
