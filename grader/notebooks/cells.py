"""What every kind's notebook cells share: nbgrader's markers, graded cells, literals.

Answer cells hold the reference between nbgrader's `### BEGIN SOLUTION` / `### END SOLUTION`
markers; test cells are Python for a real kernel calling the grader's own student-side
checks (embedded by the notebook's first cell), with what a student may not see (the answer,
the table formulas, the hidden cases' traces) between `### BEGIN HIDDEN TESTS` /
`### END HIDDEN TESTS`. Each kind writes its own cells (`Kind.answer_cell`, `test_cells`).
"""

from __future__ import annotations

import ast
import inspect
import json
import textwrap
import types
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from grader.errors import SpecError
from grader.spec import reference

if TYPE_CHECKING:
    from grader.spec.loader import Assignment

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


def points_label(points: float) -> str:
    return f"{points:g} point" + ("" if points == 1 else "s")


def literal(value: Any) -> str:
    """A Python literal of plain data: JSON's spelling, but True, False and None (a trace's
    `more: false` is not Python)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)  # numbers, booleans, None


def solution(hint: str, code: str) -> str:
    """An answer cell: the hint everyone sees, the solution nbgrader strips from the release."""
    return f"{hint}\n{BEGIN_SOLUTION}\n{code}\n{END_SOLUTION}"


def function_answer(assignment: Assignment, exercise: Any) -> str:
    """The answer cell of an exercise whose answer is a function: the reference's body."""
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
