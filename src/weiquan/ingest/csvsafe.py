"""CSV rows that survive damage: a stray quote or an oversized field loses only its own row.

Python's ``csv`` reader fails a whole file on one field over 128 KiB, and after a stray quote it
silently swallows every following line into one field. :class:`CsvRows` assembles each record from
physical lines itself and hands it to ``csv`` one record at a time, so that

* a quoted field may span lines, as exports write multi-line messages;
* a quote that is never closed ends at the next line that starts a row (once the importer knows what
  a row start looks like, see :attr:`CsvRows.looks_like_start`), at end of file, or after
  ``MAX_RECORD_LINES`` lines / ``MAX_RECORD_CHARS`` characters: its first line is read with the
  quote taken literally and the lines after it are read again as rows (resynchronised);
* a record ``csv`` refuses (a field over its limit, a NUL byte) is skipped.

Every such place is reported with its physical line number (:attr:`CsvRows.damage`).
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

MAX_RECORD_LINES = 200  # a message longer than this many lines is not in a phone export
MAX_RECORD_CHARS = 256 * 1024


@dataclass(frozen=True)
class Damage:
    line: int  # 1-based physical line where the damaged record starts
    kind: str  # "unclosed_quote" | "bad_record"
    detail: str


def ends_inside_quotes(text: str, delimiter: str, quote: str, inside: bool) -> bool:
    """Whether a quoted field is still open at the end of ``text`` (``inside``: open at its start).

    A quote opens a field only at the start of the record or right after a delimiter (elsewhere
    ``csv`` keeps it as a character); inside a field ``""`` is an escaped quote.
    """
    i = text.find(quote)
    while i != -1:
        if inside:
            if text.startswith(quote, i + 1):
                i = text.find(quote, i + 2)
                continue
            inside = False
        elif i == 0 or text[i - 1] == delimiter:
            inside = True
        i = text.find(quote, i + 1)
    return inside


class CsvRows:
    """Rows of a CSV text stream (an iterable of lines read with ``newline=""``)."""

    def __init__(self, lines: Iterable[str], dialect: Any) -> None:
        self._source = iter(lines)
        self._back: deque[tuple[int, str]] = deque()
        self._n = 0
        self.dialect = dialect
        self._quote = dialect.quotechar if dialect.quoting != csv.QUOTE_NONE and dialect.quotechar else None
        self._delim = dialect.delimiter
        self.looks_like_start: Callable[[list[str]], bool] | None = None
        self.damage: list[Damage] = []
        self.line = 0  # physical line where the last row returned starts

    def __iter__(self) -> Iterator[list[str]]:
        return self

    def _next_line(self) -> tuple[int, str] | None:
        if self._back:
            return self._back.popleft()
        try:
            text = next(self._source)
        except StopIteration:
            return None
        self._n += 1
        return self._n, text

    def __next__(self) -> list[str]:
        first = self._next_line()
        if first is None:
            raise StopIteration
        n, text = first
        self.line = n
        quote = self._quote
        if quote is None or quote not in text or not ends_inside_quotes(text, self._delim, quote, False):
            return self._parse(n, text)
        buf = [text]
        size = len(text)
        while True:
            nxt = self._next_line()
            if nxt is None:
                return self._unclosed(n, buf, None, "到文件结尾仍未闭合 / still open at end of file")
            if len(buf) >= MAX_RECORD_LINES or size > MAX_RECORD_CHARS:
                return self._unclosed(
                    n,
                    buf,
                    nxt,
                    f"超过 {MAX_RECORD_LINES} 行或 {MAX_RECORD_CHARS // 1024} KiB / "
                    f"over {MAX_RECORD_LINES} lines or {MAX_RECORD_CHARS // 1024} KiB",
                )
            if self._starts_row(nxt[1]):
                return self._unclosed(n, buf, nxt, f"第 {nxt[0]} 行开始了新的一行记录 / line {nxt[0]} starts a new row")
            buf.append(nxt[1])
            size += len(nxt[1])
            if not ends_inside_quotes(nxt[1], self._delim, quote, True):
                return self._parse(n, "".join(buf))

    def _parse(self, n: int, record: str, **fmt: Any) -> list[str]:
        try:
            return next(csv.reader((record,), self.dialect, **fmt), [])
        except csv.Error as e:
            self.damage.append(Damage(n, "bad_record", str(e)))
            return []  # counted as a (blank) row, so later rows keep their numbers

    def _starts_row(self, text: str) -> bool:
        check = self.looks_like_start
        if check is None:
            return False
        try:
            cells = next(csv.reader((text,), self.dialect), [])
        except csv.Error:
            return False
        return check(cells)

    def _unclosed(self, n: int, buf: list[str], nxt: tuple[int, str] | None, why: str) -> list[str]:
        """The record starting at line ``n`` has a quote that never closes: read its first line with the
        quote as a character, and read the lines after it again as rows."""
        self.damage.append(Damage(n, "unclosed_quote", why))
        again = [(n + i, t) for i, t in enumerate(buf[1:], start=1)]
        if nxt is not None:
            again.append(nxt)
        self._back.extendleft(reversed(again))
        return self._parse(n, buf[0], quoting=csv.QUOTE_NONE)
