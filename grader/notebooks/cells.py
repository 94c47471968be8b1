"""The code of a notebook's answer and test cells, from the specs and the reference.

Answer cells hold the reference between nbgrader's `### BEGIN SOLUTION` / `### END SOLUTION`
markers; test cells are self-contained Python for a real kernel (they call the helpers of the
notebook's first cell, templates/notebook/helpers.py.j2), with what a student may not see (the
answer, the table formulas, the hidden cases' traces) between `### BEGIN HIDDEN TESTS` /
`### END HIDDEN TESTS`. One test cell per check of `grader check`, with the same points, so
nbgrader and the grader score each exercise alike.
"""

from __future__ import annotations

import ast
import inspect
import json
import textwrap
import types
from dataclasses import dataclass
from typing import Any

from grader.errors import SpecError
from grader.kinds.function.check import reference_trace
from grader.kinds.table import check as table_check
from grader.spec import reference
from grader.spec.loader import Assignment
from grader.spec.models import ExpressionExercise, FunctionExercise, TableExercise

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


@dataclass(frozen=True)
class GradedCell:
    """An autograder test cell: what everyone sees, and what only the grading run sees."""

    grade_id: str
    exercise: str
    points: float
    visible: str
    hidden: str = ""

    @property
    def source(self) -> str:
        if not self.hidden:
            return self.visible
        return f"{self.visible}\n{BEGIN_HIDDEN}\n{self.hidden}\n{END_HIDDEN}"


def _points(points: float) -> str:
    return f"{points:g} point" + ("" if points == 1 else "s")


def _literal(value: Any) -> str:
    """A Python literal (JSON is one for plain strings, numbers, lists and dicts)."""
    return json.dumps(value, ensure_ascii=False)


def answer_source(assignment: Assignment, exercise: Any) -> str:
    """The answer cell: a hint of the expected form, then the reference as the solution."""
    path = assignment.solution_path
    if isinstance(exercise, FunctionExercise):
        return _function_answer(assignment, exercise)
    value = reference.value(path, exercise.name)
    if isinstance(exercise, ExpressionExercise):
        hint = (f"# {exercise.name} = an expression string, in the form "
                f"\"{exercise.example}\" would be")
        solution = f"{exercise.name} = {_literal(value)}"
    else:
        start = ", ".join(f"{k} = {exercise.start[k]:.10g}" for k in exercise.shown_start)
        keys = ", ".join(exercise.columns)
        hint = (f"# {exercise.name} = a list of {exercise.rows} dicts, one per step, with the "
                f"keys {keys}\n# Start: {start}")
        rows = "".join(f"    {_literal(row)},\n" for row in value)
        solution = f"{exercise.name} = [\n{rows}]"
    return f"{hint}\n{BEGIN_SOLUTION}\n{solution}\n{END_SOLUTION}"


def _function_answer(assignment: Assignment, exercise: FunctionExercise) -> str:
    module = reference.load_module(assignment.solution_path)
    function = getattr(module, exercise.reference, None)
    if not isinstance(function, types.FunctionType):
        raise SpecError(f"{assignment.solution_path}:1: defines no function "
                        f"{exercise.reference!r}")
    if list(inspect.signature(function).parameters) != exercise.parameters:
        raise SpecError(f"{assignment.solution_path}:1: {exercise.reference} does not take "
                        f"({', '.join(exercise.parameters)})")
    # The helpers go inside the body, so the stripped cell still defines the function.
    parts = [*_dependencies(function, module), _body(function)]
    solution = textwrap.indent("\n\n".join(parts), "    ")
    return (f"def {exercise.name}({', '.join(exercise.parameters)}):\n"
            f"    \"\"\"{exercise.title}: see the exercise above.\"\"\"\n"
            f"    {BEGIN_SOLUTION}\n{solution}\n    {END_SOLUTION}")


def _dependencies(function: types.FunctionType, module: types.ModuleType) -> list[str]:
    """Source of the module-level names `function` uses, and of those they use in turn."""
    found: dict[str, str] = {}
    functions: list[str] = []  # after the constants and imports they may use
    pending = [function]
    while pending:
        used = inspect.getclosurevars(pending.pop()).globals
        for name, value in used.items():
            if name in found:
                continue
            if isinstance(value, types.FunctionType) and value.__module__ == module.__name__:
                found[name] = textwrap.dedent(inspect.getsource(value)).rstrip()
                functions.append(name)
                pending.append(value)
            elif isinstance(value, types.ModuleType):
                found[name] = f"import {value.__name__} as {name}"
            else:
                found[name] = f"{name} = {_constant(name, value)}"
    return [text for name, text in found.items() if name not in functions] + \
        [found[name] for name in functions]


