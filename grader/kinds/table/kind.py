"""The `table` kind: numbers computed by hand, each row checked from the student's own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from grader.kinds.base import CheckInfo
from grader.kinds.named_value import NamedValueKind
from grader.kinds.table import check as table_check
from grader.notebooks.cells import GradedCell, literal, points_label, solution
from grader.spec import reference

if TYPE_CHECKING:
    from grader.kinds.table.model import TableExercise
    from grader.results import CheckResult
    from grader.sandbox.protocol import ProbeOutcome
    from grader.spec.loader import Assignment
    from grader.validation.leaks import Line
    from grader.validation.mistakes import KnownMistake


class TableKind(NamedValueKind):
    name = "table"
    shipped = ("table/formula.py", "table/rows.py", "table/student.py")

    def checks(self, exercise: TableExercise) -> list[CheckInfo]:
        return [CheckInfo(exercise.id, check, points, exercise.visibility)
                for check, points in table_check.check_ids(exercise)]

    def grade(self, assignment: Assignment, exercise: TableExercise, check: str,
              outcomes: Mapping[str, ProbeOutcome]) -> CheckResult:
        outcome = outcomes[exercise.id]
        number = int(check.removeprefix("row-"))
        if not outcome.ok:
            return table_check.unanswered(exercise, number, outcome)
        return table_check.check_row(exercise, outcome.value, number)

    def answer_cell(self, assignment: Assignment, exercise: TableExercise) -> str:
        start = ", ".join(f"{k} = {exercise.start[k]:.10g}" for k in exercise.shown_start)
        hint = (f"# {exercise.name} = a list of {exercise.rows} dicts, one per step, with the "
                f"keys {', '.join(exercise.columns)}\n# Start: {start}")
        value = reference.value(assignment.solution_path, exercise.name)
        rows = "".join(f"    {literal(row)},\n" for row in value)
        return solution(hint, f"{exercise.name} = [\n{rows}]")

    def test_cells(self, assignment: Assignment, exercise: TableExercise) -> list[GradedCell]:
        keys = literal(list(exercise.columns))
        cells = []
        for number, (_, points) in enumerate(table_check.check_ids(exercise), 1):
            visible = (f"# Test of {exercise.id}, row {number} ({points_label(points)}). Here: "
                       f"that it is filled in;\n# its numbers are checked when your notebook is "
                       f"graded.\n_table.check_filled({exercise.name}, {number}, "
                       f"{exercise.rows}, {keys}, {literal(exercise.name)})")
            hidden = (f"_table.check_row({exercise.name}, {number}, {exercise.rows}, "
                      f"{literal(exercise.columns)},\n"
                      f"    start={literal(exercise.start)}, tolerance={exercise.tolerance!r},\n"
                      f"    mistakes={literal(table_check.mistakes(exercise))},\n"
                      f"    name={literal(exercise.name)})")
            cells.append(GradedCell(f"test-{exercise.id}-row-{number}", exercise.id, points,
                                    visible, hidden))
        return cells


    def known_mistakes(self, assignment: Assignment, exercise: TableExercise, base: str
                       ) -> list[KnownMistake]:
        from grader.kinds.table import validation

        return validation.known_mistakes(exercise, base)

    def leaks(self, assignment: Assignment, exercise: TableExercise, lines: list[Line],
              numbers: list[tuple[float, Line]]) -> list[str]:
        from grader.kinds.table import validation

        return validation.leaks(exercise, numbers)


KIND = TableKind()
