"""What `grader validate` asks of a table exercise: each known wrong method's table as a
submission, and none of the table's values in what students receive."""

from __future__ import annotations

from grader.kinds.table.formula import Formula
from grader.kinds.table.model import TableExercise, TableMistake
from grader.validation.leaks import Line, number_leaks
from grader.validation.mistakes import KnownMistake


def known_mistakes(exercise: TableExercise, base: str) -> list[KnownMistake]:
    return [table_mistake(exercise, n, m, base) for n, m in enumerate(exercise.mistakes)]


def leaks(exercise: TableExercise, numbers: list[tuple[float, Line]]) -> list[str]:
    secrets = [(f"the table's {column} of row {n}", v) for n, row in
               enumerate(table_rows(exercise, exercise.columns), start=1)
               for column, v in row.items()]
    return number_leaks(exercise.id, secrets, numbers, exercise.tolerance,
                        set(exercise.start.values()))


def table_rows(exercise: TableExercise, columns: dict[str, str]) -> list[dict[str, float]]:
    """The rows `columns` give from the start, each from the row before it."""
    state, rows = dict(exercise.start), []
    for _ in range(exercise.rows):
        row = {}
        for column, text in columns.items():
            row[column] = state[column] = Formula(text)(state)
        rows.append(row)
    return rows


def table_mistake(exercise: TableExercise, number: int, mistake: TableMistake, base: str
                   ) -> KnownMistake:
    wrong = table_rows(exercise, {**exercise.columns, **mistake.columns})
    concerns = []
    state = dict(exercise.start)
    for index, row in enumerate(wrong, start=1):  # judged from its own previous row
        values = dict(state)
        for column, text in exercise.columns.items():
            expected = Formula(text)(values)
            if not abs(row[column] - expected) <= exercise.tolerance:
                concerns.append(f"row-{index}")
                break
            values[column] = row[column]
        state.update(row)
    return KnownMistake(f"{exercise.id}/{number}", exercise.id, mistake.name, (mistake.name,),
                        base + f"\n{exercise.name} = {wrong!r}\n", tuple(concerns))
