"""Media-type sniffing from magic bytes (never from the file name)."""

from __future__ import annotations

import codecs
from pathlib import Path

_MAGIC: list[tuple[int, bytes, str]] = [
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"GIF8", "image/gif"),
    (0, b"BM", "image/bmp"),
    (0, b"SQLite format 3\x00", "application/vnd.sqlite3"),
    (0, b"PK\x03\x04", "application/zip"),
    (0, b"%PDF-", "application/pdf"),
    (0, b"#!AMR-WB\n", "audio/amr-wb"),
    (0, b"#!AMR\n", "audio/amr"),
    (0, b"ID3", "audio/mpeg"),
    (0, b"OggS", "audio/ogg"),
    (0, b"fLaC", "audio/flac"),
    (0, b"bplist00", "application/x-bplist"),
]


def sniff_bytes(head: bytes) -> str:
    """Best-effort media type of content starting with ``head`` (>= 64 bytes advised)."""
    if not head:
        return "application/x-empty"
    for off, magic, mt in _MAGIC:
        if head[off : off + len(magic)] == magic:
            return mt
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis", b"hevc"):
            return "image/heic"
        if brand[:3] == b"3gp" or brand[:3] == b"3g2":
            return "audio/3gpp"
        return "audio/mp4"
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xF6) == 0xF0:
        return "audio/aac"
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0:
        return "audio/mpeg"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<?xml") or stripped.startswith(b"<"):
        return "application/xml"
    if stripped.startswith(b"BEGIN:VMSG") or stripped.startswith(b"BEGIN:VCARD"):
        return "text/x-vmsg"
    enc = text_encoding(head)
    if enc == "utf-8":
        return "text/plain"
    if enc == "gb18030":
        return "text/plain; charset=gb18030"
    return "application/octet-stream"


def decodes_as(head: bytes, encoding: str) -> bool:
    """Whether ``head`` is a valid prefix of text in ``encoding``.

    The sample is decoded incrementally, so a multi-byte character cut by the end of the sample
    is left pending instead of counting as an error (wherever the sample boundary falls).
    """
    try:
        codecs.getincrementaldecoder(encoding)(errors="strict").decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def text_encoding(head: bytes) -> str | None:
    """ "utf-8" or "gb18030" if ``head`` is the start of text in that encoding, else None."""
    for enc in ("utf-8", "gb18030"):
        if decodes_as(head, enc):
            return enc
    return None


def sniff_file(path: Path, n: int = 4096) -> str:
    with open(path, "rb") as f:
        return sniff_bytes(f.read(n))
