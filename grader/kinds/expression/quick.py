"""A sympy-free first look at an expression answer: exact evaluation at random points.

Two rational functions of bounded degree that agree at a few random points of a huge integer
range are the same function but for a vanishing chance (Schwartz–Zippel: at most
degree / range per point; here under one in 2**50 per point, three points). So a correct answer,
a known mistake (the spec's `mistakes:`), a bare number and a plainly different expression
are all decided without paying sympy's import (~0.3 s of every `grader check`). Anything
else, and any doubt (a division by zero, a fractional power, an expression that looks
constant), goes to the full sympy judgement in `grader.kinds.expression.parse`.

The points are drawn once per grading process from the operating system's randomness, and
never shown: with fixed, public points, the answer plus `(w-p1)*(w-p2)*(w-p3)` (a product
that vanishes at each of those points) was Correct.
Stdlib only: shipped with the student-side checks, which judge an answer with it.
"""

from __future__ import annotations

import ast
import random
from collections.abc import Mapping, Sequence
from fractions import Fraction
from functools import cache

from .notation import (
    MAX_BITS,
    MAX_DEGREE,
    MAX_EXPONENT,
    ExpressionError,
    ExpressionVerdict,
    checked_tree,
)

POINTS = 3
SPAN = 1 << 62  # coordinates in [-2**62, 2**62]
MAX_VALUE_BITS = 200_000  # beyond this, leave it to sympy's caps and time limit

Value = tuple[Fraction, int]  # a value and a bound on the degree of what computed it


class _Unsure(Exception):
    """Not something this evaluator decides: a fractional power, a division by zero..."""


@cache
def _coordinates(count: int) -> tuple[tuple[int, ...], ...]:
    """POINTS random points of `count` coordinates, the same for the whole grading run (one
    answer, one verdict) and different in the next: SystemRandom, not a seed."""
    chance = random.SystemRandom()
    return tuple(tuple(chance.randint(-SPAN, SPAN) for _ in range(count))
                 for _ in range(POINTS))


def quick_equivalent(text: str, answer: str, names: tuple[str, ...],
                     definitions: Mapping[str, str]) -> str | None:
    """The student's expression as read, if it is certainly `answer`; None when unsure."""
    verdict = quick_judge(text, answer=answer, names=names, definitions=definitions,
                          point={}, mistakes=())
    return verdict.parsed if verdict is not None and verdict.status == "equivalent" else None


def quick_judge(text: str, *, answer: str, names: Sequence[str],
                definitions: Mapping[str, str], point: Mapping[str, float],
                mistakes: Sequence[tuple[str, str]]) -> ExpressionVerdict | None:
    """The verdict `parse.judge_expression` would reach, where it is certain without sympy
    (the same statuses and messages); None where sympy must decide."""
    names = tuple(names)
    try:
        student = checked_tree(text, names)
    except ExpressionError as exc:  # the token allowlist's reasons are sympy-free already
        return ExpressionVerdict("invalid", f"{exc}.")
    except RecursionError:
        return None
    try:
        expected = checked_tree(answer, names)
        wrong = [(checked_tree(m, names), hint) for m, hint in mistakes]
        defined = [(name, checked_tree(rule, names)) for name, rule in definitions.items()]
        return _decide(student, expected, wrong, defined, names, point)
    except (ExpressionError, _Unsure, ZeroDivisionError, KeyError, RecursionError):
        return None  # an instructor's broken expression is sympy's to report, too


