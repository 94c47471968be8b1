"""`grader grade DIR`: grade a whole class into the gradebook, fast and resumably.

DIR holds one folder per student (the folder's name is the student id), or one .py/.ipynb
file per student (its stem is the id). The per-assignment
work is done once per run: specs loaded, probes listed, hidden tests rendered, reference traces
cached (grader.spec.reference) and pytest imported. Then a pool of `jobs` threads each runs one
sandbox at a time (a subprocess: the threads only wait on it), while the main thread runs
one pytest session over the whole class, submission by submission, each waiting for its
probes, and writes each submission to the gradebook in its own transaction as soon as its
checks are done. So one more submission costs about one sandbox start plus a few ms of
checks, and a killed run loses only the submissions in flight.

Student files are hostile (grader.submission): the class folder is scanned first
(grader.commands.class_folder: where each submission is and its streamed hash, no text),
then each worker reads the one it grades and keeps only its outcomes, so memory holds one
submission per worker; a failure on one student is that student's graded result.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from grader import __version__, submission
from grader.commands.check import Answers, collect_answers, resolve_assignment
from grader.commands.class_folder import (
    INTERNAL,
    Student,
    read_student,
    student_entries,
    without_duplicates,
)
from grader.errors import GraderError
from grader.gradebook import DEFAULT_NAME, Entry, Gradebook, now
from grader.results import CheckResult, Report
from grader.sandbox.probing import sandbox_available
from grader.sandbox.protocol import ProbeOutcome
from grader.spec.assignment import Assignment

SAFE_ID = re.compile(r"[\w.-]+")  # \w: letters and digits of any script, and _


@dataclass(frozen=True)
class GradeSummary:
    """What a run did; plain data (JSON-ready) for the command and for tests."""

    assignment: str
    gradebook: str
    graded: int
    unchanged: int
    problems: tuple[tuple[str, str], ...]
    seconds: float
    totals: tuple[tuple[str, float], ...]  # every student in the gradebook, after the run
    max_score: float
    failed_checks: tuple[tuple[str, int], ...]
    unrunnable: int = 0  # of `graded`: a file that cannot be run at all, graded 0

    @property
    def rate(self) -> float:
        return self.graded / self.seconds if self.seconds > 0 else 0.0


def main(*, submissions: Path, assignment_id: str | None, course: Path, jobs: int | None = None,
         db: Path | None = None, progress: Callable[[int], Callable[[], None]] | None = None,
         html_dir: Path | None = None) -> GradeSummary:
    """Grade every student folder of `submissions` that changed since it was last graded.

    `progress(total)` is called once with the number to grade and returns a tick function.
    `html_dir`, when given, gets one HTML report per student graded (`report_name`).
    """
    started = time.monotonic()
    if not submissions.is_dir():
        raise GraderError(f"{submissions}: no such folder (one folder per student expected)")
    if not sandbox_available():  # before anything is read or written
        raise GraderError("refusing to grade a class without the sandbox: bubblewrap is not "
                          "installed (apt-get install bubblewrap)")
    assignment = resolve_assignment(course, assignment_id, submissions, snapshots=True)
    if html_dir is not None:
        html_dir.mkdir(parents=True, exist_ok=True)
    students = without_duplicates(  # where each submission is and its digest: no text held
        [read_student(submissions, name, assignment) for name in student_entries(submissions)])
    fingerprint = spec_fingerprint(assignment)
    with Gradebook(db or Path(DEFAULT_NAME)) as book:
        known = book.entries(assignment.id)
        todo = [s for s in students if not _unchanged(known.get(s.student), s, fingerprint)]
        tick = progress(len(todo)) if progress else (lambda: None)
        run, saved = now(), []

        def save(student: Student, report: Report | None) -> None:
            book.record(_entry(assignment, student, report, fingerprint, run), report)
            if html_dir is not None and report is not None:
                student = _write_html(report, html_dir, student, assignment)
            saved.append(student)
            tick()

        for student in (s for s in todo if s.problem):
            save(student, None)
        grade_submissions(assignment, [s for s in todo if not s.problem], save,
                          jobs=jobs or default_jobs())
        return _summary(book, assignment, saved, len(students) - len(todo),
                        time.monotonic() - started)


def _write_html(report: Report, html_dir: Path, student: Student, assignment: Assignment
                ) -> Student:
    """The student's own view (what the checks' visibility allows); if it cannot be
    rendered, that is said in their problem row."""
    from grader.reports.html import write_student_html  # matplotlib only when asked

    try:
        write_student_html(report, html_dir / report_name(student.student),
                           student=student.student, assignment=assignment)
    except OSError as exc:  # the instructor's disk or folder: not one student's fault
        raise GraderError(f"{html_dir}: cannot write a report: {exc.strerror or exc}") from None
    except Exception as exc:  # a bug of ours on this student's data: the class goes on
        return replace(student, found=submission.failed(
            student.found.path if student.found else html_dir,
            f"the HTML report could not be made ({type(exc).__name__}); tell the course staff",
            student.digest))
    return student


def report_name(student: str) -> str:
    """`<student>.html` for a plain, short id; else a safe prefix and a hash of the id, so a
    252-character id (past the 255-byte name limit), `..`, controls or a slash make a file
    name that exists, stays in the folder, and is the same on every run."""
    if SAFE_ID.fullmatch(student) and not student.startswith(".") and \
            len(student.encode()) <= 120:
        return f"{student}.html"
    prefix = re.sub(r"[^\w.-]", "_", student)[:40].lstrip(".")
    return f"{prefix}-{hashlib.sha256(student.encode()).hexdigest()[:16]}.html"


def default_jobs() -> int:
    """One sandbox per core, plus one: this process's pytest session keeps a core busy too,
    and a sandbox spends part of its life waiting (measured: 24 vs 22 submissions/s)."""
    return (os.cpu_count() or 1) + 1


def spec_fingerprint(assignment: Assignment) -> str:
    """What the grades depend on besides the submission: specs, reference code, grader version."""
    files = sorted(assignment.folder.glob("*.yaml"))
    files += [p for p in (assignment.solution_path, assignment.variants_path) if p]
    digest = hashlib.sha256(__version__.encode())
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def grade_submissions(assignment: Assignment, students: list[Student],
                      save: Callable[[Student, Report], None], *, jobs: int,
                      require_sandbox: bool = True) -> None:
    """Probe in `jobs` parallel sandboxes while one pytest session checks them in order."""
    if not students:
        return
    from grader.commands.generate import render_hidden_tests  # jinja2: only when grading

    with tempfile.TemporaryDirectory(prefix="grader-grade-") as scratch, \
            ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="sandbox") as pool:
        # rendered first: a course's own template that fails says so before any sandbox runs
        tests = render_hidden_tests(assignment, Path(scratch))
        # then the sandboxes start, and importing pytest and collecting the hidden tests
        # (~0.15 s on one core) overlap with them instead of holding them back
        probed = Probed({str(i): pool.submit(_probe, assignment, s, require_sandbox)
                         for i, s in enumerate(students)})

        def done(key: str, results: list[CheckResult]) -> None:
            answers, student = probed.futures[key].result()
            save(student, Report(assignment.id, tuple(results), answers.seconds,
                                 answers.notices))

        try:
            from grader.pytest_plugin import run_hidden_checks  # pytest: only when grading

            run_hidden_checks(tests, assignment, probed, on_done=done)
        finally:
            for future in probed.futures.values():  # on an error: start no more sandboxes
                future.cancel()


class Probed(Mapping[str, dict[str, ProbeOutcome]]):
    """Outcomes by key, each waited for only when its checks ask for it."""

    def __init__(self, futures: dict[str, Future[tuple[Answers, Student]]]) -> None:
        self.futures = futures

    def __getitem__(self, key: str) -> dict[str, ProbeOutcome]:
        return self.futures[key].result()[0].outcomes

    def __iter__(self) -> Iterator[str]:
        return iter(self.futures)

    def __len__(self) -> int:
        return len(self.futures)


def _probe(assignment: Assignment, student: Student, require_sandbox: bool
           ) -> tuple[Answers, Student]:
    """Read (one submission per worker in memory at a time), probe, and keep only the
    outcomes: the student is handed back without the text, with the digest of what ran."""
    try:
        found = student.found
        if found is None:
            assert student.location is not None
            found = submission.read(student.location)
        answers = collect_answers(assignment, found, require_sandbox=require_sandbox)
    except GraderError:
        raise  # the sandbox itself cannot start: every student would be graded wrong
    except Exception as exc:  # a bug of ours on this submission: graded 0, the class goes on
        path = student.location.path if student.location else Path(student.student)
        found = submission.failed(path, f"{INTERNAL} ({type(exc).__name__}: "
                                  f"{submission.stored_name(str(exc))})")
        answers = collect_answers(assignment, found)
    kept = replace(found, source="", cells=())
    return answers, replace(student, found=kept, digest=found.digest or student.digest)


def _unchanged(entry: Entry | None, student: Student, fingerprint: str) -> bool:
    return entry is not None and entry.hash == student.digest and \
        entry.fingerprint == fingerprint


def _entry(assignment: Assignment, student: Student, report: Report | None, fingerprint: str,
           run: str) -> Entry:
    path = submission.stored_name(str(student.found.path)) if student.found else ""
    score, top = (report.score, report.max_score) if report else (0.0, assignment.points)
    return Entry(student.student, assignment.id, student.digest, fingerprint, path,
                 student.problem, score, top, run, now())


def _summary(book: Gradebook, assignment: Assignment, todo: list[Student], unchanged: int,
             seconds: float) -> GradeSummary:
    """`todo`: the students as saved (with what their worker found)."""
    entries = book.entries(assignment.id)
    return GradeSummary(
        assignment=assignment.id, gradebook=str(book.path),
        graded=sum(1 for s in todo if not s.problem), unchanged=unchanged,
        problems=tuple((s.student, s.reported) for s in todo if s.reported),
        seconds=seconds, totals=tuple((s, e.score) for s, e in entries.items()),
        max_score=assignment.points, failed_checks=tuple(book.failed_checks(assignment.id)),
        unrunnable=sum(1 for s in todo if not s.problem and s.reported))


def render_summary(summary: GradeSummary, *, top: int = 5) -> Iterable[str]:
    """The end-of-run summary: counts, score distribution, the checks failed most often."""
    from grader.reports.text import printable  # student ids and messages: escaped

    # Disjoint counts that add up to the class; a file that cannot be run is graded (0
    # points) and listed as a problem, so it is said of the graded, not counted twice.
    not_graded = len(summary.problems) - summary.unrunnable
    unrunnable = f" ({summary.unrunnable} of them 0: cannot be run)" if summary.unrunnable \
        else ""
    yield (f"{summary.assignment}: graded {summary.graded}{unrunnable}, not graded "
           f"{not_graded}, unchanged {summary.unchanged} in {summary.seconds:.1f} s "
           f"({summary.rate:.1f} submissions/s); gradebook {summary.gradebook}")
    for student, problem in summary.problems:
        yield f"  problem: {printable(student)}: {printable(problem)}"
    scores = [score for _, score in summary.totals]
    if scores:
        mean = sum(scores) / len(scores)
        yield f"scores of {len(scores)} students (mean {mean:.2f} / {summary.max_score:g}):"
        yield from _histogram(scores, summary.max_score)
    if summary.failed_checks:
        yield "checks failed most often:"
        for name, count in summary.failed_checks[:top]:
            yield f"  {count:5d}  {printable(name)}"


def _histogram(scores: list[float], top: float, width: int = 40) -> Iterable[str]:
    bins = max(1, min(10, int(top)))
    counts = [0] * bins
    for score in scores:
        counts[min(bins - 1, int(score / top * bins)) if top else 0] += 1
    for i, count in enumerate(counts):
        low, high = top * i / bins, top * (i + 1) / bins
        bar = "#" * round(width * count / max(counts))
        close = "]" if i == bins - 1 else ")"
        yield f"  [{low:4g}, {high:4g}{close} {count:5d} {bar}"


@contextmanager
def progress_bar() -> Iterator[Callable[[int], Callable[[], None]]]:
    """A rich progress bar on stderr (count, rate, ETA); yields `progress` for `main`."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        Task,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task: Task) -> Text:
            return Text(f"{task.speed or 0:.1f}/s")

    # The console holds the real stderr itself: the hidden checks' pytest session swallows
    # whatever is written to sys.stderr meanwhile, which would hold the bar at 0 until the
    # end. Nor does the bar swap sys.stdout and sys.stderr for its own (rich's redirect):
    # only grader.spec.captured may stand in for sys.stdout while grading runs.
    bar = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), RateColumn(),
                   TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                   console=Console(file=sys.stderr), transient=False,
                   redirect_stdout=False, redirect_stderr=False)

    def start(total: int) -> Callable[[], None]:
        task = bar.add_task("grading", total=total)
        bar.start()  # only now: an error before grading starts prints one line, no bar
        return lambda: bar.advance(task)

    try:
        yield start
    finally:
        if bar.live.is_started:
            bar.stop()
