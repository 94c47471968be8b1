"""`grader check`: grade one submission and return its `Report`.

Pipeline: locate and read the file -> ask it every probe in one sandboxed run -> grade each
of the assignment's checks on those answers in this process -> a `Report`.

The checks are graded by `grader.checks.grade_all`, the function the generated hidden pytest
suite calls one check at a time (`grader grade` runs that suite over a class). One submission
needs no pytest session: starting one (importing pytest, rendering the suite, collecting it)
cost ~300 ms of each `grader check`, for the same `CheckResult`s
(tests/test_check_agreement.py holds both ways to the same results).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from grader import checks, submission
from grader.errors import GraderError
from grader.results import Report
from grader.sandbox.probing import probe_submission
from grader.sandbox.protocol import ProbeOutcome
from grader.spec.loader import Assignment, find_assignments, load_assignment


@dataclass(frozen=True)
class Answers:
    """A submission's probe outcomes, plus what the person should know about the run."""

    outcomes: dict[str, ProbeOutcome]
    notices: tuple[str, ...] = ()
    seconds: float = 0.0  # the sandboxed run's wall time


def main(*, path: Path, assignment_id: str | None, course: Path,
         require_sandbox: bool = False) -> Report:
    assignment = resolve_assignment(course, assignment_id, path)
    return grade_file(assignment, path, require_sandbox=require_sandbox)


def grade_file(assignment: Assignment, path: Path, *, require_sandbox: bool = False,
               meanwhile: Callable[[], object] | None = None) -> Report:
    """Grade the submission at `path`. `meanwhile` runs in this thread while the sandbox
    runs (a subprocess, waited on by a thread of its own): the caller's own preparation,
    such as importing what will render the report."""
    started = time.monotonic()
    found = submission.read(submission.locate(path, assignment.spec.module))
    with ThreadPoolExecutor(max_workers=1) as pool:
        probing = pool.submit(collect_answers, assignment, found, require_sandbox=require_sandbox)
        if meanwhile is not None:
            meanwhile()
        for _ in checks.warm_steps(assignment):  # only while the main thread would wait
            if probing.done():
                break
        answers = probing.result()
    results = checks.grade_all(assignment, answers.outcomes)
    return Report(assignment.id, tuple(results), time.monotonic() - started, answers.notices)


def collect_answers(assignment: Assignment, found: submission.Submission, *,
                    require_sandbox: bool = False) -> Answers:
    probes = checks.probes(assignment)
    if found.problem:
        return Answers({p.id: ProbeOutcome(p.id, "load_error", error=found.problem)
                        for p in probes})
    run = probe_submission(found.source, probes, module_file=assignment.module_file,
                           cells=found.cells, require_isolation=require_sandbox,
                           packages=tuple(assignment.spec.packages))
    notices = (run.notice,) if run.notice else ()
    if run.problem:
        notices += (run.problem,)
    return Answers(run.outcomes, notices, run.seconds)


def resolve_assignment(course: Path, assignment_id: str | None, path: Path) -> Assignment:
    """The named assignment, else the one whose module name matches the file, else the only one."""
    folders = find_assignments(course)
    if assignment_id is not None:
        if assignment_id not in folders:
            known = ", ".join(sorted(folders)) or "none"
            raise GraderError(f"unknown assignment {assignment_id!r} (known: {known})")
        return load_assignment(folders[assignment_id])
    assignments = [load_assignment(folder) for folder in folders.values()]
    stem = path.stem if path.is_file() else None
    matching = [a for a in assignments if stem is None or a.spec.module == stem]
    if len(matching) == 1:
        return matching[0]
    if len(assignments) == 1:
        return assignments[0]
    raise GraderError(f"{path}: cannot tell which assignment this is; use --assignment "
                      f"({', '.join(sorted(folders))})")
