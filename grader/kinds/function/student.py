"""A function exercise's case as the student's side checks it: run, read the trace, judge.

Stdlib only, shipped verbatim (public checks, notebook test cells). The verdict is
`trace.judge`, the grader's own, so a public check passes exactly when the grader gives the
case full marks.
"""

from __future__ import annotations

from typing import Any

from ..local_run import call
from .trace import Format, Trace, judge, parse_trace


def _label(function: Any, args: list[Any]) -> str:
    return f"{getattr(function, '__name__', 'function')}({', '.join(map(str, args))})"


def _verdict(function: Any, args: list[Any], expected: dict[str, Any], fmt: dict[str, Any],
             tolerance: float, time_limit: float) -> tuple[str, Any]:
    label = _label(function, args)
    run = call(function, tuple(args), time_limit)
    if run.problem:
        raise AssertionError(f"{label}: {run.problem}")
    trace_format = Format.from_dict(fmt)
    verdict = judge(parse_trace(run.printed, trace_format), Trace.from_dict(expected),
                    trace_format, tolerance)
    return label, verdict


def check_case(function: Any, args: list[Any], expected: dict[str, Any],
               fmt: dict[str, Any], tolerance: float, time_limit: float) -> None:
    """A public check: the case earns full marks, else AssertionError saying where it departs."""
    label, verdict = _verdict(function, args, expected, fmt, tolerance, time_limit)
    assert verdict.full, f"{label}: {verdict.message}"
    print(f"✓ {label}: {verdict.message}")


def case_score(function: Any, args: list[Any], expected: dict[str, Any], fmt: dict[str, Any],
               tolerance: float, time_limit: float, points: float) -> float:
    """A notebook test cell: the points earned (nbgrader reads a number as partial credit);
    AssertionError when nothing is earned."""
    label, verdict = _verdict(function, args, expected, fmt, tolerance, time_limit)
    if verdict.fraction <= 0:
        raise AssertionError(f"{label}: {verdict.message}")
    print(("✓ " if verdict.full else "✗ ") + f"{label}: {verdict.message}")
    return round(points * verdict.fraction, 6)
