"""Column mapping: which input column holds the text, the company, the date, the amount and the row id.

Headers are matched against ``data/columns.yaml`` (Chinese and English names) after normalisation;
``--map field=header`` (or ``field=N`` for a 1-based column number) overrides the guess. A corpus without
a text column is refused before any work starts, with the headers that were found.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from weiquan.errors import InputError
from weiquan.zh.steps import Note

DATA = Path(__file__).parent / "data" / "columns.yaml"
_STRIP = re.compile(r"[\s_\-()（）\[\]【】:：/]+")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label_zh: str
    required: bool
    exact: frozenset[str]
    contains: tuple[str, ...]


@cache
def field_specs() -> tuple[FieldSpec, ...]:
    raw = yaml.safe_load(DATA.read_text(encoding="utf-8"))["fields"]
    return tuple(
        FieldSpec(
            name,
            v["label_zh"],
            bool(v.get("required", False)),
            frozenset(norm_header(x) for x in v["exact"]),
            tuple(norm_header(x) for x in v.get("contains", [])),
        )
        for name, v in raw.items()
    )


FIELDS: tuple[str, ...] = ("text", "company", "date", "amount", "id")


def norm_header(h: str) -> str:
    return _STRIP.sub("", unicodedata.normalize("NFKC", str(h))).lower()


def parse_map(items: Sequence[str] | None) -> dict[str, str]:
    """``["text=投诉内容", "company=3"]`` → ``{"text": "投诉内容", "company": "3"}``; commas also separate."""
    out: dict[str, str] = {}
    for item in items or ():
        for part in str(item).split(","):
            part = part.strip()
            if not part:
                continue
            if "=" not in part:
                raise InputError(
                    f"列的指定应写成 字段=列名（如 text=投诉内容），收到：{part}",
                    f"a column must be named as field=column (e.g. text=投诉内容), got: {part}",
                )
            k, v = (s.strip() for s in part.split("=", 1))
            if k not in FIELDS:
                raise InputError(
                    f"指定列时的字段名未知：{k}（可用：{'、'.join(FIELDS)}）",
                    f"unknown field in a column mapping: {k} (known: {', '.join(FIELDS)})",
                )
            out[k] = v
    return out


def auto_map(headers: Sequence[str], overrides: Mapping[str, str] | None = None, *, source: str = "") -> dict[str, str]:
    """Field → header for one input. Raises :class:`InputError` when no text column can be found."""
    overrides = dict(overrides or {})
    headers = [str(h) for h in headers]
    out: dict[str, str] = {}
    taken: set[str] = set()
    for field, want in overrides.items():
        col = _resolve_override(headers, want)
        if col is None:
            raise InputError(
                f"{source}：指定的列“{want}”不存在。文件中的列：{'、'.join(headers) or '（无）'}",
                f"{source}: the named column '{want}' does not exist. Columns: {', '.join(headers) or '(none)'}",
            )
        out[field] = col
        taken.add(col)
    normed = [(h, norm_header(h)) for h in headers]
    for spec in field_specs():  # exact names first, in field order
        if spec.name in out:
            continue
        for h, n in normed:
            if h not in taken and n in spec.exact:
                out[spec.name] = h
                taken.add(h)
                break
    for spec in field_specs():  # then "contains"
        if spec.name in out:
            continue
        for h, n in normed:
            if h not in taken and any(c and c in n for c in spec.contains):
                out[spec.name] = h
                taken.add(h)
                break
    if "text" not in out:
        known = "、".join(sorted(next(s for s in field_specs() if s.name == "text").exact)[:8])
        raise InputError(
            Note(
                f"{source}：找不到投诉内容（文本）列。文件中的列：{'、'.join(headers) or '（无）'}。"
                f"请把文本列命名为“投诉内容”“内容”“text”等（如 {known}），或指明哪一列是文本。未开始任何处理。",
                step="bulk_columns",
            ),
            f"{source}: no text column found. Columns: {', '.join(headers) or '(none)'}. "
            "Name it 投诉内容/内容/text or name the text column. Nothing was processed.",
        )
    return out


def _resolve_override(headers: Sequence[str], want: str) -> str | None:
    if want in headers:
        return want
    n = norm_header(want)
    for h in headers:
        if norm_header(h) == n:
            return h
    if want.isdigit() and 1 <= int(want) <= len(headers):
        return headers[int(want) - 1]
    return None
