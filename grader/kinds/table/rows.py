"""The rule of a hand-computed table: each row follows from the student's own previous row.

Error carried forward: a slip in row 1 costs row 1 only. Within a row, each cell is
recomputed from the student's own earlier cells, so the verdict names the first cell that
does not follow, and a known wrong method (the spec's `mistakes`) is recognised by name.
Stdlib only: shipped verbatim to students (public checks, notebook test cells); the grader
judges rows with the same function.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .formula import formula


@dataclass(frozen=True)
class RowVerdict:
    passed: bool
    message: str
    diagnosis: str = ""  # the recognised mistake and its hint
    detail: dict[str, Any] = field(default_factory=dict)  # expected / given / wrong cell


def shape_problem(rows: Any, number: int, name: str, count: int, keys: Sequence[str]) -> str:
    """Why row `number` (1-based) cannot be judged yet, or "" when it can."""
    if not isinstance(rows, list):
        return f"`{name}` must be a list of {count} dicts, one per step."
    if len(rows) < number:
        return f"`{name}` has no row {number}: fill in {count} rows."
    row = rows[number - 1]
    if not isinstance(row, dict):
        return f"row {number} must be a dict with the keys {', '.join(keys)}."
    for key in keys:
        value = row.get(key)
        if key not in row or value is None or value is Ellipsis:
            return f"row {number} has no value for `{key}` yet."
        if type(value) not in (int, float) or not math.isfinite(value):
            return f"row {number}: `{key}` must be a number, not {value!r:.80}."
    return ""


def first_wrong_cell(columns: Mapping[str, str], state: Mapping[str, float],
                     row: Mapping[str, float], tolerance: float
                     ) -> tuple[dict[str, float], str | None]:
    """Each cell from the row's earlier cells: what was expected, and the first that is off."""
    values = dict(state)
    expected: dict[str, float] = {}
    for column, text in columns.items():
        expected[column] = formula(text)(values)
        if not abs(row[column] - expected[column]) <= tolerance:
            return expected, column
        values[column] = float(row[column])  # carry the student's own value forward
    return expected, None


def judge_row(rows: Any, number: int, *, name: str, count: int, columns: Mapping[str, str],
              start: Mapping[str, float], tolerance: float,
              mistakes: Sequence[tuple[str, Mapping[str, str], str]] = ()) -> RowVerdict:
    """Row `number` of the student's table, judged from the rows before it."""
    keys = list(columns)
    problem = shape_problem(rows, number, name, count, keys)
    if problem:
        return RowVerdict(False, problem)
    earlier = next((n for n in range(1, number) if shape_problem(rows, n, name, count, keys)),
                   None)
    if earlier is not None:  # each row is judged from the one before: it must be complete
        return RowVerdict(False, f"row {number} is judged from row {earlier}, which is not "
                          f"complete: {shape_problem(rows, earlier, name, count, keys)}")
    state = dict(start)
    for row in rows[: number - 1]:
        state.update({k: float(v) for k, v in row.items() if k in columns})
    row = rows[number - 1]
    expected, wrong = first_wrong_cell(columns, state, row, tolerance)
    given = {k: float(row[k]) for k in columns}  # for reports: yours beside expected
    if wrong is None:
        return RowVerdict(True, f"row {number} follows from the row before it.",
                          detail={"expected": expected, "given": given})
    message = (f"row {number}: {wrong} is {row[wrong]:.6f}, but from your previous values it "
               f"should be {expected[wrong]:.6f}.")
    cause = ""
    for mistake, changed, hint in mistakes:
        if first_wrong_cell({**columns, **changed}, state, row, tolerance)[1] is None:
            cause = f"{mistake}: {hint}"
            break
    return RowVerdict(False, message + (f"\n  Likely cause: {cause}" if cause else ""), cause,
                      {"given": given, "expected": expected, "wrong": wrong})