def _constant(name: str, value: Any) -> str:
    text = repr(value)
    try:
        if ast.literal_eval(text) == value:
            return text
    except (ValueError, SyntaxError):
        pass
    raise SpecError(f"the reference uses {name!r}, which cannot be written into a notebook")


def _body(function: types.FunctionType) -> str:
    """The statements of `function` (no signature, no docstring), comments kept."""
    source = textwrap.dedent(inspect.getsource(function))
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.FunctionDef)
    statements = node.body
    if ast.get_docstring(node) is not None:
        statements = statements[1:]
    lines = source.splitlines()[statements[0].lineno - 1: node.end_lineno]
    return textwrap.dedent("\n".join(lines)).rstrip()


def graded_cells(assignment: Assignment, exercise: Any) -> list[GradedCell]:
    if isinstance(exercise, ExpressionExercise):
        return [_expression_test(exercise)]
    if isinstance(exercise, TableExercise):
        return [_row_test(exercise, number, points)
                for number, (_, points) in enumerate(table_check.check_ids(exercise), 1)]
    return _function_tests(assignment, exercise)


def _expression_test(exercise: ExpressionExercise) -> GradedCell:
    names = _literal(exercise.variables)
    visible = (f"# Test of {exercise.id} ({_points(exercise.points)}). Here: the form of "
               f"{exercise.name};\n# its value is checked when your notebook is graded.\n"
               f"_check_form({exercise.name}, {names})")
    mistakes = _literal([[m.answer, m.hint] for m in exercise.mistakes])
    hidden = (f"_check_expression({exercise.name}, {names}, answer={_literal(exercise.answer)},\n"
              f"                  definitions={_literal(exercise.definitions)},\n"
              f"                  start={_literal(exercise.start)}, points={exercise.points!r},\n"
              f"                  value_credit={exercise.value_only_credit!r},\n"
              f"                  mistakes={mistakes})")
    return GradedCell(f"test-{exercise.id}", exercise.id, exercise.points, visible, hidden)


def _row_test(exercise: TableExercise, number: int, points: float) -> GradedCell:
    keys = _literal(list(exercise.columns))
    visible = (f"# Test of {exercise.id}, row {number} ({_points(points)}). Here: that it is "
               f"filled in;\n# its numbers are checked when your notebook is graded.\n"
               f"_check_filled({exercise.name}, {number}, {exercise.rows}, {keys})")
    mistakes = _literal([[m.name, m.columns, m.hint] for m in exercise.mistakes])
    hidden = (f"_check_row({exercise.name}, {number}, {_literal(exercise.columns)},\n"
              f"           start={_literal(exercise.start)}, "
              f"tolerance={exercise.tolerance!r},\n"
              f"           mistakes={mistakes})")
    return GradedCell(f"test-{exercise.id}-row-{number}", exercise.id, points, visible, hidden)


def _function_tests(assignment: Assignment, exercise: FunctionExercise) -> list[GradedCell]:
    cells = []
    hidden_number = 0
    for case in exercise.cases:
        expected = reference_trace(assignment, exercise, case).to_dict()
        expected.pop("ignored", None)
        rows = "".join(f"     {_literal(i)},\n" for i in expected["iterations"])
        call = (f"_check_trace({exercise.name}, {_literal(list(case.args.values()))},\n"
                f"    {{\"iterations\": [\n{rows}     ],\n"
                f"     \"finals\": {_literal(expected['finals'])}}},\n"
                f"    tolerance={exercise.tolerance!r}, "
                f"keys={_literal(exercise.trace.iteration_keys)}, "
                f"final={_literal(exercise.trace.final_prefix)},\n"
                f"    time_limit={exercise.time_limit!r})")
        if case.visibility == "visible":
            head = f"# Test of {exercise.id}, case {case.name} ({_points(case.points)})\n"
            cells.append(GradedCell(f"test-{exercise.id}-{case.name}", exercise.id,
                                    case.points, head + call))
        else:  # nothing of a hidden case outside the hidden block, not even its name
            hidden_number += 1  # ids stay in the release: `hidden3`, not a `-3` to wonder at
            head = (f"# Hidden test of {exercise.id} ({_points(case.points)}): it runs when "
                    f"your notebook is graded.")
            cells.append(GradedCell(f"test-{exercise.id}-hidden{hidden_number}", exercise.id,
                                    case.points, head, call))
    return cells
