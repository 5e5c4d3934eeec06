"""Call-recording file names from Chinese OEM dialers → number, contact name, start time (docs/sources.md#format-recording-names).

The name holds the phone's local wall-clock time (no zone) at the start of the recording.
Patterns are tried in order; the generic scan is the last resort. The vendor label says which
pattern matched (several vendors share a shape, so it is a hint, not proof of the phone brand).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

AUDIO_EXTENSIONS = (".m4a", ".mp3", ".amr", ".aac", ".wav", ".3gp", ".3gpp", ".opus", ".ogg", ".awb")

_NUM = r"\+?[0-9][0-9 ]{1,22}[0-9]"
_TS14 = r"(?P<ts>\d{14})"
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # MIUI / HyperOS: 张三(13800138000)_20231030123456 ; old MIUI: 通话录音@张三(008613800138000)_20231030123456
    (
        "xiaomi",
        re.compile(
            r"^(?:(?P<prefix>[^@()]+)@)?(?P<name>[^()]*?)\((?P<num>[0-9+ps*# ]{3,30})\)(?:_[^()_]*\([0-9+ps*#]{3,30}\))*_"
            + _TS14
            + r"$"
        ),
    ),
    # Huawei/Honor EMUI <= 9: 张三@13800138000_20231030123456
    ("huawei_old", re.compile(r"^(?P<name>[^@]+)@(?P<num>" + _NUM + r")_" + _TS14 + r"$")),
    # Samsung: Call recording 张三_231030_123456
    ("samsung", re.compile(r"^(?:Call recording|通话录音) (?P<who>.+?)_(?P<d>\d{6})_(?P<t>\d{6})$")),
    # Huawei/Honor EMUI 10+ / HarmonyOS: 张三 13800138000_20231030123456
    ("huawei_new", re.compile(r"^(?P<name>.*?\D) (?P<num>\+?\d{3,20})_" + _TS14 + r"$")),
    # OPPO/ColorOS: 张三_13800138000_20231030123456
    ("oppo", re.compile(r"^(?P<name>.*?\D)_(?P<num>\+?\d{3,20})_" + _TS14 + r"$")),
    # vivo/OriginOS (reported): 13800138000 2023-10-30 12-34-56 ; 张三_13800138000_2023-10-30_12-34-56
    (
        "vivo",
        re.compile(
            r"^(?:(?P<name>.*?\D)[ _])?(?P<num>\+?\d{3,20})[ _](?P<d>\d{4}-\d{2}-\d{2})[ _](?P<t>\d{2}-\d{2}-\d{2})$"
        ),
    ),
    # generic and Huawei without contact: 13800138000_20231030123456
    ("generic", re.compile(r"^(?P<num>\+?\d{3,20})_" + _TS14 + r"$")),
    # Huawei new with contact only: 张三_20231030123456
    ("name_only", re.compile(r"^(?P<name>[^_]*\D[^_]*)_" + _TS14 + r"$")),
)
_SCAN_NUM = re.compile(
    r"(?<!\d)(?:(?:\+?86|0086)?1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|95\d{3,4}|96\d{3,4}|400\d{7}|106\d{5,15})(?!\d)"
)
_SCAN_TS = (
    re.compile(r"(?<!\d)(\d{14})(?!\d)"),
    re.compile(r"(?<!\d)(\d{8})[_-](\d{6})(?!\d)"),
    re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})[ _-](\d{2})[-:](\d{2})[-:](\d{2})(?!\d)"),
)


@dataclass(frozen=True)
class RecordingName:
    vendor: str
    number: str | None  # as written in the name, MIUI escapes undone (p → ",", s → "*")
    name: str | None
    wallclock: str  # the date-time text exactly as in the file name
    when: dt.datetime  # naive local time


def _ts(text: str) -> dt.datetime | None:
    digits = re.sub(r"\D", "", text)
    if len(digits) == 12:  # Samsung yyMMddHHmmss
        digits = "20" + digits
    if len(digits) != 14:
        return None
    try:
        return dt.datetime.strptime(digits, "%Y%m%d%H%M%S")
    except ValueError:
        return None


def _clean_name(name: str | None, number: str | None) -> str | None:
    if not name:
        return None
    n = name.strip()
    if not n or (number and re.sub(r"\D", "", n) == re.sub(r"\D", "", number) and not re.search(r"[^\d+ ]", n)):
        return None
    return n[:200]


def stem_of(filename: str) -> str:
    base = PurePosixPath(filename.replace("\\", "/").split("!/")[-1]).name
    for ext in AUDIO_EXTENSIONS:
        if base.lower().endswith(ext):
            return base[: -len(ext)]
    return base.rsplit(".", 1)[0] if "." in base else base


def parse_recording_name(filename: str) -> RecordingName | None:
    """Parse a recording's file name (path and extension allowed); None when no time is found."""
    stem = stem_of(filename).strip()
    for vendor, rx in PATTERNS:
        m = rx.match(stem)
        if not m:
            continue
        g = m.groupdict()
        if vendor == "samsung":
            wall = f"{g['d']}_{g['t']}"
            who = g["who"].strip()
            num, name = (who, None) if re.fullmatch(r"\+?[\d ]{3,20}", who) else (None, who)
        elif vendor == "vivo":
            wall = f"{g['d']} {g['t']}"
            num, name = g.get("num"), g.get("name")
        else:
            wall, num, name = g["ts"], g.get("num"), g.get("name")
        when = _ts(wall)
        if when is None:
            continue
        if num is not None:
            num = num.replace(" ", "")
            if vendor == "xiaomi":
                num = num.replace("p", ",").replace("s", "*")
        return RecordingName(vendor, num or None, _clean_name(name, num), wall, when)
    return _scan(stem)


def _scan(stem: str) -> RecordingName | None:
    when = None
    wall = ""
    for rx in _SCAN_TS:
        m = rx.search(stem)
        if m:
            wall = m.group(0)
            when = _ts(wall)
            if when:
                break
    if when is None:
        return None
    rest = stem.replace(wall, " ")
    nm = _SCAN_NUM.search(rest)
    return RecordingName("scan", nm.group(0) if nm else None, None, wall, when)


def find_number(text: str) -> str | None:
    """The first phone-number-like token in a file name (mobile, landline, 95/96/400/106)."""
    m = _SCAN_NUM.search(text)
    return m.group(0) if m else None


# Screenshot capture times (docs/sources.md#format-screenshot-names): MIUI Screenshot_2023-10-30-15-25-43-123_pkg ; Huawei Screenshot_20231030_152543_pkg
_SHOT = (
    re.compile(r"Screenshot_(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})(?:-\d+)?(?:_(?P<pkg>[\w.]+))?"),
    re.compile(r"Screenshot_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})(?:_(?P<pkg>[\w.]+))?"),
)


def parse_screenshot_name(filename: str) -> tuple[dt.datetime, str | None] | None:
    base = PurePosixPath(filename.replace("\\", "/").split("!/")[-1]).name
    base = (
        base.rsplit(".", 1)[0]
        if "." in base and base.rsplit(".", 1)[1].lower() in ("jpg", "jpeg", "png", "webp", "heic")
        else base
    )
    for rx in _SHOT:
        m = rx.search(base)
        if m:
            try:
                when = dt.datetime(*(int(m.group(i)) for i in range(1, 7)))
            except ValueError:
                return None
            return when, m.group("pkg")
    return None
