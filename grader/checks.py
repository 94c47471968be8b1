"""The checks of an assignment: which exist, what they need from a submission, how to run one.

The hidden pytest files generated from the specs call `run_check` by (exercise, check) id;
everything here runs in the grading process on plain data (`ProbeOutcome`s).
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.kinds.expression.check import check_answer
from grader.kinds.function import check as function_check
from grader.kinds.table import check as table_check
from grader.results import CheckResult
from grader.sandbox.protocol import Probe, ProbeOutcome
from grader.spec.loader import Assignment
from grader.spec.models import ExpressionExercise, FunctionExercise, TableExercise


@dataclass(frozen=True)
class CheckInfo:
    """One check as the generated test files name it."""

    exercise: str
    check: str
    points: float
    visibility: str

    @property
    def test_name(self) -> str:
        return f"test_{self.exercise}__{self.check}".replace("-", "_")


def check_infos(assignment: Assignment) -> list[CheckInfo]:
    infos = []
    for exercise in assignment.exercises:
        if isinstance(exercise, ExpressionExercise):
            infos.append(CheckInfo(exercise.id, "answer", exercise.points, exercise.visibility))
        elif isinstance(exercise, TableExercise):
            infos += [CheckInfo(exercise.id, check, points, exercise.visibility)
                      for check, points in table_check.check_ids(exercise)]
        else:
            infos += [CheckInfo(exercise.id, case.name, case.points, case.visibility)
                      for case in exercise.cases]
    return infos


def probes(assignment: Assignment) -> tuple[Probe, ...]:
    """Everything the grader needs to ask the submission, for every exercise."""
    found: list[Probe] = []
    for exercise in assignment.exercises:
        if isinstance(exercise, FunctionExercise):
            found += function_check.probes(exercise, assignment)  # with their budgets
        else:
            found.append(Probe(exercise.id, "value", exercise.name))
    return tuple(found)


def run_check(
    assignment: Assignment, outcomes: dict[str, ProbeOutcome], exercise_id: str, check: str
) -> CheckResult:
    exercise = assignment.by_id[exercise_id]
    if isinstance(exercise, ExpressionExercise):
        return check_answer(exercise, outcomes[exercise.id])
    if isinstance(exercise, TableExercise):
        outcome = outcomes[exercise.id]
        number = int(check.removeprefix("row-"))
        if not outcome.ok:
            return table_check.unanswered(exercise, number, outcome)
        return table_check.check_row(exercise, outcome.value, number)
    case = next(c for c in exercise.cases if c.name == check)
    outcome = outcomes[function_check.probe_id(exercise, case)]
    return function_check.check_case(assignment, exercise, case, outcome)
