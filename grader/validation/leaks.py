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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.kinds import kind_of
from grader.spec.loader import Assignment

# a number not inside a word or a version; a full stop after it ends a sentence
_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?!\w|\.\d)")


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
        problems += kind_of(exercise).leaks(assignment, exercise, lines, numbers)
    return problems


def argument_leaks(exercise: Any, lines: list[Line]) -> list[str]:
    for case in (c for c in exercise.cases if c.visibility != "visible"):
        args = [float(v) for v in case.args.values() if isinstance(v, (int, float))]
        for line in lines:
            if args and holds_in_a_row(_numbers(line.text), args):
                return [f"{exercise.id}: {line.where} shows the arguments of the hidden case "
                        f"{case.name!r}"]
    return []


def _numbers(text: str) -> list[float]:
    return [float(m.group()) for m in _NUMBER.finditer(text)]


def number_leaks(exercise_id: str, secrets: list[tuple[str, float]],
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


def holds_in_a_row(numbers: list[float], wanted: list[float]) -> bool:
    width = len(wanted)
    return any(numbers[i:i + width] == wanted for i in range(len(numbers) - width + 1))
