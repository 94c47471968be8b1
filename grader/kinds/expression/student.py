"""An expression answer as the student's side checks it (public checks, notebook cells).

Stdlib only, shipped verbatim: the answer is read by `notation` and compared by `quick`, the
modules the grader itself reads and first judges answers with (the grader then words wrong
answers with sympy, which a student's machine need not have).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence

from .notation import ExpressionError, checked_tree
from .quick import quick_equivalent, value_at


def check_form(text: object, names: Sequence[str]) -> None:
    """The answer is a non-empty expression string over the allowed names."""
    assert isinstance(text, str) and text.strip(), "the answer must be a non-empty string"
    try:
        checked_tree(text, tuple(names))
    except ExpressionError as exc:
        raise AssertionError(str(exc)) from None
    print(f"✓ {text!r} is an expression in {', '.join(names)}")


def expression_score(text: object, names: Sequence[str], answer: str,
                     definitions: Mapping[str, str], start: Mapping[str, float], points: float,
                     value_credit: float, mistakes: Sequence[Sequence[str]]) -> float:
    """The points the answer earns (nbgrader reads a number as partial credit)."""
    check_form(text, names)
    assert isinstance(text, str)
    names = tuple(names)
    if quick_equivalent(text, answer, names, definitions) is not None:
        print(f"✓ {text!r} is equivalent to the expected expression")
        return float(points)
    for wrong, hint in mistakes:
        assert quick_equivalent(text, wrong, names, definitions) is None, (
            f"{text!r} is a known wrong answer: {hint}")
    tree = checked_tree(text, names)
    if not any(isinstance(node, ast.Name) for node in ast.walk(tree)):
        given, wanted = value_at(text, names, {}, start), value_at(answer, names, definitions,
                                                                   start)
        assert given is not None and given == wanted, (
            f"{text!r} is a number: the answer is an expression in {', '.join(names)}")
        print(f"{text!r} is the value at the start, not the expression: partial credit")
        return round(points * value_credit, 6)
    raise AssertionError(f"{text!r} is not equivalent to the expected expression")

