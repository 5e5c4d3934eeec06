"""The law pack's sources: every ``source`` in ``law/cn/*.yaml`` names entries of ``law/cn/sources.yaml``.

A source is ``id`` or ``id 第N条`` (the entry and a pinpoint), several joined by "；". Each entry names the primary
publication, where its text was read, and whether a primary text confirmed it; ``docs/sources.md#law-pack-sources``
is generated from the same file (``make docs``), so anyone with the repository can check every fact. When the pack
loads, a source is printed as the entries' Chinese titles, an unconfirmed entry marked 〔未核实〕.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from weiquan.errors import ProblemFound

SOURCES_FILE = "sources.yaml"
UNVERIFIED_ZH = "〔未核实〕"
_TOKEN = re.compile(r"^([a-z0-9][a-z0-9-]*)(?: (\S.*))?$")


@dataclass(frozen=True)
class Source:
    id: str
    title_zh: str
    primary: str
    read: str
    confirmed: bool
    kind: str = "source"  # "rule": the tool's own rule of thumb, not a legal fact

    def cite_zh(self, pinpoint: str = "") -> str:
        mark = "" if self.confirmed or UNVERIFIED_ZH in self.title_zh else UNVERIFIED_ZH
        return f"{self.title_zh}{pinpoint}{mark}"


@functools.lru_cache(maxsize=4)
def load_sources(pack_dir: Path) -> dict[str, Source]:
    """The entries of ``pack_dir/sources.yaml`` by id."""
    path = pack_dir / SOURCES_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return {
            sid: Source(
                id=sid,
                title_zh=str(e["title_zh"]),
                primary=str(e["primary"]),
                read=str(e["read"]),
                confirmed=bool(e["confirmed"]),
                kind=str(e.get("kind", "source")),
            )
            for sid, e in data["sources"].items()
        }
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError) as e:
        raise ProblemFound(f"法律数据来源表无法读取：{path.name}", f"law pack sources unreadable: {path}: {e}") from e


def refs(text: str) -> list[tuple[str, str]]:
    """``(id, pinpoint)`` of each part of a source; a part that is not of the form ``id[ pinpoint]`` gives
    ``("", part)``."""
    out: list[tuple[str, str]] = []
    for part in text.split("；"):
        m = _TOKEN.match(part.strip())
        out.append((m.group(1), m.group(2) or "") if m else ("", part))
    return out


def cite_zh(text: str, sources: Mapping[str, Source]) -> str:
    """A source as printed: each entry's Chinese title and pinpoint; a part naming no entry is kept as written."""
    return "；".join(
        sources[sid].cite_zh(pin) if sid in sources else (f"{sid} {pin}".strip() if sid else pin)
        for sid, pin in refs(text)
    )


def is_source_key(key: str) -> bool:
    return key == "source" or key.endswith("_source")


def resolve(data: Any, sources: Mapping[str, Source]) -> Any:
    """``data`` (a law-pack file as read) with every source field printed by :func:`cite_zh`."""
    if isinstance(data, dict):
        return {
            k: cite_zh(v, sources) if is_source_key(str(k)) and isinstance(v, str) else resolve(v, sources)
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [resolve(v, sources) for v in data]
    return data


def source_fields(data: Any, where: str = "") -> list[tuple[str, str]]:
    """Every ``(location, text)`` source field of a law-pack file as read."""
    out: list[tuple[str, str]] = []
    if isinstance(data, dict):
        for k, v in data.items():
            loc = f"{where}.{k}" if where else str(k)
            if is_source_key(str(k)) and isinstance(v, str):
                out.append((loc, v))
            else:
                out.extend(source_fields(v, loc))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out.extend(source_fields(v, f"{where}[{i}]"))
    return out


def confidence_problems(data: Any, sources: Mapping[str, Source], where: str = "") -> list[str]:
    """Rows of a law-pack file (as read) whose ``confidence`` claims more than their sources support.

    The rule: a row is only as sure as what its sources confirm. A row none of whose sources is confirmed by a
    primary text is ``unverified`` (printed 〔未核实〕); a row claiming ``verified`` names only confirmed sources
    (with an unconfirmed one among them it is at most ``single-source``, and that source is printed 〔未核实〕 by
    :func:`cite_zh`); a row whose sources are all confirmed legal sources is not ``unverified`` (the tool's own
    rules of thumb, ``kind: rule``, may be). ``X_source`` pairs with ``X_confidence``; a row without its own
    ``source`` or ``confidence`` takes its parent's (a statute's provisions)."""
    out: list[str] = []
    _check_rows(data, sources, where, None, None, out)
    return out


def _check_rows(
    data: Any, sources: Mapping[str, Source], where: str, source: str | None, conf: str | None, out: list[str]
) -> None:
    if isinstance(data, list):
        for i, v in enumerate(data):
            _check_rows(v, sources, f"{where}[{i}]", source, conf, out)
        return
    if not isinstance(data, dict):
        return
    source = data["source"] if isinstance(data.get("source"), str) else source
    conf = data["confidence"] if isinstance(data.get("confidence"), str) else conf
    pairs = [("source", source, conf)] if "source" in data or "confidence" in data else []
    pairs += [
        (k, v, data.get(k[: -len("source")] + "confidence"))
        for k, v in data.items()
        if str(k).endswith("_source") and isinstance(v, str)
    ]
    for key, text, claimed in pairs:
        if not text or not claimed:
            continue
        named = [sources[sid] for sid, _ in refs(text) if sid in sources]
        if not named:
            continue
        loc = f"{where}.{key}" if where else key
        confirmed = [s.confirmed for s in named]
        if not any(confirmed) and claimed != "unverified":
            out.append(f"{loc}: {claimed}, but no source it names is confirmed ({text})")
        elif claimed == "verified" and not all(confirmed):
            out.append(f"{loc}: verified, but it names an unconfirmed source ({text})")
        elif claimed == "unverified" and all(confirmed) and all(s.kind != "rule" for s in named):
            out.append(f"{loc}: unverified, but every source it names is confirmed ({text})")
    for k, v in data.items():
        if isinstance(v, (dict, list)):
            _check_rows(v, sources, f"{where}.{k}" if where else str(k), source, conf, out)
