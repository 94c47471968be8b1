"""Known mistakes as submissions: each must lose points where it matters and be named there.

Every function-exercise variant becomes the reference module with the student's solver
replaced by a wrapper around the variant (the variants module's source is carried inside, so
the submission runs like any other); every expression and table `mistakes:` entry becomes the
reference with that one wrong answer. `concerns` lists the checks where the mistake differs
from the reference: it must lose points on each and its name (or hint) must be the diagnosis.
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.kinds.function.check import reference_trace
from grader.kinds.function.diagnosis import variant_trace
from grader.kinds.function.trace import Trace, first_departure
from grader.kinds.table.formula import Formula
from grader.spec.loader import Assignment
from grader.spec.models import (
    ExpressionExercise,
    FunctionExercise,
    TableExercise,
    TableMistake,
)


@dataclass(frozen=True)
class KnownMistake:
    """A submission holding one known mistake, and what grading it must show."""

    key: str  # unique among the assignment's mistakes: the graded submission's key
    exercise: str
    name: str  # how validate's table calls it
    names: tuple[str, ...]  # any of these in a check's diagnosis names the mistake
    source: str  # the whole submission
    concerns: tuple[str, ...]  # check ids (CheckInfo.check) where it differs from the reference
    # check id -> other mistakes' names that give the very same result there (one start can
    # make two methods coincide, e.g. factors kept from the start and the chapter's 63, 18)
    alike: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def accepted(self, check: str) -> tuple[str, ...]:
        return self.names + dict(self.alike).get(check, ())


def known_mistakes(assignment: Assignment) -> list[KnownMistake]:
    base = assignment.solution_path.read_text(encoding="utf-8")
    found: list[KnownMistake] = []
    for exercise in assignment.exercises:
        if isinstance(exercise, ExpressionExercise):
            found += [KnownMistake(f"{exercise.id}/{n}", exercise.id, m.answer, (m.hint,),
                                   base + f"\n{exercise.name} = {m.answer!r}\n", ("answer",))
                      for n, m in enumerate(exercise.mistakes)]
        elif isinstance(exercise, TableExercise):
            found += [_table_mistake(exercise, n, m, base) for n, m in
                      enumerate(exercise.mistakes)]
        elif isinstance(exercise, FunctionExercise):
            found += _variants(assignment, exercise, base)
    return found


def table_rows(exercise: TableExercise, columns: dict[str, str]) -> list[dict[str, float]]:
    """The rows `columns` give from the start, each from the row before it."""
    state, rows = dict(exercise.start), []
    for _ in range(exercise.rows):
        row = {}
        for column, text in columns.items():
            row[column] = state[column] = Formula(text)(state)
        rows.append(row)
    return rows


def _table_mistake(exercise: TableExercise, number: int, mistake: TableMistake, base: str
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


_WRAPPER = '''

import types as _grader_types

_grader_variants = _grader_types.ModuleType("_grader_variants")
exec(compile({source!r}, {file!r}, "exec"), _grader_variants.__dict__)


def {name}({parameters}):
    return _grader_variants.{function}({parameters}, **{keywords!r})
'''


def _variants(assignment: Assignment, exercise: FunctionExercise, base: str
              ) -> list[KnownMistake]:
    path = assignment.variants_path
    if path is None:
        return []
    source = path.read_text(encoding="utf-8")
    found = []
    tolerance = exercise.tolerance
    for number, variant in enumerate(exercise.variants):
        traces = {case.name: variant_trace(path, exercise, variant, case)
                  for case in exercise.cases}
        concerns = tuple(
            case.name for case in exercise.cases
            if first_departure(traces[case.name], reference_trace(assignment, exercise, case),
                               tolerance) is not None)
        alike = tuple(
            (case.name, tuple(other.name for other in exercise.variants if other != variant
                              and _same(variant_trace(path, exercise, other, case),
                                        traces[case.name], tolerance)))
            for case in exercise.cases if case.name in concerns)
        wrapper = _WRAPPER.format(source=source, file=path.name, name=exercise.name,
                                  parameters=", ".join(exercise.parameters),
                                  function=variant.function, keywords=dict(variant.parameters))
        found.append(KnownMistake(f"{exercise.id}/{number}", exercise.id, variant.name,
                                  (variant.name,), base + wrapper, concerns, alike))
    return found


def _same(one: Trace, other: Trace, tolerance: float) -> bool:
    return first_departure(one, other, tolerance) is None and \
        first_departure(other, one, tolerance) is None
