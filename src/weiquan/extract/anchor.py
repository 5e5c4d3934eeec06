"""When was a screenshot taken? From its file name, its EXIF data, or (flagged) the import time.

Screens show times without a year ("10-28") or relative to today ("昨天 21:47"); they are
resolved against this capture time. The returned basis says where the time came from:
``file_name`` (e.g. ``Screenshot_20261030-214733.png``, MIUI ``Screenshot_2023-10-30-15-25-43-123_…``,
Huawei ``Screenshot_20231030_152543_…``, WeChat ``微信图片_20231030152543``), ``exif``
(DateTimeOriginal / DateTime), ``status_bar`` (a full date in the phone's status bar or pulled-down
shade, e.g. "2026年3月20日 22:47"), ``status_bar_day`` (the status bar shows month and day only: the
year comes from the import time, so the result is flagged), or ``import_time`` (nothing better:
flagged). Events resolved against a flagged anchor are marked ``date_unconfirmed`` by the extractor
and wait for the user to confirm their date (services.dates).
"""

from __future__ import annotations

from dataclasses import dataclass
import datetime as dt
from pathlib import Path
import re
from zoneinfo import ZoneInfo

from PIL import Image

from weiquan.extract.timeparse import find_time, parse_time_text

# yyyy mm dd, separator, HH MM SS: 20261030-214733, 2023-10-30-15-25-43, 20231030_152543, 20231030152543
_NAME_PATTERNS = [
    re.compile(
        r"(?<!\d)(?P<y>20\d\d)[-_.]?(?P<mo>[01]\d)[-_.]?(?P<d>[0-3]\d)[-_. ]?(?P<h>[0-2]\d)[-_.:]?(?P<mi>[0-5]\d)[-_.:]?(?P<s>[0-5]\d)(?!\d{3,})"
    ),
]
_EXIF_DATETIME_ORIGINAL = 0x9003
_EXIF_DATETIME = 0x0132
_EXIF_IFD = 0x8769


@dataclass(frozen=True)
class CaptureTime:
    local: dt.datetime  # naive wall-clock in the source time zone
    basis: str  # file_name|exif|status_bar|status_bar_day|import_time

    @property
    def flagged(self) -> bool:
        """True when the anchor's date is not fully shown by the screenshot (dates must be confirmed)."""
        return self.basis in ("import_time", "status_bar_day")


def from_file_name(name: str) -> dt.datetime | None:
    stem = Path(name).name
    for pat in _NAME_PATTERNS:
        for m in pat.finditer(stem):
            try:
                return dt.datetime(int(m["y"]), int(m["mo"]), int(m["d"]), int(m["h"]), int(m["mi"]), int(m["s"]))
            except ValueError:
                continue
    return None


def from_exif(path: Path) -> dt.datetime | None:
    try:
        with Image.open(path) as im:
            exif = im.getexif()
    except Exception:  # noqa: BLE001 - unreadable EXIF is simply absent
        return None
    if not exif:
        return None
    values = []
    try:
        values.append(exif.get_ifd(_EXIF_IFD).get(_EXIF_DATETIME_ORIGINAL))
    except Exception:  # noqa: BLE001 - an unreadable EXIF block is simply absent
        pass
    values.append(exif.get(_EXIF_DATETIME))
    for v in values:
        if isinstance(v, bytes):
            v = v.decode("ascii", "ignore")
        if isinstance(v, str):
            try:
                return dt.datetime.strptime(v.strip().rstrip("\x00")[:19], "%Y:%m:%d %H:%M:%S")
            except ValueError:
                continue
    return None


def from_status_bar(texts: list[str]) -> tuple[int | None, int, int, int, int] | None:
    """(year or None, month, day, hour, minute) of a date shown in the status bar lines, else None."""

    for t in texts:
        tok = parse_time_text(t)
        if tok is None:
            found = find_time(t)
            if found is None:
                continue
            tok = found[0]
        if tok.month is not None and tok.day is not None:
            return tok.year, tok.month, tok.day, tok.hour or 0, tok.minute or 0
    return None


def _status_capture(status: tuple[int | None, int, int, int, int], imported: dt.datetime) -> CaptureTime | None:
    year, month, day, hour, minute = status
    try:
        if year is not None:
            return CaptureTime(dt.datetime(year, month, day, hour, minute), "status_bar")
        local = dt.datetime(imported.year, month, day, hour, minute)
        if local > imported + dt.timedelta(days=1):
            local = local.replace(year=imported.year - 1)
        return CaptureTime(local, "status_bar_day")
    except ValueError:
        return None


def capture_time(
    names: list[str], path: Path | None, imported_at: dt.datetime, tz: str, status_bar: list[str] | None = None
) -> CaptureTime:
    """Best capture time: any of the file's names, then EXIF, then a date in the status bar, else the
    import time (flagged)."""
    for n in names:
        if n:
            t = from_file_name(n)
            if t is not None:
                return CaptureTime(t, "file_name")
    if path is not None:
        t = from_exif(path)
        if t is not None:
            return CaptureTime(t, "exif")
    local = imported_at.astimezone(ZoneInfo(tz)).replace(tzinfo=None)
    status = from_status_bar(status_bar or [])
    if status is not None:
        cap = _status_capture(status, local)
        if cap is not None:
            return cap
    return CaptureTime(local, "import_time")
