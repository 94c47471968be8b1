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
from grader.spec import snapshot
from grader.spec.assignment import Assignment


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


def resolve_assignment(course: Path, assignment_id: str | None, path: Path, *,
                       snapshots: bool = False) -> Assignment:
    """The named assignment, else the one whose module name matches the file, else the only one.
    `snapshots`: from the specs as last validated when none changed (grader.spec.snapshot),
    without importing pydantic or YAML; any change, and the loader validates them again."""
    kept = _kept_assignments(course) if snapshots else None
    if kept is not None:
        return _choose(kept, assignment_id, path)
    from grader.spec.loader import find_assignments, load_assignment

    folders = find_assignments(course)
    # taken before anything is read: an edit while loading must not be kept as validated
    keys = {name: snapshot.digest(folder) for name, folder in folders.items()} \
        if snapshots else {}
    wanted = folders if assignment_id is None else [assignment_id]  # only the one named
    loaded = {name: load_assignment(folders[name]) for name in wanted if name in folders}
    chosen = _choose(loaded, assignment_id, path, known=folders)
    if snapshots:
        _keep_all(folders, keys, loaded, load_assignment)
    return chosen


def _choose(assignments: dict[str, Assignment], assignment_id: str | None, path: Path, *,
            known: dict[str, Path] | None = None) -> Assignment:
    names = sorted(known if known is not None else assignments)
    if assignment_id is not None:
        if assignment_id not in assignments:
            raise GraderError(f"unknown assignment {assignment_id!r} (known: "
                              f"{', '.join(names) or 'none'})")
        return assignments[assignment_id]
    stem = path.stem if path.is_file() else None
    matching = [a for a in assignments.values() if stem is None or a.spec.module == stem]
    if len(matching) == 1:
        return matching[0]
    if len(assignments) == 1:
        return next(iter(assignments.values()))
    raise GraderError(f"{path}: cannot tell which assignment this is; use --assignment "
                      f"({', '.join(names)})")


def _kept_assignments(course: Path) -> dict[str, Assignment] | None:
    """Every assignment of the course from its snapshot, or None if any is missing or stale
    (or two share an id: the loader says so, at the line)."""
    found: dict[str, Assignment] = {}
    for spec in sorted((course / "exercises").glob(f"*/{snapshot.ASSIGNMENT_FILE}")):
        assignment = snapshot.load(spec.parent)
        if assignment is None or assignment.id in found:
            return None
        found[assignment.id] = assignment
    return found or None


def _keep_all(folders: dict[str, Path], keys: dict[str, bytes | None],
              loaded: dict[str, Assignment], load: Callable[[Path], Assignment]) -> None:
    """Snapshot every assignment, so that the next check finds them all: the others are
    validated here once (one that does not validate is left out: it errs where it is used)."""
    for name, folder in folders.items():
        try:
            snapshot.keep(loaded[name] if name in loaded else load(folder), keys[name])
        except GraderError:
            continue
