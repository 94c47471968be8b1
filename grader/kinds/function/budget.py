"""A call's budget: how much a student's run may print before its trace can no longer match.

The reference trace is known before the student's code runs, so each case's call probe
carries a budget (`Probe.max_iterations`, `max_lines`, `trace_keys`), and the harness stops
the call as soon as it is exceeded (grader/sandbox/harness/harness_watch.Budget), or as soon
as a trace value is nan or inf. A trace with more iterations than the reference's cannot
match; the margin past that is what the diagnosis reads of a run that does not settle
(diagnosis.PREFIX_LIMIT first iterations, and one more that a cut trace drops). So a typical
diverging or oscillating mistake costs milliseconds instead of its whole time limit; only
code that prints nothing and never returns still meets the time limit.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

from grader.kinds.function.diagnosis import PREFIX_LIMIT, REFERENCE, parsed, trace_format
from grader.kinds.function.trace import Trace
from grader.sandbox.protocol import Probe, ProbeOutcome
from grader.spec import reference

if TYPE_CHECKING:  # the check path imports no pydantic (grader.spec.snapshot)
    from grader.kinds.function.model import FunctionExercise
    from grader.spec.loader import Assignment
    from grader.spec.models import Case


ITERATION_FACTOR, ITERATION_MARGIN = 3, 20  # reference iterations x 3 + 20
# Lines that are not trace lines are ignored, so they cannot make a trace fail; past this
# many (a correct solver prints a handful per iteration) it is a loop, not debugging.
MIN_LINES, LINE_FACTOR = 10_000, 100


def budget_for(expected: Trace, printed_lines: int) -> tuple[int, int]:
    """(max iterations, max lines) for a case whose reference trace is `expected` and which
    prints `printed_lines` lines."""
    iterations = max(ITERATION_FACTOR * len(expected.iterations) + ITERATION_MARGIN,
                     PREFIX_LIMIT + 2)
    return iterations, max(MIN_LINES, LINE_FACTOR * printed_lines)


def with_budget(probe: Probe, assignment: Assignment, exercise: FunctionExercise,
                case: Case) -> Probe:
    """`probe` with the case's budget attached, from the (cached) reference run."""
    text = reference.printed_output(assignment.solution_path, exercise.reference,
                                    tuple(case.args.values()))
    expected = parsed(text, trace_format(exercise), REFERENCE)
    iterations, lines = budget_for(expected, text.count("\n"))
    return replace(probe, max_iterations=iterations, max_lines=lines,
                   trace_keys=tuple(exercise.trace.iteration_keys))


def stopped_message(exercise: FunctionExercise, outcome: ProbeOutcome, student: Trace,
                    expected: Trace) -> str:
    """Why a call was stopped before its time limit, how far it got, and which way it went.
    `student` is the cut trace (parse_cut_trace), `outcome.error` the harness's reason."""
    # the harness's reason, unless it is the iteration count this message gives anyway
    reason = "" if "iterations" in outcome.error else outcome.error
    why = f"{reason}, and the reference" if reason else "the reference"
    trend = _trend(student, exercise.trace.iteration_keys)
    return (f"`{exercise.name}` was stopped after {len(student.iterations)} iteration(s), "
            f"long before its time limit: {why} stops after {len(expected.iterations)}"
            f"{'; ' + trend if trend else ''}. An endless loop? Check the stop test and "
            f"that the variables are updated each iteration.")


def _trend(student: Trace, keys: list[str]) -> str:
    """Which way the error went: from the `delta_<name>` iteration key, if there is one."""
    delta = next((key for key in keys if key.startswith("delta_")), None)
    if delta is None:
        return ""
    name = delta.removeprefix("delta_")
    values = [i[delta] for i in student.iterations if delta in i and math.isfinite(i[delta])]
    if len(values) < 3:
        return ""
    first, last = abs(values[0]), abs(values[-1])
    flips = sum(1 for a, b in zip(values, values[1:], strict=False) if a * b < 0)
    swings = flips * 2 >= len(values) - 1
    if last > 2 * first and swings:
        return f"{name} swings further from the target at every step"
    if last > 2 * first:
        return f"{name} moves away from the target"
    if swings:
        return f"{name} oscillates around the target without settling"
    if all(abs(v - values[0]) <= 1e-12 * max(1.0, abs(values[0])) for v in values):
        return f"{name} does not move"
    if last >= first:
        return f"{name} comes no closer to the target"
    return f"{name} approaches the target too slowly"
