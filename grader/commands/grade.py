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
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from grader import __version__, submission
from grader.commands.check import Answers, collect_answers, resolve_assignment
from grader.errors import GraderError
from grader.gradebook import DEFAULT_NAME, Entry, Gradebook, now
from grader.results import CheckResult, Report
from grader.sandbox.probing import sandbox_available
from grader.sandbox.protocol import ProbeOutcome
from grader.spec.loader import Assignment


@dataclass(frozen=True)
class Student:
    """One student folder, read: the submission to grade, or why there is none."""

    student: str
    found: submission.Submission | None
    digest: str
    problem: str = ""  # no submission file, or two candidates: reported, not graded

    @property
    def reported(self) -> str:
        """What the summary lists: the problem, or why the file could not be run (graded 0)."""
        return self.problem or (self.found.problem if self.found else "")


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
    `html_dir`, when given, gets one HTML report per student graded (`<student>.html`).
    """
    started = time.monotonic()
    if not submissions.is_dir():
        raise GraderError(f"{submissions}: no such folder (one folder per student expected)")
    if not sandbox_available():  # before anything is read or written
        raise GraderError("refusing to grade a class without the sandbox: bubblewrap is not "
                          "installed (apt-get install bubblewrap)")
    assignment = resolve_assignment(course, assignment_id, submissions)
    if html_dir is not None:
        html_dir.mkdir(parents=True, exist_ok=True)
    students = without_duplicates(
        [read_student(folder, assignment) for folder in student_folders(submissions)])
    fingerprint = spec_fingerprint(assignment)
    with Gradebook(db or Path(DEFAULT_NAME)) as book:
        known = book.entries(assignment.id)
        todo = [s for s in students if not _unchanged(known.get(s.student), s, fingerprint)]
        tick = progress(len(todo)) if progress else (lambda: None)
        run = now()

        def save(student: Student, report: Report | None) -> None:
            book.record(_entry(assignment, student, report, fingerprint, run), report)
            if html_dir is not None and report is not None:
                from grader.reports.html import write_student_html  # matplotlib only when asked

                write_student_html(report, html_dir / f"{student.student}.html",
                                   student=student.student, assignment=assignment)
            tick()

        for student in (s for s in todo if s.problem):
            save(student, None)
        grade_submissions(assignment, [s for s in todo if not s.problem], save,
                          jobs=jobs or default_jobs())
        return _summary(book, assignment, todo, len(students) - len(todo),
                        time.monotonic() - started)


def default_jobs() -> int:
    """One sandbox per core, plus one: this process's pytest session keeps a core busy too,
    and a sandbox spends part of its life waiting (measured: 24 vs 22 submissions/s)."""
    return (os.cpu_count() or 1) + 1


def student_folders(submissions: Path) -> list[Path]:
    """One folder per student (the contract's layout), or one .py/.ipynb file per student
    (student id: the file's stem), as a folder of handed-in files often is."""
    return sorted(p for p in submissions.iterdir() if not p.name.startswith(".") and (
        p.is_dir() or (p.suffix in submission.SUFFIXES and not p.name.startswith("test_"))))


def without_duplicates(students: list[Student]) -> list[Student]:
    """`alice/` beside `alice.py`: one student id, two submissions; neither is guessed at."""
    counts = Counter(s.student for s in students)
    kept = [s for s in students if counts[s.student] == 1]
    for student in sorted(s for s, n in counts.items() if n > 1):
        problem = f"{counts[student]} submissions for this student id (a folder and a file?)"
        kept.append(Student(student, None, _sha(problem), problem))
    return sorted(kept, key=lambda s: s.student)


def read_student(folder: Path, assignment: Assignment) -> Student:
    student = folder.name if folder.is_dir() else folder.stem
    try:
        found = submission.read(submission.locate(folder, assignment.spec.module))
    except GraderError as exc:
        problem = str(exc).removeprefix(f"{folder}: ")
        return Student(student, None, _sha(problem), problem)
    return Student(student, found, found.digest)


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
    from grader.commands.generate import render_hidden_tests  # jinja2 and pytest: only when grading
    from grader.pytest_plugin import run_hidden_checks

    with tempfile.TemporaryDirectory(prefix="grader-grade-") as scratch, \
            ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="sandbox") as pool:
        tests = render_hidden_tests(assignment, Path(scratch))
        probed = Probed({str(i): pool.submit(_probe, assignment, s, require_sandbox)
                         for i, s in enumerate(students)})

        def done(key: str, results: list[CheckResult]) -> None:
            answers = probed.futures[key].result()
            save(students[int(key)], Report(assignment.id, tuple(results),
                                            answers.seconds, answers.notices))

        try:
            run_hidden_checks(tests, assignment, probed, on_done=done)
        finally:
            for future in probed.futures.values():  # on an error: start no more sandboxes
                future.cancel()


class Probed(Mapping[str, dict[str, ProbeOutcome]]):
    """Outcomes by key, each waited for only when its checks ask for it."""

    def __init__(self, futures: dict[str, Future[Answers]]) -> None:
        self.futures = futures

    def __getitem__(self, key: str) -> dict[str, ProbeOutcome]:
        return self.futures[key].result().outcomes

    def __iter__(self) -> Iterator[str]:
        return iter(self.futures)

    def __len__(self) -> int:
        return len(self.futures)


def _probe(assignment: Assignment, student: Student, require_sandbox: bool) -> Answers:
    assert student.found is not None
    return collect_answers(assignment, student.found, require_sandbox=require_sandbox)


def _unchanged(entry: Entry | None, student: Student, fingerprint: str) -> bool:
    return entry is not None and entry.hash == student.digest and \
        entry.fingerprint == fingerprint


def _entry(assignment: Assignment, student: Student, report: Report | None, fingerprint: str,
           run: str) -> Entry:
    path = str(student.found.path) if student.found else ""
    score, top = (report.score, report.max_score) if report else (0.0, assignment.points)
    return Entry(student.student, assignment.id, student.digest, fingerprint, path,
                 student.problem, score, top, run, now())


def _summary(book: Gradebook, assignment: Assignment, todo: list[Student], unchanged: int,
             seconds: float) -> GradeSummary:
    entries = book.entries(assignment.id)
    return GradeSummary(
        assignment=assignment.id, gradebook=str(book.path),
        graded=sum(1 for s in todo if not s.problem), unchanged=unchanged,
        problems=tuple((s.student, s.reported) for s in todo if s.reported),
        seconds=seconds, totals=tuple((s, e.score) for s, e in entries.items()),
        max_score=assignment.points, failed_checks=tuple(book.failed_checks(assignment.id)),
        unrunnable=sum(1 for s in todo if not s.problem and s.reported))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def render_summary(summary: GradeSummary, *, top: int = 5) -> Iterable[str]:
    """The end-of-run summary: counts, score distribution, the checks failed most often."""
    # Disjoint counts that add up to the class; a file that cannot be run is graded (0
    # points) and listed as a problem, so it is said of the graded, not counted twice.
    not_graded = len(summary.problems) - summary.unrunnable
    unrunnable = f" ({summary.unrunnable} of them 0: cannot be run)" if summary.unrunnable \
        else ""
    yield (f"{summary.assignment}: graded {summary.graded}{unrunnable}, not graded "
           f"{not_graded}, unchanged {summary.unchanged} in {summary.seconds:.1f} s "
           f"({summary.rate:.1f} submissions/s); gradebook {summary.gradebook}")
    for student, problem in summary.problems:
        yield f"  problem: {student}: {problem}"
    scores = [score for _, score in summary.totals]
    if scores:
        mean = sum(scores) / len(scores)
        yield f"scores of {len(scores)} students (mean {mean:.2f} / {summary.max_score:g}):"
        yield from _histogram(scores, summary.max_score)
    if summary.failed_checks:
        yield "checks failed most often:"
        for name, count in summary.failed_checks[:top]:
            yield f"  {count:5d}  {name}"


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

    bar = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), RateColumn(),
                   TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                   console=Console(stderr=True), transient=False)

    def start(total: int) -> Callable[[], None]:
        task = bar.add_task("grading", total=total)
        bar.start()  # only now: an error before grading starts prints one line, no bar
        return lambda: bar.advance(task)

    try:
        yield start
    finally:
        if bar.live.is_started:
            bar.stop()
