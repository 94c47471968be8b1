"""Instructor formulas (table columns, mistake variants): plain arithmetic over named numbers.

Compiled once from a checked AST and evaluated with floats: the table check must not pay
for importing sympy, and a spec, though trusted more than student text, is still input.
Stdlib only: shipped with the student-side checks (the notebook's row checks use it).
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field

_NODES = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Load,
          ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd)


class FormulaError(ValueError):
    """The formula is not plain arithmetic over known names."""


@dataclass(frozen=True)
class Formula:
    text: str
    names: frozenset[str] = field(init=False)
    _code: object = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            tree = ast.parse(self.text.replace("^", "**"), mode="eval")
        except SyntaxError as exc:
            raise FormulaError(f"not a formula: {exc.msg}") from None
        for node in ast.walk(tree):
            if not isinstance(node, _NODES):
                raise FormulaError(f"{type(node).__name__} is not allowed in a formula")
            if isinstance(node, ast.Constant) and type(node.value) not in (int, float):
                raise FormulaError("only numbers may appear as constants")
        names = frozenset(n.id for n in ast.walk(tree) if isinstance(n, ast.Name))
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "_code", compile(tree, "<formula>", "eval"))

    def __call__(self, values: Mapping[str, float]) -> float:
        missing = self.names - set(values)
        if missing:
            raise FormulaError(f"unknown name {sorted(missing)[0]!r}")
        try:
            return float(eval(self._code, {"__builtins__": {}}, dict(values)))  # noqa: S307 - checked AST
        except (ZeroDivisionError, OverflowError):
            return float("nan")


@functools.cache
def formula(text: str) -> Formula:
    """The formula of that text, parsed and compiled once per process: a table check asks
    for each column's of every row of every submission (a failed one is not kept)."""
    return Formula(text)
