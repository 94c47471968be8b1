"""The `function` kind: code whose printed trace is compared with the reference's, by case."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from grader.kinds.base import CheckInfo
from grader.kinds.function import check as function_check
from grader.notebooks.cells import GradedCell, function_answer, literal, points_label

if TYPE_CHECKING:
    from grader.results import CheckResult
    from grader.sandbox.protocol import Probe, ProbeOutcome
    from grader.spec.loader import Assignment
    from grader.spec.models import FunctionExercise


class FunctionKind:
    name = "function"
    shipped = ("function/trace.py", "function/student.py")

    def probes(self, exercise: FunctionExercise) -> list[Probe]:
        return function_check.probes(exercise)

    def checks(self, exercise: FunctionExercise) -> list[CheckInfo]:
        return [CheckInfo(exercise.id, case.name, case.points, case.visibility)
                for case in exercise.cases]

    def grade(self, assignment: Assignment, exercise: FunctionExercise, check: str,
              outcomes: Mapping[str, ProbeOutcome]) -> CheckResult:
        case = next(c for c in exercise.cases if c.name == check)
        outcome = outcomes[function_check.probe_id(exercise, case)]
        return function_check.check_case(assignment, exercise, case, outcome)

    def public_data(self, assignment: Assignment, exercise: FunctionExercise
                    ) -> dict[str, Any]:
        """The visible cases' reference traces and the trace format, as plain data."""
        return {"format": _format(exercise),
                "expected": {case.name: _expected(assignment, exercise, case)
                             for case in exercise.cases if case.visibility == "visible"}}

    def answer_cell(self, assignment: Assignment, exercise: FunctionExercise) -> str:
        return function_answer(assignment, exercise)

    def test_cells(self, assignment: Assignment, exercise: FunctionExercise
                   ) -> list[GradedCell]:
        cells, hidden_number = [], 0
        for case in exercise.cases:
            call = (f"_function.case_score({exercise.name}, "
                    f"{literal(list(case.args.values()))},\n"
                    f"    {literal(_expected(assignment, exercise, case))},\n"
                    f"    {literal(_format(exercise))},\n"
                    f"    tolerance={exercise.tolerance!r}, time_limit={exercise.time_limit!r}, "
                    f"points={case.points!r})")
            if case.visibility == "visible":
                head = f"# Test of {exercise.id}, case {case.name} ({points_label(case.points)})\n"
                cells.append(GradedCell(f"test-{exercise.id}-{case.name}", exercise.id,
                                        case.points, head + call))
            else:  # nothing of a hidden case outside the hidden block, not even its name
                hidden_number += 1  # ids stay in the release: `hidden3`, not a `-3` to wonder at
                head = (f"# Hidden test of {exercise.id} ({points_label(case.points)}): it runs "
                        f"when your notebook is graded.")
                cells.append(GradedCell(f"test-{exercise.id}-hidden{hidden_number}",
                                        exercise.id, case.points, head, call))
        return cells


def _format(exercise: FunctionExercise) -> dict[str, Any]:
    from grader.kinds.function.trace import Format

    return Format.from_dict(exercise.trace.model_dump()).to_dict()


def _expected(assignment: Assignment, exercise: FunctionExercise, case: Any) -> dict[str, Any]:
    expected = function_check.reference_trace(assignment, exercise, case).to_dict()
    expected.pop("ignored", None)
    return expected


KIND = FunctionKind()
