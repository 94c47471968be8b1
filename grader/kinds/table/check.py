"""Hand-computed tables: each row checked from the student's own previous row.

Error carried forward: a slip in row 1 costs row 1 only. Within a row, each cell is
recomputed from the student's own earlier cells, so the message names the first cell that
does not follow, and a known wrong method (the spec's `mistakes`) is recognised by name.
"""

from __future__ import annotations

import math
from typing import Any

from grader.results import CheckResult
from grader.sandbox.probe_failure import explain
from grader.sandbox.protocol import ProbeOutcome
from grader.spec.formula import Formula
from grader.spec.models import TableExercise


def check_ids(exercise: TableExercise) -> list[tuple[str, float]]:
    share = exercise.points / exercise.rows
    return [(f"row-{n}", share) for n in range(1, exercise.rows + 1)]


def _result(exercise: TableExercise, number: int, passed: bool, output: str,
            diagnosis: str = "", **detail: Any) -> CheckResult:
    share = exercise.points / exercise.rows
    return CheckResult(f"{exercise.id}: row {number}", exercise.id, share if passed else 0.0,
                       share, passed, output, exercise.visibility, diagnosis, detail)


def unanswered(exercise: TableExercise, number: int, outcome: ProbeOutcome) -> CheckResult:
    return _result(exercise, number, False, explain(outcome, exercise.name))


def check_row(exercise: TableExercise, rows: Any, number: int) -> CheckResult:
    """Row `number` (1-based) of the student's table."""

    def result(passed: bool, output: str, diagnosis: str = "", **detail: Any) -> CheckResult:
        return _result(exercise, number, passed, output, diagnosis, **detail)

    problem = _shape_problem(exercise, rows, number)
    if problem:
        return result(False, problem)
    earlier = next((n for n in range(1, number) if _shape_problem(exercise, rows, n)), None)
    if earlier is not None:  # each row is judged from the one before: it must be complete
        return result(False, f"row {number} is judged from row {earlier}, which is not "
                      f"complete: {_shape_problem(exercise, rows, earlier)}")
    state = _state_before(exercise, rows, number)
    row = rows[number - 1]
    expected, wrong = _first_wrong_cell(exercise.columns, state, row, exercise.tolerance)
    given = {k: float(row[k]) for k in exercise.columns}  # for reports: yours beside expected
    if wrong is None:
        return result(True, f"row {number} follows from the row before it.", expected=expected,
                      given=given)
    got = row[wrong]
    output = (f"row {number}: {wrong} is {got:.6f}, but from your previous values it should be "
              f"{expected[wrong]:.6f}.")
    mistake = _recognise(exercise, state, row)
    cause = f"\n  Likely cause: {mistake}" if mistake else ""  # the same form for every kind
    return result(False, output + cause, mistake, given=given,
                  expected=expected,
                  wrong=wrong)


def _shape_problem(exercise: TableExercise, rows: Any, number: int) -> str:
    keys = list(exercise.columns)
    if not isinstance(rows, list):
        return f"`{exercise.name}` must be a list of {exercise.rows} dicts, one per step."
    if len(rows) < number:
        return f"`{exercise.name}` has no row {number}: fill in {exercise.rows} rows."
    row = rows[number - 1]
    if not isinstance(row, dict):
        return f"row {number} must be a dict with the keys {', '.join(keys)}."
    for key in keys:
        value = row.get(key)
        if key not in row or value is None or value is Ellipsis:
            return f"row {number} has no value for `{key}` yet."
        if type(value) not in (int, float) or not math.isfinite(value):
            return f"row {number}: `{key}` must be a number, not {value!r}."
    return ""


def _state_before(exercise: TableExercise, rows: list[dict], number: int) -> dict[str, float]:
    """The start, updated with the student's own rows before this one."""
    state = dict(exercise.start)
    for row in rows[: number - 1]:
        state.update({k: float(v) for k, v in row.items() if k in exercise.columns})
    return state


def _first_wrong_cell(
    columns: dict[str, str], state: dict[str, float], row: dict[str, float], tolerance: float
) -> tuple[dict[str, float], str | None]:
    values = dict(state)
    expected: dict[str, float] = {}
    for column, text in columns.items():
        expected[column] = Formula(text)(values)
        if not abs(row[column] - expected[column]) <= tolerance:
            return expected, column
        values[column] = float(row[column])  # carry the student's own value forward
    return expected, None


def _recognise(exercise: TableExercise, state: dict[str, float], row: dict[str, float]) -> str:
    for mistake in exercise.mistakes:
        columns = {**exercise.columns, **mistake.columns}
        _, wrong = _first_wrong_cell(columns, state, row, exercise.tolerance)
        if wrong is None:
            return f"{mistake.name}: {mistake.hint}"
    return ""
