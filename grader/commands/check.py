"""`grader check`: grade one submission and return its `Report`.

Pipeline: locate and read the file -> ask it every probe in one sandboxed run -> run the
assignment's hidden pytest checks on those answers in this process -> a `Report`.
"""

from __future__ import annotations

import tempfile
import time
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
    started = time.monotonic()
    assignment = resolve_assignment(course, assignment_id, path)
    found = submission.read(submission.locate(path, assignment.spec.module))
    with ThreadPoolExecutor(max_workers=1) as pool, \
            tempfile.TemporaryDirectory(prefix="grader-checks-") as folder:
        # The sandbox is a subprocess: while a thread waits for it, this one does what does
        # not depend on the answers (importing pytest, rendering the checks). sympy is not
        # imported unless an expression answer is wrong: see grader.kinds.expression.quick.
        probing = pool.submit(collect_answers, assignment, found, require_sandbox=require_sandbox)
        from grader.commands.generate import render_hidden_tests
        from grader.pytest_plugin import run_hidden_checks

        tests = render_hidden_tests(assignment, Path(folder))
        answers = probing.result()
        results = run_hidden_checks(tests, assignment, {"submission": answers.outcomes})
    return Report(assignment.id, tuple(results["submission"]), time.monotonic() - started,
                  answers.notices)


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
