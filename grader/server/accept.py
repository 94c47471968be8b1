"""Accepting a submission: the course policy's checks, then the upload committed to the
uploads folder and the submission queued in one database transaction, before the 202.

Shared by the API and the web form, so both refuse and accept alike.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from grader.server import policy
from grader.server.course import Course
from grader.server.form import Form
from grader.server.queue import JobQueue
from grader.server.store import Person, Store, StoredSubmission
from grader.spec.loader import Assignment


class Refused(Exception):
    def __init__(self, status: int, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.retry_after = status, message, retry_after


@dataclass(frozen=True)
class Accepted:
    id: str
    status: str = "queued"


def accept(store: Store, jobs: JobQueue, course: Course, person: Person,
           form: Form) -> Accepted:
    """Check, commit and queue `form`'s upload; `Refused` says why not (the upload discarded)."""
    try:
        return _accept(store, jobs, course, person, form)
    except BaseException:
        if form.upload is not None:
            form.upload.discard()  # a no-op once committed: the stored file may be shared
        raise


def _accept(store: Store, jobs: JobQueue, course: Course, person: Person,
            form: Form) -> Accepted:
    assignment_id = form.fields.get("assignment", "")
    warm = course.get(assignment_id)
    if warm is None:
        raise Refused(404, f"unknown assignment {assignment_id!r} (known: "
                           f"{', '.join(course.ids())})")
    if form.upload is None:
        raise Refused(422, "no file: send the submission as the form field `file`")
    assignment, now = warm.assignment, time.time()
    if not person.instructor:
        line = policy.deadline(assignment, store.extension_hours(person.student, assignment_id))
        if line.closed(now):
            closes = line.late_until if line.late_until is not None else line.due
            raise Refused(403, f"submissions to {assignment_id} closed at {_iso(closes)}")
        _check_rate(store, store.db, person, assignment, now)  # before the file is kept
    sha, _ = form.upload.commit(form.suffix)
    sub = StoredSubmission(secrets.token_hex(8), person.student, assignment_id, sha,
                           form.suffix, form.upload.size, now, "queued", None, 0, "")
    with store.transaction() as db:
        if not person.instructor:
            _check_rate(store, db, person, assignment, now)  # again, under the write lock
        store.insert_submission(db, sub)
        jobs.put(db, sub.id)
    return Accepted(sub.id)


def _check_rate(store: Store, db: sqlite3.Connection, person: Person, assignment: Assignment,
                now: float) -> None:
    start = policy.window_start(assignment, now)
    if start is None:
        return
    recent = store.recent_times(db, person.student, assignment.id, start)
    wait = policy.retry_after(assignment, recent, now)
    if wait is not None:
        raise Refused(429, f"too many submissions: try again in {wait} s", retry_after=wait)


def _iso(at: float | None) -> str:
    return datetime.fromtimestamp(at or 0, UTC).isoformat(timespec="minutes")
