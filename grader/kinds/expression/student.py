"""An expression answer as the student's side checks it (public checks, notebook cells).

Stdlib only, shipped verbatim: the answer is read by `notation` and judged by `quick`, the
modules the grader itself reads and judges answers with wherever the verdict is certain
without sympy (the grader then asks sympy, which a student's machine need not have).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .notation import ExpressionError, checked_tree
from .quick import quick_judge


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
    verdict = quick_judge(text, answer=answer, names=names, definitions=definitions,
                          point=start, mistakes=[(m[0], m[1]) for m in mistakes])
    assert verdict is not None, (
        f"{text!r} cannot be decided here (a division by zero or a fractional power?): the "
        "grader decides it symbolically")
    if verdict.status == "equivalent":
        print(f"✓ {verdict.message}")
        return float(points)
    if verdict.status == "value_only":
        print(f"{verdict.message} Partial credit.")
        return round(points * value_credit, 6)
    raise AssertionError(verdict.message)
