"""A `returns` case as the student's side checks it: call, compare with `compare`'s rule.

Stdlib only, shipped verbatim (public checks, notebook test cells).
"""

from __future__ import annotations

from typing import Any

from ..local_run import call
from .compare import envelope, first_difference


def check_case(function: Any, args: list[Any], expected: dict[str, Any], tolerance: float,
               time_limit: float) -> None:
    """The call returns the reference's value, else AssertionError saying where it differs."""
    label = f"{getattr(function, '__name__', 'function')}({', '.join(map(str, args))})"
    run = call(function, tuple(args), time_limit, encode=envelope)
    assert not run.problem, f"{label}: {run.problem}"
    difference = first_difference(run.returned or {}, expected, tolerance)
    assert not difference, f"{label}: {difference}"
    print(f"✓ {label} returns the expected value")
