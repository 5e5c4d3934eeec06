"""Service: draft a case's documents (``weiquan draft``) as DOCX and/or PDF."""

from __future__ import annotations

from dataclasses import dataclass
import datetime as dt
import hashlib
import json
from pathlib import Path

from weiquan.act.base import DocumentSpec
from weiquan.act.checklist import build_checklist
from weiquan.act.context import build_context
from weiquan.act.deadlines import calendar_for_home
from weiquan.act.drafting import FORMATS, render_html, write
from weiquan.act.plan import build
from weiquan.errors import InputError
from weiquan.plugins import collect
from weiquan.report.render import mark_sample
from weiquan.services import cases
from weiquan.services.case_facts import load_case_facts
from weiquan.services.plan import build_plan
from weiquan.workspace import Workspace


@dataclass(frozen=True)
class DocumentInfo:
    id: str
    title_zh: str
    description_zh: str
    channel: str | None
    label_zh: str = ""  # how the pages list it (the spec's own label_zh, else its title)
    sent: bool = True


def document_specs() -> dict[str, DocumentSpec]:
    """Every registered document template (built-ins and plug-ins), by id; the first registration wins."""
    out: dict[str, DocumentSpec] = {}
    for spec in collect("register_documents"):
        if isinstance(spec, DocumentSpec) and spec.id not in out:
            out[spec.id] = spec
    return out


def list_documents() -> list[DocumentInfo]:
    return [
        DocumentInfo(s.id, s.title_zh, s.description_zh, s.channel, s.label, s.sent) for s in document_specs().values()
    ]


def document_labels(*, sent_only: bool = False) -> dict[str, str]:
    """Registered documents (a plug-in's included) by id, each with its own label: what the web lists where the
    user records which material was sent (``sent_only``: the ones handed to a body or person)."""
    return {s.id: s.label for s in document_specs().values() if s.sent or not sent_only}


def _spec(doc: str) -> DocumentSpec:
    specs = document_specs()
    if doc not in specs:
        raise InputError(
            f"未知的文书类型：{doc}。可选：{', '.join(specs)}", f"unknown document {doc!r}; valid: {', '.join(specs)}"
        )
    return specs[doc]


def _formats(formats: tuple[str, ...] | list[str] | str) -> tuple[str, ...]:
    if isinstance(formats, str):
        formats = FORMATS if formats == "both" else (formats,)
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise InputError(
            f"不支持的格式：{', '.join(bad) or '(空)'}（可选 docx、pdf、both）", f"unsupported format(s): {bad}"
        )
    return tuple(dict.fromkeys(formats))


def _parts(ws: Workspace, case_id: int, doc: str, today: dt.date | None) -> tuple[DocumentSpec, str, str | None]:
    """:func:`_unmarked_parts`, marked 示例 on every page when the case is a sample (the demo's documents)."""
    spec, html, sheet = _unmarked_parts(ws, case_id, doc, today)
    if not cases.get_case(ws, case_id).is_sample:
        return spec, html, sheet
    return spec, mark_sample(html), mark_sample(sheet) if sheet is not None else None


def _unmarked_parts(
    ws: Workspace, case_id: int, doc: str, today: dt.date | None
) -> tuple[DocumentSpec, str, str | None]:
    """The document's HTML and its cover sheet's (提交前核对清单; None for the plan, which is written for the user).

    A document that is sent draws on confirmed findings only (the UI promises "只有您确认的才会写进投诉材料"); the
    findings not yet confirmed go to the cover sheet, with every note meant for the user."""
    spec = _spec(doc)
    pack = ws.law
    calendar = calendar_for_home(ws.home)
    all_facts = load_case_facts(ws, case_id, today=today)
    if spec.id == "plan":
        plan = build(pack, all_facts, calendar=calendar)
        return (
            spec,
            render_html(spec, build_context(pack, all_facts, plan, doc_key=spec.key, channel_id=spec.channel)),
            None,
        )
    facts = load_case_facts(ws, case_id, today=today, include_auto=False)
    plan = build(pack, facts, calendar=calendar)
    ctx = build_context(pack, facts, plan, doc_key=spec.key, channel_id=spec.channel)
    html = render_html(spec, ctx)
    full_plan = build(pack, all_facts, calendar=calendar)
    step = full_plan.step(spec.channel) if spec.channel else None
    warnings = [*(step.warnings_zh if step else []), *full_plan.document_warnings.get(spec.key, [])]
    checklist = build_checklist(pack, spec.title_zh, html, ctx, all_facts, warnings)
    sheet = DocumentSpec(
        id=f"{spec.id}-checklist", title_zh=f"{spec.title_zh}-提交前核对清单", template="checklist.html.j2"
    )
    return spec, html, render_html(sheet, {**ctx, "checklist": checklist})


