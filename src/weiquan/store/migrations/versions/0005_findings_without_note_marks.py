"""findings: stored wording without marks that pointed at notes outside the repository

Detectors of earlier versions copied law-pack sources into a finding's explanation, and those sources then named
the team's notes by file, section and row ("（… 5.3（notes-file 4c））", "notes.md §2"). The pages used to
strip such marks by pattern every time they showed a finding; the sources now name entries of
``law/cn/sources.yaml`` and no code writes such marks, so the stored rows are cleaned once here and nothing
rewrites wording at display time. Data only: no schema change. The patterns are generic (a ``*.md`` file with
its section, a ``xx-law…`` note with its row), so this file names no note.

Revision ID: 0005
Revises: 0004
"""

import re

import sqlalchemy as sa
from alembic import op


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_REF = r"(?:\s*[、,，和]?\s*(?:§\s*)?[\d][\w.–-]*(?:\s*(?:rows?|fact)\s*[\d–-]+)?)*"
_MARKS = (
    # a notes file with its section: "dir/x.md §2 row 13", "x.md §0 fact 8"
    re.compile(r"\s*[（(]?\s*(?:[\w-]+/)*[\w-]+\.md" + _REF + r"\s*[）)]?"),
    # a note named without its extension, with its rows: "xx-law-yyyy 4d、5d", "xx-law §2 row 13"
    re.compile(r"\s*[（(]?\s*[a-z]{2}-law(?:-[a-z]+)?" + _REF + r"\s*[）)]?"),
    # a section sign left alone: "§1.5B"
    re.compile(r"\s*§\s*\d[\w.]*(?:\s*fact\s*\d+)?"),
)
_SEPARATORS = re.compile(r"[；;]\s*(?=[；;）)])|(?<=[（(])\s*[；;]\s*")
_EMPTY_BRACKETS = re.compile(r"[（(]\s*[；;，,]*\s*[）)]")


def plain(text: str) -> str:
    """``text`` without note marks (and the brackets or separators they leave empty)."""
    for mark in _MARKS:
        text = mark.sub("", text)
    return _EMPTY_BRACKETS.sub("", _SEPARATORS.sub("", text))


def upgrade() -> None:
    findings = sa.table("findings", sa.column("id", sa.Integer), sa.column("summary"), sa.column("explanation"))
    bind = op.get_bind()
    likely = sa.or_(
        *(col.like(p) for col in (findings.c.summary, findings.c.explanation) for p in ("%.md%", "%-law%", "%§%"))
    )
    rows = bind.execute(sa.select(findings.c.id, findings.c.summary, findings.c.explanation).where(likely)).all()
    for fid, summary, explanation in rows:
        new = {"summary": plain(summary) if summary else summary}
        new["explanation"] = plain(explanation) if explanation else explanation
        if (new["summary"], new["explanation"]) != (summary, explanation):
            bind.execute(sa.update(findings).where(findings.c.id == fid).values(**new))


def downgrade() -> None:
    """The marks are not restored: they named files outside the repository."""
