"""The grading workers inside the server: `jobs` threads, each grading one job at a time.

A worker claims a job, reads the upload and runs it in the sandbox (a bwrap subprocess: the
thread only waits on it, so `jobs` sandboxes run at once), grades the answers with
`grader.checks.grade_all` (what every generated hidden test calls, without a pytest
session; one grading at a time in the process, `course.GRADING`), then commits the result
with its job and updates the gradebook. No hand-off to a checking thread: it would add a
thread switch to every submission's latency and buy nothing, as grading holds the GIL
anyway. As in `grader grade`, the grading process never imports student code.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable

from grader import submission
from grader.commands.check import collect_answers
from grader.gradebook import Gradebook
from grader.results import Report
from grader.server import grades
from grader.server.course import Course, Warm, grade
from grader.server.queue import MAX_ATTEMPTS, Job, JobQueue
from grader.server.store import Store, StoredSubmission
from grader.server.uploads import Uploads

LEASE_SECONDS = 600.0  # far above any sandbox run (its time limits are seconds)
IDLE_POLL = 0.5  # seconds; a new job also wakes the workers at once
log = logging.getLogger("grader.server")


class Workers:
    def __init__(self, store: Store, jobs_queue: JobQueue, course: Course, uploads: Uploads,
                 *, jobs: int, on_finished: Callable[[str], None] = lambda _: None) -> None:
        self.store, self.queue, self.course, self.uploads = store, jobs_queue, course, uploads
        self.jobs = jobs
        self.on_finished = on_finished
        self.stopping = threading.Event()
        self.wakeup = threading.Condition()
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        owner = f"{socket.gethostname()}:{os.getpid()}"
        for n in range(self.jobs):
            self.threads.append(threading.Thread(target=self._loop, args=(f"{owner}:{n}",),
                                                 name=f"grade-{n}", daemon=True))
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.wake()
        for thread in self.threads:
            thread.join(timeout=30)

    def wake(self) -> None:
        with self.wakeup:
            self.wakeup.notify_all()

    def _loop(self, owner: str) -> None:
        book = Gradebook(self.store.path)  # sqlite3 connections are per thread
        try:
            while not self.stopping.is_set():
                try:
                    job = self.queue.claim(owner, LEASE_SECONDS)
                except Exception:  # the database busy for too long: try again, never die
                    log.exception("cannot claim a job")
                    job = None
                if job is None:
                    with self.wakeup:
                        self.wakeup.wait(IDLE_POLL)
                    continue
                self._grade(book, job)
        finally:
            book.close()

    def _grade(self, book: Gradebook, job: Job) -> None:
        sub = self.store.submission(job.submission)
        assert sub is not None  # a job is queued with its submission, in one transaction
        warm = self.course.get(sub.assignment)
        if warm is None:
            gone = f"assignment {sub.assignment!r} is gone"
            return self._finish(book, job, sub, None, None, gone)
        if job.attempts > MAX_ATTEMPTS:
            return self._finish(book, job, sub, warm, None, "grading was interrupted too often")
        try:
            found = submission.read(self.uploads.path(sub.sha256, sub.suffix))
            answers = collect_answers(warm.assignment, found,
                                      require_sandbox=self.course.require_sandbox)
        except Exception as exc:  # a grader fault: the submission's status says so
            log.exception("probing %s failed", sub.id)
            return self._finish(book, job, sub, warm, None, f"{type(exc).__name__}: {exc}")
        try:
            results = grade(warm.assignment, answers.outcomes)
        except Exception as exc:  # a broken spec or reference (GraderError): a grader fault
            log.exception("checks failed for %s", sub.id)
            return self._finish(book, job, sub, warm, None, f"the checks could not run: {exc}")
        report = Report(sub.assignment, tuple(results), answers.seconds, answers.notices)
        return self._finish(book, job, sub, warm, report)

    def _finish(self, book: Gradebook, job: Job, sub: StoredSubmission, warm: Warm | None,
                report: Report | None, error: str = "") -> None:
        document = report.to_dict() if report is not None else None
        try:
            committed = self.queue.complete(
                job, lambda db: self.store.finish(db, sub.id, document, error))
            if committed and report is not None and warm is not None:
                grades.sync(book, self.store, warm, sub.student, (sub.id, report))
        except Exception:
            log.exception("cannot record %s", sub.id)  # its lease runs out: graded again
            return
        self.on_finished(sub.id)