def document_html(ws: Workspace, case_id: int, doc: str, *, today: dt.date | None = None) -> str:
    """The document as HTML (what the PDF is printed from; the web UI can show it)."""
    return _parts(ws, case_id, doc, today)[1]


def checklist_html(ws: Workspace, case_id: int, doc: str, *, today: dt.date | None = None) -> str | None:
    """The document's cover sheet 提交前核对清单 as HTML (None for the plan)."""
    return _parts(ws, case_id, doc, today)[2]


def draft_document(
    ws: Workspace,
    case_id: int,
    doc: str,
    *,
    formats: tuple[str, ...] | list[str] | str = FORMATS,
    out_dir: Path | None = None,
    today: dt.date | None = None,
) -> list[Path]:
    """Write one document of the case and, beside it, its cover sheet 提交前核对清单 (not to be sent); returns the
    files written. Recorded in the ledger (hashes only)."""
    spec, html, sheet = _parts(ws, case_id, doc, today)
    fmts = _formats(formats)
    out = Path(out_dir) if out_dir is not None else ws.output_dir / f"case-{case_id}" / "documents"
    written = write(html, out, f"案件{case_id}-{spec.title_zh}", fmts, home=ws.home)
    meta: dict[str, str] = {"document": doc}
    for w in written:
        meta[f"sha256_{w.format}"] = hashlib.sha256(w.path.read_bytes()).hexdigest()
    ws.vault.record("document_drafted", case_id=case_id, meta=meta)
    paths = [w.path for w in written]
    if sheet is not None:
        paths += [
            w.path for w in write(sheet, out, f"案件{case_id}-{spec.title_zh}-提交前核对清单", fmts, home=ws.home)
        ]
    return paths


def draft_all(
    ws: Workspace,
    case_id: int,
    *,
    formats: tuple[str, ...] | list[str] | str = FORMATS,
    out_dir: Path | None = None,
    docs: list[str] | None = None,
    today: dt.date | None = None,
) -> dict[str, list[Path]]:
    """Draft several documents (default: every registered one)."""
    ids = docs or list(document_specs())
    if docs is None and "injunction" in ids:
        if not build_plan(ws, case_id, today=today).ongoing:
            # a 人格权侵害禁令 needs conduct 正在实施或者即将实施 (民法典 Art. 997): not drafted unless asked for;
            # the plan says why (issue 16 item 5)
            ids = [d for d in ids if d != "injunction"]
    return {d: draft_document(ws, case_id, d, formats=formats, out_dir=out_dir, today=today) for d in ids}


def write_plan(
    ws: Workspace,
    case_id: int,
    out_dir: Path,
    *,
    formats: tuple[str, ...] = ("docx", "pdf"),
    today: dt.date | None = None,
) -> list[Path]:
    """Write the plan as ``plan.json`` plus the 维权步骤计划 document (DOCX/PDF) into ``out_dir``."""
    plan = build_plan(ws, case_id, today=today)
    out_dir.mkdir(parents=True, exist_ok=True)
    js = out_dir / f"案件{case_id}-维权步骤计划.json"
    js.write_text(json.dumps(plan.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    return [js, *draft_document(ws, case_id, "plan", formats=formats, out_dir=out_dir, today=today)]
