"""The course as the server grades it: every assignment loaded once, its fingerprint taken
once, and the grading path warmed up (each kind's warm steps, then grading the reference).

What `grader grade` does once per run is done here once per server (and again for one
assignment on "regrade all" after its spec changed), so a submission costs its sandbox run
and its checks, nothing else on the grading side. The checks are `grader.checks.grade_all`,
the function each generated hidden test calls, in the same order (tests/test_check_agreement.py
holds it to the pytest suite's results): no pytest session, no rendered test files.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from grader import checks, submission
from grader.commands.check import collect_answers
from grader.commands.grade import spec_fingerprint
from grader.errors import GraderError
from grader.results import CheckResult
from grader.sandbox.protocol import ProbeOutcome
from grader.spec.loader import Assignment, find_assignments, load_assignment


@dataclass(frozen=True)
class Warm:
    """One assignment ready to grade: its spec and its gradebook fingerprint."""

    assignment: Assignment
    fingerprint: str

    @classmethod
    def of(cls, assignment: Assignment) -> Warm:
        return cls(assignment, spec_fingerprint(assignment))


# Grading runs reference and variant code (their traces, on first use). Their prints are
# captured per thread (grader.spec.captured), so two threads grading at once (the checking
# thread, a "regrade all" reloading a spec) no longer capture each other's; one grading at a
# time is kept all the same, as in `grader grade`: grading is a few ms of a submission's
# cost, and the per-process trace caches then never compute one trace twice at once.
GRADING = threading.Lock()


def grade(assignment: Assignment, outcomes: dict[str, ProbeOutcome]) -> list[CheckResult]:
    """`grader.checks.grade_all`, one grading at a time in this process."""
    with GRADING:
        return checks.grade_all(assignment, outcomes)


class Course:
    def __init__(self, folder: Path, *, require_sandbox: bool = True) -> None:
        self.folder = folder
        self.require_sandbox = require_sandbox
        self._lock = threading.Lock()
        self._warm: dict[str, Warm] = {}
        for assignment_id, path in find_assignments(folder).items():
            self._warm[assignment_id] = self._prepare(load_assignment(path))

    def ids(self) -> list[str]:
        return sorted(self._warm)

    def get(self, assignment_id: str) -> Warm | None:
        return self._warm.get(assignment_id)

    def reload(self, assignment_id: str) -> Warm:
        """Load the assignment's spec again (it changed) and self-test it afresh."""
        path = find_assignments(self.folder).get(assignment_id)
        if path is None:
            raise GraderError(f"assignment {assignment_id!r} is no longer in {self.folder}")
        warm = self._prepare(load_assignment(path))
        with self._lock:
            self._warm[assignment_id] = warm
        return warm

    def _prepare(self, assignment: Assignment) -> Warm:
        warm = Warm.of(assignment)
        with GRADING:
            for _ in checks.warm_steps(assignment):  # every kind's spec-only preparation
                pass
        self._self_test(assignment)
        _warm_expressions(assignment)
        return warm

    def _self_test(self, assignment: Assignment) -> None:
        """Grade the reference once: it warms the reference traces, and refuses to serve an
        assignment whose own solution does not score full marks."""
        found = submission.read(assignment.solution_path)
        answers = collect_answers(assignment, found, require_sandbox=self.require_sandbox)
        failed = [r.name for r in grade(assignment, answers.outcomes)
                  if not r.passed]
        if failed:
            raise GraderError(f"{assignment.folder}: the reference solution fails "
                              f"{', '.join(failed)}; run `grader validate`")


def _warm_expressions(assignment: Assignment) -> None:
    """Judge a wrong answer to each expression exercise once: sympy (a second or more to
    import) is then loaded before the first student's wrong answer, whose check runs under a
    wall-clock limit in a worker thread and must not pay for the import. Kind-specific: no
    wrong submission graded through `grade_all` reliably gets past the sympy-free quick
    judge, and `Kind.warm` is also `grader check`'s, which must not import sympy."""
    from grader.kinds.expression.model import ExpressionExercise
    from grader.kinds.expression.parse import judge_expression

    for exercise in assignment.exercises:
        if isinstance(exercise, ExpressionExercise):
            judge_expression("0", answer=exercise.answer, allowed_names=exercise.variables,
                             definitions=exercise.definitions, point=exercise.start,
                             time_limit=60.0)