def _decide(student: ast.Expression, expected: ast.Expression,
            wrong: list[tuple[ast.Expression, str]], defined: list[tuple[str, ast.Expression]],
            names: tuple[str, ...], point: Mapping[str, float]) -> ExpressionVerdict | None:
    free = [name for name in names if name not in dict(defined)]
    points = [_at(dict(zip(free, coordinates, strict=True)), defined)
              for coordinates in _coordinates(len(free))]
    mine = [_value(student.body, values) for values in points]
    shown = _shown(student)
    if mine == [_value(expected.body, values) for values in points]:
        return ExpressionVerdict("equivalent", f"Correct: `{shown}` is equivalent to the "
                                 "expected expression.", shown)
    for tree, hint in wrong:
        if mine == [_value(tree.body, values) for values in points]:
            return ExpressionVerdict("mistake", f"`{shown}` is a known wrong answer: {hint}",
                                     shown, hint)
    if not point:
        return None
    start = _at({k: Fraction(str(v)) for k, v in point.items()}, defined)
    where = ", ".join(f"{k}={v:g}" for k, v in point.items())
    if not _names_in(student):
        if not _names_in(expected):
            return None
        value, target = float(mine[0]), float(_value(expected.body, start))
        if abs(value - target) <= 1e-9 * max(1.0, abs(target)):
            return ExpressionVerdict("value_only", f"`{shown}` is the value at the start "
                                     f"({where}), not the expression: write it in terms of "
                                     f"{', '.join(names)}.", shown)
        return ExpressionVerdict("not_equivalent", f"`{shown}` is a number: the answer is an "
                                 f"expression in {', '.join(names)}.", shown)
    if len(set(mine)) == 1:  # names that may cancel out (`x - 2w - 3b`): sympy decides
        return None
    value = float(_value(student.body, start))
    return ExpressionVerdict("not_equivalent", f"`{shown}` is not equivalent to the expected "
                             f"expression (at {where} it gives {value:g}).", shown)


def _shown(tree: ast.Expression) -> str:
    """As sympy prints it, where that is a matter of spacing: `3*y + 2`, `x**2/4`. (The tree
    holds only numbers, names, + - * / ** and parentheses: plain replacing is exact.)"""
    text = ast.unparse(tree)
    for spaced, tight in ((" ** ", "**"), (" * ", "*"), (" / ", "/")):
        text = text.replace(spaced, tight)
    return text


def _at(values: Mapping[str, Fraction | int], defined: list[tuple[str, ast.Expression]]
        ) -> dict[str, Fraction]:
    """The free names' values, then each definition's, in order (one may use an earlier)."""
    found = {name: Fraction(value) for name, value in values.items()}
    for name, tree in defined:
        found[name] = _value(tree.body, found)
    return found


def _names_in(tree: ast.Expression) -> bool:
    return any(isinstance(node, ast.Name) for node in ast.walk(tree))


def _value(node: ast.AST, values: Mapping[str, Fraction]) -> Fraction:
    return _evaluate(node, values)[0]


def _evaluate(node: ast.AST, values: Mapping[str, Fraction]) -> Value:
    """The exact value, under parse._build's own limits (degree, size of numbers, plain
    exponents): what sympy would refuse as invalid is not decided here either."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return Fraction(repr(node.value)), 0
    if isinstance(node, ast.Name):
        return values[node.id], 1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand, degree = _evaluate(node.operand, values)
        return (-operand if isinstance(node.op, ast.USub) else operand), degree
    if isinstance(node, ast.BinOp):
        value, degree = _binary(node.op, _evaluate(node.left, values),
                                _evaluate(node.right, values))
        bits = max(value.numerator.bit_length(), value.denominator.bit_length())
        if degree > MAX_DEGREE or bits > MAX_VALUE_BITS or (degree == 0 and bits > MAX_BITS):
            raise _Unsure
        return value, degree
    raise _Unsure


def _binary(op: ast.operator, left: Value, right: Value) -> Value:
    (a, a_degree), (b, b_degree) = left, right
    if isinstance(op, (ast.Add, ast.Sub)):
        return (a + b if isinstance(op, ast.Add) else a - b), max(a_degree, b_degree)
    if isinstance(op, ast.Mult):
        return a * b, a_degree + b_degree
    if isinstance(op, ast.Div):
        return a / b, a_degree + b_degree
    if (isinstance(op, ast.Pow) and b_degree == 0 and b.denominator == 1
            and abs(b) <= MAX_EXPONENT):
        return a ** int(b), a_degree * abs(int(b))
    raise _Unsure
