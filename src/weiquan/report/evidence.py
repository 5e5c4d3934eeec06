"""The files of a case's evidence package and what they are called in it (read from the store by
``weiquan.services.evidence.case_evidence``; nothing here touches the store).

Originals are numbered ``E001``, ``E002`` … in import order (first acquisition for the
case, the order the 证据目录 uses); derived artefacts are numbered after their source (``E001-D1``).
Text derivations (OCR, transcripts) are always packaged because the case report
quotes them; other derived artefacts (attachments, conversions) only on request.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

TEXT_DERIVATIONS = frozenset({"ocr", "asr", "transcript", "text"})
EXT_BY_TYPE = {  # the extension a derived file gets in the package, by media type
    "application/json": ".json",
    "text/plain": ".txt",
    "text/html": ".html",
    "text/xml": ".xml",
    "application/xml": ".xml",
    "text/csv": ".csv",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "audio/wav": ".wav",
    "audio/mpeg": ".mp3",
    "application/pdf": ".pdf",
}
_BAD_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_MAX_NAME_BYTES = 150


@dataclass
class EvidenceItem:
    """One file of the package (an original or a derived artefact)."""

    label: str
    evidence_id: int
    sha256: str
    size: int
    media_type: str | None
    kind: str  # original|derived
    path: str
    names: list[str] = field(default_factory=list)
    acquired_at: dt.datetime | None = None
    source_device: str | None = None
    ledger_seq: int | None = None
    derivation: str | None = None
    source_label: str | None = None
    source_sha256: str | None = None

    @property
    def display_name(self) -> str:
        return self.names[0] if self.names else self.path.rsplit("/", 1)[-1]


def safe_name(name: str | None, fallback: str = "file") -> str:
    """A file name that is safe on every OS and inside a ZIP; keeps Chinese characters."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1]).strip()
    name = _BAD_CHARS.sub("_", name).strip(". ") or fallback
    if len(name.encode("utf-8")) > _MAX_NAME_BYTES:
        stem, dot, ext = name.rpartition(".")
        ext = ("." + ext) if dot and len(ext) <= 10 else ""
        base = stem if dot and ext else name
        while len((base + ext).encode("utf-8")) > _MAX_NAME_BYTES:
            base = base[:-1]
        name = base + ext
    return name
