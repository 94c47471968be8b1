"""The `returns` kind: a function whose returned value is compared with the reference's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from grader.kinds.cases import CaseKind
from grader.kinds.returns import check as returns_check
from grader.notebooks.cells import function_answer, literal

if TYPE_CHECKING:
    from grader.kinds.returns.model import ReturnsExercise
    from grader.results import CheckResult
    from grader.sandbox.protocol import Probe, ProbeOutcome
    from grader.spec.loader import Assignment
    from grader.spec.models import Case


class ReturnsKind(CaseKind):
    name = "returns"
    shipped = ("returns/compare.py", "returns/student.py")

    def probes(self, assignment: Assignment, exercise: ReturnsExercise) -> list[Probe]:
        return returns_check.probes(exercise)

    def grade_case(self, assignment: Assignment, exercise: ReturnsExercise, case: Case,
                   outcome: ProbeOutcome) -> CheckResult:
        return returns_check.check_case(assignment, exercise, case, outcome)

    def public_data(self, assignment: Assignment, exercise: ReturnsExercise) -> dict[str, Any]:
        return {"expected": {case.name: returns_check.expected_value(assignment, exercise, case)
                             for case in exercise.cases if case.visibility == "visible"}}

    def answer_cell(self, assignment: Assignment, exercise: ReturnsExercise) -> str:
        return function_answer(assignment, exercise)

    def case_call(self, assignment: Assignment, exercise: ReturnsExercise, case: Case) -> str:
        return (f"_returns.check_case({exercise.name}, {literal(list(case.args.values()))}, "
                f"{literal(returns_check.expected_value(assignment, exercise, case))},\n"
                f"    tolerance={exercise.tolerance!r}, time_limit={exercise.time_limit!r})")


KIND = ReturnsKind()
