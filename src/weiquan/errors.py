"""Errors that reach the user.

Every error the user can see carries a Simplified-Chinese message first and an
English one second, plus the process exit code the CLI should use:
0 ok, 1 a problem was found, 2 usage or input error.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_USAGE = 2


class WeiquanError(Exception):
    """Base error with a bilingual message."""

    exit_code: int = EXIT_PROBLEM

    def __init__(self, zh: str, en: str, *, exit_code: int | None = None) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


class InputError(WeiquanError):
    """The user's input (arguments, files) is wrong: exit code 2."""

    exit_code = EXIT_USAGE


class NotFoundError(InputError):
    """A named case, evidence or record does not exist."""


class ProblemFound(WeiquanError):
    """A check ran and found a problem (e.g. integrity failure): exit code 1."""

    exit_code = EXIT_PROBLEM


class MissingComponent(WeiquanError):
    """An optional component (OCR model, ASR model, font …) is not installed.

    Raised instead of silently producing a fake result.
    """

    exit_code = EXIT_PROBLEM
