"""A hand-computed table as the student's side checks it (public checks, notebook cells).

Stdlib only, shipped verbatim; the verdict is `rows.judge_row`, the grader's own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .rows import judge_row, shape_problem


def check_filled(rows: Any, number: int, count: int, keys: Sequence[str],
                 name: str = "the table") -> None:
    """Row `number` is a dict holding a number for every key (its values are not checked)."""
    problem = shape_problem(rows, number, name, count, keys)
    assert not problem, problem
    print(f"✓ row {number} is filled in")


def check_row(rows: Any, number: int, count: int, columns: Mapping[str, str],
              start: Mapping[str, float], tolerance: float,
              mistakes: Sequence[Sequence[Any]] = (), name: str = "the table") -> None:
    """Row `number` follows from your own previous row (an earlier slip costs that row only)."""
    verdict = judge_row(rows, number, name=name, count=count, columns=columns, start=start,
                        tolerance=tolerance,
                        mistakes=[(m[0], m[1], m[2]) for m in mistakes])
    assert verdict.passed, verdict.message
    print(f"✓ {verdict.message}")
