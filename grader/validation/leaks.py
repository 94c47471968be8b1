"""Nothing a student receives may hold an answer: checked by evaluating what they receive.

The release (stub, public checks, notebook) is rendered into a folder; from every file come
its text fragments that read as expressions (string literals, and runs of the exercise's
names, numbers and operators in code, comments and markdown) and its numbers. A fragment that
evaluates to the expression answer at random points, a number that is a table value, a
hidden case's arguments in a row, or a number of a hidden case's reference trace is a leak.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.kinds.expression.quick import quick_equivalent
from grader.kinds.function.check import reference_trace
from grader.spec.loader import Assignment
from grader.spec.models import Case, ExpressionExercise, FunctionExercise, TableExercise
from grader.validation.mistakes import table_rows

# a number not inside a word or a version; a full stop after it ends a sentence
_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?!\w|\.\d)")
MAX_REPORTED = 5  # answer-like fragments reported per exercise
MAX_SPAN = 24  # tokens of one fragment tried as an expression: answers are short
SPEC_EXAMPLE = "set `example:` in the spec to an expression that is not the answer"


@dataclass(frozen=True)
class Line:
    file: str
    number: int
    text: str

    @property
    def where(self) -> str:
        return f"{self.file}:{self.number}"


def release_lines(folder: Path) -> list[Line]:
    """Every line a student receives: files as they are, a notebook's cells' sources."""
    lines = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".ipynb":
            cells = json.loads(text).get("cells", [])
            text = "\n".join("".join(c.get("source", "")) for c in cells)
        lines += [Line(path.name, n, t) for n, t in enumerate(text.splitlines(), start=1)]
    return lines


def find_leaks(assignment: Assignment, lines: list[Line]) -> list[str]:
    problems: list[str] = []
    numbers = sorted(((value, line) for line in lines for value in _numbers(line.text)),
                     key=lambda pair: pair[0])
    for exercise in assignment.exercises:
        if isinstance(exercise, ExpressionExercise):
            problems += _expression_leaks(exercise, lines)
        elif isinstance(exercise, TableExercise):
            secrets = [(f"the table's {column} of row {n}", v) for n, row in
                       enumerate(table_rows(exercise, exercise.columns), start=1)
                       for column, v in row.items()]
            problems += _number_leaks(exercise.id, secrets, numbers, exercise.tolerance,
                                      set(exercise.start.values()))
        elif isinstance(exercise, FunctionExercise):
            problems += _function_leaks(assignment, exercise, lines, numbers)
        elif getattr(exercise, "cases", None):  # any other kind with cases: their arguments
            problems += _argument_leaks(exercise, lines)
    return problems


def _argument_leaks(exercise: Any, lines: list[Line]) -> list[str]:
    for case in (c for c in exercise.cases if c.visibility != "visible"):
        args = [float(v) for v in case.args.values() if isinstance(v, (int, float))]
        for line in lines:
            if args and _holds_in_a_row(_numbers(line.text), args):
                return [f"{exercise.id}: {line.where} shows the arguments of the hidden case "
                        f"{case.name!r}"]
    return []


def _numbers(text: str) -> list[float]:
    return [float(m.group()) for m in _NUMBER.finditer(text)]


def _expression_leaks(exercise: ExpressionExercise, lines: list[Line]) -> list[str]:
    names = tuple(exercise.variables)
    token = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    run = re.compile(rf"(?:(?<![A-Za-z_])(?:{token})(?![A-Za-z0-9_])|\d+\.?\d*|[-+*/^()·.\s])+")
    found: dict[str, str] = {}  # each answer-like fragment once, where it first appears
    for line in lines:
        for match in run.finditer(line.text):
            for fragment in map(str.strip, _fragments(match.group(), names)):
                if fragment not in found and len(found) < MAX_REPORTED and quick_equivalent(
                        fragment.replace("·", "*"), exercise.answer, names, exercise.definitions):
                    fix = f" ({SPEC_EXAMPLE})" if fragment == exercise.example else ""
                    found[fragment] = (f"{exercise.id}: {line.where} shows {fragment!r}, which "
                                       f"is the answer{fix}")
    return list(found.values())


def _fragments(text: str, names: tuple[str, ...]) -> Iterator[str]:
    """Every span of whole tokens that names a variable: `= 2*x + 3*y (at` holds `2*x + 3*y`."""
    tokens = list(re.finditer(r"[A-Za-z_]\w*|\d+\.?\d*|\S", text))[:200]
    for start in range(len(tokens)):
        for end in range(start + 1, min(len(tokens), start + MAX_SPAN) + 1):
            if any(t.group() in names for t in tokens[start:end]):
                yield text[tokens[start].start():tokens[end - 1].end()]


def _number_leaks(exercise_id: str, secrets: list[tuple[str, float]],
                  numbers: list[tuple[float, Line]], tolerance: float,
                  shown: set[float]) -> list[str]:
    """A number within tolerance of a secret value. Not checked: values within tolerance of
    an integer or of a value the student is given, and values near 0 (an integer, or a
    tolerance like 0.0001, in a text says nothing)."""
    values = [value for value, _ in numbers]
    for label, secret in secrets:
        if abs(secret) < 100 * tolerance or abs(secret - round(secret)) <= tolerance or any(
                abs(secret - s) <= tolerance for s in shown):
            continue
        index = bisect.bisect_left(values, secret - tolerance)
        if index < len(values) and values[index] <= secret + tolerance:
            line = numbers[index][1]
            return [f"{exercise_id}: {line.where} shows {values[index]:g}, which is "
                    f"{label} (a value the student must find)"]
    return []


def _function_leaks(assignment: Assignment, exercise: FunctionExercise, lines: list[Line],
                    numbers: list[tuple[float, Line]]) -> list[str]:
    found = _argument_leaks(exercise, lines)
    if found:
        return found
    hidden = [c for c in exercise.cases if c.visibility != "visible"]
    shown = {v for c in exercise.cases if c.visibility == "visible"
             for v in _trace_values(assignment, exercise, c)}
    for case in hidden:
        secrets = [(f"a number of the hidden case {case.name!r}'s trace", v)
                   for v in sorted(set(_trace_values(assignment, exercise, case)))]
        found = _number_leaks(exercise.id, secrets, numbers, exercise.tolerance, shown)
        if found:
            return found
    return []


def _trace_values(assignment: Assignment, exercise: FunctionExercise, case: Case
                  ) -> list[float]:
    trace = reference_trace(assignment, exercise, case)
    return [v for it in trace.iterations for v in it.values()] + list(trace.finals.values())


def _holds_in_a_row(numbers: list[float], wanted: list[float]) -> bool:
    width = len(wanted)
    return any(numbers[i:i + width] == wanted for i in range(len(numbers) - width + 1))
