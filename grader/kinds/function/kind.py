"""The `function` kind: code whose printed trace is compared with the reference's, by case."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from grader.kinds.cases import CaseKind
from grader.kinds.function import check as function_check
from grader.kinds.function import diagnosis
from grader.notebooks.cells import function_answer, literal

if TYPE_CHECKING:
    from grader.kinds.function.model import FunctionExercise
    from grader.results import CheckResult
    from grader.sandbox.protocol import Probe, ProbeOutcome
    from grader.spec.loader import Assignment
    from grader.spec.models import Case
    from grader.validation.leaks import Line
    from grader.validation.mistakes import KnownMistake


class FunctionKind(CaseKind):
    name = "function"
    shipped = ("function/trace.py", "function/student.py")

    def probes(self, assignment: Assignment, exercise: FunctionExercise) -> list[Probe]:
        return function_check.probes(exercise, assignment)  # with their budgets

    def grade_case(self, assignment: Assignment, exercise: FunctionExercise, case: Case,
                   outcome: ProbeOutcome) -> CheckResult:
        return function_check.check_case(assignment, exercise, case, outcome)

    def warm(self, assignment: Assignment, exercise: FunctionExercise) -> Iterator[None]:
        return diagnosis.warm(assignment.variants_path, exercise)

    def public_data(self, assignment: Assignment, exercise: FunctionExercise
                    ) -> dict[str, Any]:
        """The visible cases' reference traces and the trace format, as plain data."""
        return {"format": _format(exercise),
                "expected": {case.name: _expected(assignment, exercise, case)
                             for case in exercise.cases if case.visibility == "visible"}}

    def answer_cell(self, assignment: Assignment, exercise: FunctionExercise) -> str:
        return function_answer(assignment, exercise)

    def case_call(self, assignment: Assignment, exercise: FunctionExercise, case: Case) -> str:
        return (f"_function.case_score({exercise.name}, {literal(list(case.args.values()))},\n"
                f"    {literal(_expected(assignment, exercise, case))},\n"
                f"    {literal(_format(exercise))},\n"
                f"    tolerance={exercise.tolerance!r}, time_limit={exercise.time_limit!r}, "
                f"points={case.points!r})")


    def check_code(self, assignment: Assignment, exercise: FunctionExercise) -> None:
        from grader.kinds.function import validation

        validation.check_code(assignment, exercise)

    def known_mistakes(self, assignment: Assignment, exercise: FunctionExercise, base: str
                       ) -> list[KnownMistake]:
        from grader.kinds.function import validation

        return validation.known_mistakes(assignment, exercise, base)

    def leaks(self, assignment: Assignment, exercise: FunctionExercise, lines: list[Line],
              numbers: list[tuple[float, Line]]) -> list[str]:
        from grader.kinds.function import validation

        return validation.leaks(assignment, exercise, lines, numbers)


def _format(exercise: FunctionExercise) -> dict[str, Any]:
    return diagnosis.trace_format(exercise).to_dict()


def _expected(assignment: Assignment, exercise: FunctionExercise, case: Case) -> dict[str, Any]:
    expected = function_check.reference_trace(assignment, exercise, case).to_dict()
    expected.pop("ignored", None)
    return expected


KIND = FunctionKind()
