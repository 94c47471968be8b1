"""Spec mistakes that only running the instructor's code reveals: a reference or variant
function that does not exist, trace keys the reference never prints.

Each is the instructor's error, so a `SpecError` at the line of the spec that names the thing
(exit 2), not at the Python file, which is not where the typo is.
"""

from __future__ import annotations

from pathlib import Path

from grader.errors import SpecError
from grader.kinds.function.trace import parse_trace
from grader.spec import reference
from grader.spec.loader import Assignment, spec_line
from grader.spec.models import FunctionExercise


def check_code(assignment: Assignment) -> None:
    """Raise a `SpecError` for the first name in a spec that the code does not define."""
    for exercise in assignment.exercises:
        if isinstance(exercise, FunctionExercise):
            _check_function(assignment, exercise)


def exercise_file(assignment: Assignment, exercise_id: str) -> Path:
    return assignment.folder / f"{exercise_id}.yaml"


def _fail(path: Path, keys: list[str | int], message: str) -> SpecError:
    where = ".".join(str(k) for k in keys)
    return SpecError(f"{path}:{spec_line(path, keys)}: {where}: {message}")


def _check_function(assignment: Assignment, exercise: FunctionExercise) -> None:
    path = exercise_file(assignment, exercise.id)
    solution = reference.load_module(assignment.solution_path)
    if not callable(getattr(solution, exercise.reference, None)):
        raise _fail(path, ["reference"], f"{assignment.solution_path.name} defines no function "
                    f"{exercise.reference!r}")
    if exercise.variants:
        variants_path = assignment.variants_path
        if variants_path is None or not variants_path.is_file():
            raise _fail(path, ["variants"], "variants are declared, but the assignment's "
                        "`variants:` names no module file")
        module = reference.load_module(variants_path)
        for number, variant in enumerate(exercise.variants):
            if not callable(getattr(module, variant.function, None)):
                raise _fail(path, ["variants", number, "function"], f"{variants_path.name} "
                            f"defines no function {variant.function!r}")
    printed: set[str] = set()
    for case in exercise.cases:
        text = reference.printed_output(assignment.solution_path, exercise.reference,
                                        tuple(case.args.values()))
        trace = parse_trace(text, exercise.trace)
        printed.update(key for iteration in trace.iterations for key in iteration)
    missing = [key for key in exercise.trace.iteration_keys if key not in printed]
    if missing:
        raise _fail(path, ["trace", "iteration_keys"], f"the reference never prints "
                    f"{missing[0]!r} (it prints {', '.join(sorted(printed)) or 'no key=value'})")
