"""The `returns` kind: a function whose returned value is compared with the reference's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from grader.kinds.base import CheckInfo
from grader.kinds.returns import check as returns_check
from grader.notebooks.cells import GradedCell, function_answer, literal, points_label

if TYPE_CHECKING:
    from grader.results import CheckResult
    from grader.sandbox.protocol import Probe, ProbeOutcome
    from grader.spec.loader import Assignment
    from grader.spec.models import ReturnsExercise


class ReturnsKind:
    name = "returns"
    shipped = ("returns/compare.py", "returns/student.py")

    def probes(self, exercise: ReturnsExercise) -> list[Probe]:
        return returns_check.probes(exercise)

    def checks(self, exercise: ReturnsExercise) -> list[CheckInfo]:
        return [CheckInfo(exercise.id, case.name, case.points, case.visibility)
                for case in exercise.cases]

    def grade(self, assignment: Assignment, exercise: ReturnsExercise, check: str,
              outcomes: Mapping[str, ProbeOutcome]) -> CheckResult:
        case = next(c for c in exercise.cases if c.name == check)
        outcome = outcomes[returns_check.probe_id(exercise, case)]
        return returns_check.check_case(assignment, exercise, case, outcome)

    def public_data(self, assignment: Assignment, exercise: ReturnsExercise) -> dict[str, Any]:
        return {"expected": {case.name: returns_check.expected_value(assignment, exercise, case)
                             for case in exercise.cases if case.visibility == "visible"}}

    def answer_cell(self, assignment: Assignment, exercise: ReturnsExercise) -> str:
        return function_answer(assignment, exercise)

    def test_cells(self, assignment: Assignment, exercise: ReturnsExercise
                   ) -> list[GradedCell]:
        cells, hidden_number = [], 0
        for case in exercise.cases:
            expected = returns_check.expected_value(assignment, exercise, case)
            call = (f"_returns.check_case({exercise.name}, {literal(list(case.args.values()))}, "
                    f"{literal(expected)},\n    tolerance={exercise.tolerance!r}, "
                    f"time_limit={exercise.time_limit!r})")
            label = points_label(case.points)
            if case.visibility == "visible":
                cells.append(GradedCell(f"test-{exercise.id}-{case.name}", exercise.id,
                                        case.points, f"# Test of {exercise.id}, case "
                                        f"{case.name} ({label})\n{call}"))
            else:
                hidden_number += 1
                cells.append(GradedCell(f"test-{exercise.id}-hidden{hidden_number}",
                                        exercise.id, case.points,
                                        f"# Hidden test of {exercise.id} ({label}): it runs "
                                        f"when your notebook is graded.", call))
        return cells


KIND = ReturnsKind()
