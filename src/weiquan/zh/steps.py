"""What a note asks the user to do in the app, kept apart from the note's words.

Domain code (the plan, the law pack's LPR note) says *which* step — import and analyse, review, check a loan, look
up a lender, import LPR fixings — as a :class:`Note`; each front end says *how*: the CLI names its command, the web
links its page, a document names the page in words. No command text is written into prose and nothing rewrites
prose by pattern."""

from __future__ import annotations

# each step's page of the app, as documents name it ("（在本软件“审核违规”页）"); a step with no page (None) is a
# command-line operation only (checking the whole vault, naming a table's columns by hand)
STEP_PAGES_ZH: dict[str, str | None] = {
    "analyze": "导入证据",
    "review": "审核违规",
    "loan": "借款计算",
    "lender": "首页新建案件时的平台名称提示",
    "lpr_update": None,
    "extract_resume": "导入证据",
    "vault_verify": None,
    "column_map": None,
    "bulk_columns": None,
    "bulk_resume": None,
}


class Note(str):
    """A note for the user (its Chinese words) and the app step it asks for (``step``, a key of STEP_PAGES_ZH).

    A ``str``: code that only reads the words keeps working; a front end that can show the step reads ``step``."""

    step: str | None

    def __new__(cls, text: str, step: str | None = None) -> Note:
        if step is not None and step not in STEP_PAGES_ZH:
            raise ValueError(f"unknown app step: {step}")
        note = super().__new__(cls, text)
        note.step = step
        return note

    def __reduce__(self) -> tuple[type[Note], tuple[str, str | None]]:
        return (Note, (str(self), self.step))


def step_of(note: object) -> str | None:
    """The step a note asks for (None for plain text)."""
    return getattr(note, "step", None)


def with_step(note: object, step_text: str) -> str:
    """The note's words with ``step_text`` (a front end's way of naming the step) before the closing 。."""
    text = str(note or "")
    if not step_text:
        return text
    return f"{text[:-1]}{step_text}。" if text.endswith("。") else f"{text}{step_text}"


def step_in_words(note: object) -> str:
    """The step as a document names it: "（在本软件“审核违规”页）", "（在本软件中操作）" without a page, "" for none."""
    step = step_of(note)
    if step is None:
        return ""
    page = STEP_PAGES_ZH.get(step)
    return f"（在本软件“{page}”页）" if page else "（在本软件中操作）"


def note_in_words(note: object) -> str:
    """A note as a document prints it: its words and the step's page named in words."""
    return with_step(note, step_in_words(note))
