"""Message text helpers: the 【签名】 signature, "null" strings, invalid characters."""

from __future__ import annotations

import re

# A signature is a 【…】 (or [..] written by some gateways) at the start or the end of an SMS.
_SIG_START = re.compile(r"^\s*【([^【】\n]{1,40})】")
_SIG_END = re.compile(r"【([^【】\n]{1,40})】\s*$")
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def extract_signature(text: str | None) -> str | None:
    """The sender's claimed identity from a 【…】 signature at the start or end of an SMS."""
    if not text:
        return None
    m = _SIG_START.match(text) or _SIG_END.search(text)
    return m.group(1).strip() or None if m else None


def null_to_none(value: str | None) -> str | None:
    """SyncTech and Android write the literal "null" for SQL NULL; treat it and "" as missing."""
    if value is None:
        return None
    if len(value) > 6 and not value[0].isspace() and not value[-1].isspace():
        return value  # fast path: a real value (message bodies, names)
    v = value.strip()
    return None if v == "" or v.lower() == "null" else value


def clean_text(value: str | None) -> str | None:
    """Drop characters that cannot be stored (lone surrogates, C0 controls other than tab/newline)."""
    if value is None:
        return None
    if value.isprintable():  # no controls, surrogates or non-characters: the common case, checked in C
        return value
    return _BAD_CHARS.sub("\ufffd", value)
