"""What `grader validate` asks of a function exercise: the names the spec gives exist in the
code, each known wrong variant as a submission, and no hidden case's arguments or trace
numbers in what students receive."""

from __future__ import annotations

from grader.kinds.function.check import reference_trace
from grader.kinds.function.diagnosis import REFERENCE, parsed, trace_format, variant_trace
from grader.kinds.function.model import FunctionExercise
from grader.kinds.function.trace import Trace, first_departure
from grader.spec import reference
from grader.spec.loader import Assignment
from grader.spec.models import Case
from grader.validation.leaks import Line, argument_leaks, number_leaks
from grader.validation.mistakes import KnownMistake
from grader.validation.static import exercise_file, spec_error


def check_code(assignment: Assignment, exercise: FunctionExercise) -> None:
    path = exercise_file(assignment, exercise.id)
    solution = reference.load_module(assignment.solution_path)
    if not callable(getattr(solution, exercise.reference, None)):
        raise spec_error(path, ["reference"], f"{assignment.solution_path.name} defines no "
                         f"function {exercise.reference!r}")
    if exercise.variants:
        variants_path = assignment.variants_path
        if variants_path is None or not variants_path.is_file():
            raise spec_error(path, ["variants"], "variants are declared, but the "
                             "assignment's `variants:` names no module file")
        module = reference.load_module(variants_path)
        for number, variant in enumerate(exercise.variants):
            if not callable(getattr(module, variant.function, None)):
                raise spec_error(path, ["variants", number, "function"], f"{variants_path.name} "
                            f"defines no function {variant.function!r}")
    printed: set[str] = set()
    for case in exercise.cases:
        text = reference.printed_output(assignment.solution_path, exercise.reference,
                                        tuple(case.args.values()))
        trace = parsed(text, trace_format(exercise), REFERENCE)
        printed.update(key for iteration in trace.iterations for key in iteration)
    missing = [key for key in exercise.trace.iteration_keys if key not in printed]
    if missing:
        raise spec_error(path, ["trace", "iteration_keys"], f"the reference never prints "
                    f"{missing[0]!r} (it prints {', '.join(sorted(printed)) or 'no key=value'})")


_WRAPPER = '''

import types as _grader_types

_grader_variants = _grader_types.ModuleType("_grader_variants")
exec(compile({source!r}, {file!r}, "exec"), _grader_variants.__dict__)


def {name}({parameters}):
    return _grader_variants.{function}({parameters}, **{keywords!r})
'''


def known_mistakes(assignment: Assignment, exercise: FunctionExercise, base: str
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


def leaks(assignment: Assignment, exercise: FunctionExercise, lines: list[Line],
                    numbers: list[tuple[float, Line]]) -> list[str]:
    found = argument_leaks(exercise, lines)
    if found:
        return found
    hidden = [c for c in exercise.cases if c.visibility != "visible"]
    shown = {v for c in exercise.cases if c.visibility == "visible"
             for v in _trace_values(assignment, exercise, c)}
    for case in hidden:
        secrets = [(f"a number of the hidden case {case.name!r}'s trace", v)
                   for v in sorted(set(_trace_values(assignment, exercise, case)))]
        found = number_leaks(exercise.id, secrets, numbers, exercise.tolerance, shown)
        if found:
            return found
    return []


def _trace_values(assignment: Assignment, exercise: FunctionExercise, case: Case
                  ) -> list[float]:
    trace = reference_trace(assignment, exercise, case)
    return [v for it in trace.iterations for v in it.values()] + list(trace.finals.values())
