"""Hand-computed tables graded in the grading process: one check per row (`rows.judge_row`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from grader.kinds.table.rows import judge_row
from grader.results import CheckResult
from grader.sandbox.probe_failure import explain
from grader.sandbox.protocol import ProbeOutcome

if TYPE_CHECKING:  # the check path imports no pydantic (grader.spec.snapshot)
    from grader.kinds.table.model import TableExercise



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


def mistakes(exercise: TableExercise) -> list[tuple[str, dict[str, str], str]]:
    return [(m.name, dict(m.columns), m.hint) for m in exercise.mistakes]


def check_row(exercise: TableExercise, rows: Any, number: int) -> CheckResult:
    """Row `number` (1-based) of the student's table."""
    verdict = judge_row(rows, number, name=exercise.name, count=exercise.rows,
                        columns=exercise.columns, start=exercise.start,
                        tolerance=exercise.tolerance, mistakes=mistakes(exercise))
    return _result(exercise, number, verdict.passed, verdict.message, verdict.diagnosis,
                   **verdict.detail)
