"""Spec mistakes that only running the instructor's code reveals: a reference or variant
function that does not exist, trace keys the reference never prints.

Each is the instructor's error, so a `SpecError` at the line of the spec that names the thing
(exit 2), not at the Python file, which is not where the typo is.
"""

from __future__ import annotations

from pathlib import Path

from grader.errors import SpecError
from grader.kinds import kind_of
from grader.spec.loader import Assignment, spec_line


def check_code(assignment: Assignment) -> None:
    """Raise a `SpecError` for the first name in a spec that the code does not define."""
    for exercise in assignment.exercises:
        kind_of(exercise).check_code(assignment, exercise)


def exercise_file(assignment: Assignment, exercise_id: str) -> Path:
    return assignment.folder / f"{exercise_id}.yaml"


def spec_error(path: Path, keys: list[str | int], message: str) -> SpecError:
    where = ".".join(str(k) for k in keys)
    return SpecError(f"{path}:{spec_line(path, keys)}: {where}: {message}")


