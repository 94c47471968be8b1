"""The course as the server grades it: every assignment loaded once, its hidden checks
rendered once, and the grading path warmed up by grading the reference solution.

What `grader grade` does once per run is done here once per server (and again for one
assignment on "regrade all" after its spec changed), so a submission costs its sandbox run
and its checks, nothing else on the grading side.
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from grader import submission
from grader.commands.check import collect_answers
from grader.commands.generate import render_hidden_tests
from grader.commands.grade import spec_fingerprint
from grader.errors import GraderError
from grader.pytest_plugin import OnDone, run_hidden_checks
from grader.results import CheckResult
from grader.sandbox.protocol import ProbeOutcome
from grader.spec.loader import Assignment, find_assignments, load_assignment


@dataclass(frozen=True)
class Warm:
    """One assignment ready to grade: its spec, its rendered checks, its fingerprint."""

    assignment: Assignment
    tests: Path
    fingerprint: str


class Course:
    def __init__(self, folder: Path, scratch: Path, *, require_sandbox: bool = True) -> None:
        self.folder = folder
        self.scratch = scratch
        self.require_sandbox = require_sandbox
        self._lock = threading.Lock()
        self._serial = itertools.count()
        self._warm: dict[str, Warm] = {}
        for assignment_id, path in find_assignments(folder).items():
            self._warm[assignment_id] = self._prepare(load_assignment(path))

    def ids(self) -> list[str]:
        return sorted(self._warm)

    def get(self, assignment_id: str) -> Warm | None:
        return self._warm.get(assignment_id)

    def reload(self, assignment_id: str) -> Warm:
        """Load the assignment's spec again (it changed) and render its checks afresh."""
        path = find_assignments(self.folder).get(assignment_id)
        if path is None:
            raise GraderError(f"assignment {assignment_id!r} is no longer in {self.folder}")
        warm = self._prepare(load_assignment(path))
        with self._lock:
            self._warm[assignment_id] = warm
        return warm

    def _prepare(self, assignment: Assignment) -> Warm:
        tests = self.scratch / f"{assignment.id}-{next(self._serial)}"
        tests.mkdir(parents=True)
        warm = Warm(assignment, render_hidden_tests(assignment, tests),
                    spec_fingerprint(assignment))
        self._self_test(warm)
        return warm

    def _self_test(self, warm: Warm) -> None:
        """Grade the reference once: it warms every cache (pytest, the reference traces) and
        refuses to serve an assignment whose own solution does not score full marks."""
        found = submission.read(warm.assignment.solution_path)
        answers = collect_answers(warm.assignment, found, require_sandbox=self.require_sandbox)
        results = run_checks(warm, {"reference": answers.outcomes})
        failed = [r.name for r in results["reference"] if not r.passed]
        if failed:
            raise GraderError(f"{warm.assignment.folder}: the reference solution fails "
                              f"{', '.join(failed)}; run `grader validate`")
        _warm_expressions(warm.assignment)


_CHECKS = threading.Lock()  # one pytest session at a time in this process: it is not reentrant


def run_checks(warm: Warm, submissions: Mapping[str, dict[str, ProbeOutcome]],
               on_done: OnDone | None = None) -> dict[str, list[CheckResult]]:
    """`run_hidden_checks` on `warm`'s rendered checks, one session at a time. Every rendering
    names its module `test_hidden` (pytest imports it by that name, without a package): the
    module of another rendering (another assignment, an older spec) is forgotten first, or
    pytest would refuse the second as an import mismatch."""
    with _CHECKS:
        for name, module in list(sys.modules.items()):
            where = getattr(module, "__file__", None) or ""
            if where.startswith(str(warm.tests.parent)) and not where.startswith(
                    f"{warm.tests}{os.sep}"):
                del sys.modules[name]
        try:
            return run_hidden_checks(warm.tests, warm.assignment, submissions, on_done=on_done)
        except KeyboardInterrupt:  # pytest's "interrupted", also its answer to a collection
            # error; off the main thread it is no Ctrl-C, and must not end a worker thread
            if threading.current_thread() is threading.main_thread():
                raise
            raise GraderError(f"{warm.tests}: the hidden checks were interrupted") from None


def _warm_expressions(assignment: Assignment) -> None:
    """Judge a wrong answer to each expression exercise once: sympy (a second or more to
    import) is then loaded before the first student's wrong answer, whose check runs under a
    wall-clock limit in a worker thread and must not pay for the import."""
    from grader.kinds.expression.model import ExpressionExercise
    from grader.kinds.expression.parse import judge_expression

    for exercise in assignment.exercises:
        if isinstance(exercise, ExpressionExercise):
            judge_expression("0", answer=exercise.answer, allowed_names=exercise.variables,
                             definitions=exercise.definitions, point=exercise.start,
                             time_limit=60.0)
