"""The grading workers inside the server: `jobs` probe threads and one checking thread.

Each probe thread claims a job, reads the upload and runs it in the sandbox (a bwrap
subprocess: the thread only waits on it). The checking thread grades each probed submission
with `grader.checks.grade_all` (what every generated hidden test calls, without a pytest
session), then commits its result with its job and updates the gradebook. One checking
thread, not grading in each probe thread: grading is CPU-bound under the GIL, so more threads
would not make it faster, only contend for `course.GRADING`. As in `grader grade`, the
grading process never imports student code.
"""

from __future__ import annotations

import logging
import os
import queue
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass

from grader import submission
from grader.commands.check import Answers, collect_answers
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


@dataclass(frozen=True)
class Probed:
    job: Job
    sub: StoredSubmission
    warm: Warm
    answers: Answers | None  # None: it could not be probed, `error` says why
    error: str = ""


class Workers:
    def __init__(self, store: Store, jobs_queue: JobQueue, course: Course, uploads: Uploads,
                 *, jobs: int, on_finished: Callable[[str], None] = lambda _: None) -> None:
        self.store, self.queue, self.course, self.uploads = store, jobs_queue, course, uploads
        self.jobs = jobs
        self.on_finished = on_finished
        self.ready: queue.Queue[Probed] = queue.Queue()
        self.stopping = threading.Event()
        self.wakeup = threading.Condition()
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        owner = f"{socket.gethostname()}:{os.getpid()}"
        for n in range(self.jobs):
            self.threads.append(threading.Thread(target=self._probe_loop, args=(f"{owner}:{n}",),
                                                 name=f"probe-{n}", daemon=True))
        self.threads.append(threading.Thread(target=self._check_loop, name="checks",
                                             daemon=True))
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

    def _probe_loop(self, owner: str) -> None:
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
            self.ready.put(self._probe(job))

    def _probe(self, job: Job) -> Probed:
        sub = self.store.submission(job.submission)
        assert sub is not None  # a job is queued with its submission, in one transaction
        warm = self.course.get(sub.assignment)
        if warm is None:
            return Probed(job, sub, None, None, f"assignment {sub.assignment!r} is gone")  # type: ignore[arg-type]
        if job.attempts > MAX_ATTEMPTS:
            return Probed(job, sub, warm, None, "grading was interrupted too often")
        try:
            found = submission.read(self.uploads.path(sub.sha256, sub.suffix))
            answers = collect_answers(warm.assignment, found,
                                      require_sandbox=self.course.require_sandbox)
        except Exception as exc:  # a grader fault: the submission's status says so
            log.exception("probing %s failed", sub.id)
            return Probed(job, sub, warm, None, f"{type(exc).__name__}: {exc}")
        return Probed(job, sub, warm, answers)

    def _check_loop(self) -> None:
        book = Gradebook(self.store.path)
        try:
            while not self.stopping.is_set():
                try:
                    item = self.ready.get(timeout=IDLE_POLL)
                except queue.Empty:
                    continue
                self._check(book, item)
        finally:
            book.close()

    def _check(self, book: Gradebook, item: Probed) -> None:
        if item.answers is None:
            self._finish(book, item, None, item.error)
            return
        try:
            results = grade(item.warm.assignment, item.answers.outcomes)
        except Exception as exc:  # a broken spec or reference (GraderError): a grader fault
            log.exception("checks failed for %s", item.sub.id)
            self._finish(book, item, None, f"the checks could not run: {exc}")
            return
        report = Report(item.sub.assignment, tuple(results), item.answers.seconds,
                        item.answers.notices)
        self._finish(book, item, report)

    def _finish(self, book: Gradebook, item: Probed, report: Report | None,
                error: str = "") -> None:
        document = report.to_dict() if report is not None else None
        try:
            committed = self.queue.complete(
                item.job, lambda db: self.store.finish(db, item.sub.id, document, error))
            if committed and report is not None:
                grades.sync(book, self.store, item.warm, item.sub.student)
        except Exception:
            log.exception("cannot record %s", item.sub.id)  # its lease runs out: graded again
            return
        self.on_finished(item.sub.id)
