"""A sympy-free first look at an expression answer: exact evaluation at random points.

Stdlib only: shipped with the student-side checks, which judge an answer with it.

Two rational functions of bounded degree that agree at a few random points of a huge integer
range are the same function but for a vanishing chance (Schwartz–Zippel: at most
degree / range per point; here about one in 2**30 per point, three points). So a correct answer is
confirmed without paying sympy's import (~0.3 s of every `grader check`); anything else, and
any doubt, goes to the full sympy judgement in `grader.kinds.expression.parse`, which words
the feedback.
"""

from __future__ import annotations

import ast
import random
from collections.abc import Mapping
from fractions import Fraction

from .notation import MAX_EXPONENT, ExpressionError, checked_tree

POINTS = 3
LOW, HIGH = 1 << 40, 1 << 41
MAX_VALUE_BITS = 200_000  # beyond this, leave it to sympy's caps and time limit


class _Unsure(Exception):
    """Not something this evaluator decides: a fractional power, a division by zero..."""


def quick_equivalent(text: str, answer: str, names: tuple[str, ...],
                     definitions: Mapping[str, str]) -> str | None:
    """The student's expression as read, if it is certainly `answer`; None when unsure."""
    try:
        student, expected = checked_tree(text, names), checked_tree(answer, names)
        defined = [(name, checked_tree(rule, names)) for name, rule in definitions.items()]
    except (ExpressionError, RecursionError):
        return None
    free = [name for name in names if name not in definitions]
    chance = random.Random(20260227)  # fixed: the same answer always gets the same verdict
    for _ in range(POINTS):
        values = {name: Fraction(chance.randint(LOW, HIGH)) for name in free}
        try:
            for name, tree in defined:  # in order: a definition may use an earlier one
                values[name] = _value(tree.body, values)
            if _value(student.body, values) != _value(expected.body, values):
                return None
        except (_Unsure, ZeroDivisionError, KeyError, RecursionError):
            return None
    return ast.unparse(student)


def _value(node: ast.AST, values: Mapping[str, Fraction]) -> Fraction:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return Fraction(str(node.value))
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _value(node.operand, values)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        return _sized(_binary(node.op, _value(node.left, values), _value(node.right, values)))
    raise _Unsure


def _binary(op: ast.operator, left: Fraction, right: Fraction) -> Fraction:
    if isinstance(op, ast.Add):
        return left + right
    if isinstance(op, ast.Sub):
        return left - right
    if isinstance(op, ast.Mult):
        return left * right
    if isinstance(op, ast.Div):
        return left / right
    if isinstance(op, ast.Pow) and right.denominator == 1 and abs(right) <= MAX_EXPONENT:
        return left ** int(right)
    raise _Unsure


def _sized(value: Fraction) -> Fraction:
    if max(value.numerator.bit_length(), value.denominator.bit_length()) > MAX_VALUE_BITS:
        raise _Unsure
    return value


def value_at(text: str, names: tuple[str, ...], definitions: Mapping[str, str],
             point: Mapping[str, float]) -> Fraction | None:
    """The exact value of `text` at `point` (definitions written out); None when unsure."""
    try:
        tree = checked_tree(text, names)
        values = {name: Fraction(str(value)) for name, value in point.items()}
        for name, rule in definitions.items():
            values[name] = _value(checked_tree(rule, names).body, values)
        return _value(tree.body, values)
    except (ExpressionError, _Unsure, ZeroDivisionError, KeyError, RecursionError):
        return None
