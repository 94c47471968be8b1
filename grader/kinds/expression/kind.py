"""The `expression` kind: a symbolic answer, given as a string in ordinary notation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from grader.kinds.base import CheckInfo
from grader.kinds.expression.check import check_answer
from grader.kinds.named_value import NamedValueKind
from grader.notebooks.cells import GradedCell, literal, points_label, solution
from grader.spec import reference

if TYPE_CHECKING:
    from grader.kinds.expression.model import ExpressionExercise
    from grader.results import CheckResult
    from grader.sandbox.protocol import ProbeOutcome
    from grader.spec.loader import Assignment
    from grader.validation.leaks import Line
    from grader.validation.mistakes import KnownMistake


class ExpressionKind(NamedValueKind):
    name = "expression"
    shipped = ("expression/notation.py", "expression/quick.py", "expression/student.py")

    def checks(self, exercise: ExpressionExercise) -> list[CheckInfo]:
        return [CheckInfo(exercise.id, "answer", exercise.points, exercise.visibility)]

    def grade(self, assignment: Assignment, exercise: ExpressionExercise, check: str,
              outcomes: Mapping[str, ProbeOutcome]) -> CheckResult:
        return check_answer(exercise, outcomes[exercise.id])

    def answer_cell(self, assignment: Assignment, exercise: ExpressionExercise) -> str:
        hint = (f"# {exercise.name} = an expression string, in the form "
                f"\"{exercise.example}\" would be")
        value = reference.value(assignment.solution_path, exercise.name)
        return solution(hint, f"{exercise.name} = {literal(value)}")

    def test_cells(self, assignment: Assignment, exercise: ExpressionExercise
                   ) -> list[GradedCell]:
        names = literal(exercise.variables)
        visible = (f"# Test of {exercise.id} ({points_label(exercise.points)}). Here: the form "
                   f"of {exercise.name};\n# its value is checked when your notebook is graded.\n"
                   f"_expression.check_form({exercise.name}, {names})")
        mistakes = literal([[m.answer, m.hint] for m in exercise.mistakes])
        hidden = (f"_expression.expression_score({exercise.name}, {names}, "
                  f"answer={literal(exercise.answer)},\n"
                  f"    definitions={literal(exercise.definitions)},\n"
                  f"    start={literal(exercise.start)}, points={exercise.points!r},\n"
                  f"    value_credit={exercise.value_only_credit!r},\n"
                  f"    mistakes={mistakes})")
        return [GradedCell(f"test-{exercise.id}", exercise.id, exercise.points, visible,
                           hidden)]


    def known_mistakes(self, assignment: Assignment, exercise: ExpressionExercise, base: str
                       ) -> list[KnownMistake]:
        from grader.kinds.expression import validation

        return validation.known_mistakes(exercise, base)

    def leaks(self, assignment: Assignment, exercise: ExpressionExercise, lines: list[Line],
              numbers: list[tuple[float, Line]]) -> list[str]:
        from grader.kinds.expression import validation

        return validation.leaks(exercise, lines)


KIND = ExpressionKind()
