"""Loan legality: cash-flow model, IRR/XIRR APR, caps and verdicts, lawful amount, calculators.

Main entry point: :func:`check_loan` (input/output documented in docs/loans.md).
"""

from __future__ import annotations

from typing import Any

from weiquan.loans.check import check_loan as _check


def check_loan(data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """See :func:`weiquan.loans.check.check_loan`."""

    return _check(data, **kwargs)


__all__ = ["check_loan"]
