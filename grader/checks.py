"""The checks of an assignment: which exist, what they need from a submission, how to run one.

The hidden pytest files generated from the specs call `run_check` by (exercise, check) id;
`grade_all` calls it for every check in their order (one submission, no pytest session:
`grader check`). Everything here runs in the grading process on plain data
(`ProbeOutcome`s), through each exercise's kind (`grader.kinds`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from grader.kinds import kind_of
from grader.kinds.base import CheckInfo
from grader.results import CheckResult
from grader.sandbox.protocol import Probe, ProbeOutcome

if TYPE_CHECKING:  # the check path imports no pydantic (grader.spec.snapshot)
    from grader.spec.loader import Assignment


__all__ = ["CheckInfo", "check_infos", "grade_all", "probes", "run_check", "warm_steps"]


def check_infos(assignment: Assignment) -> list[CheckInfo]:
    return [info for exercise in assignment.exercises
            for info in kind_of(exercise).checks(exercise)]


def probes(assignment: Assignment) -> tuple[Probe, ...]:
    """Everything the grader needs to ask the submission, for every exercise."""
    return tuple(probe for exercise in assignment.exercises
                 for probe in kind_of(exercise).probes(assignment, exercise))


def run_check(
    assignment: Assignment, outcomes: dict[str, ProbeOutcome], exercise_id: str, check: str
) -> CheckResult:
    exercise = assignment.by_id[exercise_id]
    return kind_of(exercise).grade(assignment, exercise, check, outcomes)


def grade_all(assignment: Assignment, outcomes: dict[str, ProbeOutcome]) -> list[CheckResult]:
    """Every check of the assignment, in the order of its hidden test file."""
    return [run_check(assignment, outcomes, info.exercise, info.check)
            for info in check_infos(assignment)]


def warm_steps(assignment: Assignment) -> Iterator[None]:
    """Each kind's spec-only preparation for grading, in small steps (see `Kind.warm`)."""
    for exercise in assignment.exercises:
        yield from kind_of(exercise).warm(assignment, exercise)
