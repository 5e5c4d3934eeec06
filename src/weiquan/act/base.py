"""Document template plug-ins (the ``register_documents`` hook returns :class:`DocumentSpec` objects).

A document is a Jinja template written in Chinese that renders HTML; weiquan turns that HTML into a
PDF (WeasyPrint, CJK font embedded) and an editable DOCX (see :mod:`weiquan.report.render` for the
HTML subset the DOCX converter understands). Templates get the context described in
:func:`weiquan.act.context.build_context` and may ``{% import "_macros.html.j2" as m %}`` for the
shared helpers (fields to fill, amounts in figures and 人民币大写, citations, the closing statement).

A third-party plug-in returns its own specs with ``template_dir`` pointing at its templates::

    from weiquan.act.base import DocumentSpec
    from weiquan.hookspecs import hookimpl

    @hookimpl
    def register_documents():
        return [DocumentSpec(id="hr_letter", title_zh="致用人单位说明函", template="hr_letter.html.j2",
                             template_dir=Path(__file__).parent / "templates")]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class DocumentSpec:
    id: str  # the --doc value, e.g. "lender"
    title_zh: str  # 投诉函
    template: str  # template file name inside template_dir
    template_dir: Path | Traversable | None = None  # None: the built-in templates
    description_zh: str = ""
    channel: str | None = None  # law-pack channel the document is addressed to, if any
    extra_context: Callable[[dict[str, Any]], dict[str, Any]] | None = None  # adds keys to the context
    provisions_key: str | None = None  # key of act/data/plan.yaml document_* tables (default: id)
    tags: tuple[str, ...] = field(default_factory=tuple)
    # how the web lists it where the user records which material was sent ("给借款平台的投诉函"); "" = title_zh
    label_zh: str = ""
    sent: bool = True  # a document the user hands to a body or person (False: the user's own plan)

    @property
    def label(self) -> str:
        return self.label_zh or self.title_zh

    @property
    def key(self) -> str:
        return self.provisions_key or self.id
