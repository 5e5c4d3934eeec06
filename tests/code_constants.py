"""The constants a module's code holds, docstrings left out: what tests that look for text written into code read."""

from __future__ import annotations

import ast


def code_constants(tree: ast.AST) -> list[ast.Constant]:
    """Every constant of ``tree`` except the docstrings of its module, classes and functions."""
    docstrings = {
        id(n.body[0].value)
        for n in ast.walk(tree)
        if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and n.body
        and isinstance(n.body[0], ast.Expr)
        and isinstance(n.body[0].value, ast.Constant)
    }
    return [n for n in ast.walk(tree) if isinstance(n, ast.Constant) and id(n) not in docstrings]
