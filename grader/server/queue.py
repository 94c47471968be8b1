"""The grading queue: jobs with leases, in SQLite, behind a small interface.

`JobQueue` is what the web side and the workers use; `SqliteQueue` implements it on the
server's own database so that a job is queued in the very transaction that accepts its
upload (an accepted submission is never lost). A later step can implement the same
interface on an existing engine (RQ or Celery over Redis: `put` after commit from an outbox
table, `claim` as the engine's dequeue) to grade on other machines.

Exactly once: a worker claims a job with a lease (owner, deadline). `complete` commits the
result and marks the job done in one transaction, and only if the lease is still the
worker's; so a job can run twice (a crash mid-grading, an expired lease), but its result is
committed once. `sweep` at start-up hands back every lease of a previous (dead) server.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from grader.server.store import Store

MAX_ATTEMPTS = 3  # a job that took its worker down this often is failed, not retried forever


@dataclass(frozen=True)
class Job:
    id: int
    submission: str
    owner: str
    lease_until: float
    attempts: int


class JobQueue(Protocol):
    def put(self, db: sqlite3.Connection, submission: str) -> None:
        """Queue a grading of `submission`, inside the caller's transaction."""

    def claim(self, owner: str, lease_seconds: float) -> Job | None:
        """The oldest job nobody holds (or whose lease ran out), leased to `owner`."""

    def complete(self, job: Job, write: Callable[[sqlite3.Connection], None]) -> bool:
        """Run `write` and mark the job done atomically, if `job`'s lease is still held."""

    def sweep(self) -> int:
        """At start-up: every job leased by a previous server is queued again."""

    def pending(self) -> int:
        """Jobs not done yet."""


class SqliteQueue:
    def __init__(self, store: Store) -> None:
        self.store = store

    def put(self, db: sqlite3.Connection, submission: str) -> None:
        db.execute("INSERT INTO server_jobs (submission, state, created_at) VALUES (?,?,?)",
                   (submission, "queued", time.time()))

    def claim(self, owner: str, lease_seconds: float) -> Job | None:
        now = time.time()
        with self.store.transaction() as db:
            row = db.execute(
                "SELECT id, submission, attempts FROM server_jobs WHERE state='queued' OR "
                "(state='leased' AND lease_until<?) ORDER BY id LIMIT 1", (now,)).fetchone()
            if row is None:
                return None
            job = Job(row[0], row[1], owner, now + lease_seconds, row[2] + 1)
            db.execute("UPDATE server_jobs SET state='leased', owner=?, lease_until=?, "
                       "attempts=? WHERE id=?", (owner, job.lease_until, job.attempts, job.id))
            self.store.set_status(db, job.submission, "running")
        return job

    def complete(self, job: Job, write: Callable[[sqlite3.Connection], None]) -> bool:
        with self.store.transaction() as db:
            held = db.execute("SELECT 1 FROM server_jobs WHERE id=? AND state='leased' AND "
                              "owner=? AND lease_until=?",
                              (job.id, job.owner, job.lease_until)).fetchone()
            if held is None:
                return False  # someone else has it now: their result counts, not ours
            write(db)
            db.execute("UPDATE server_jobs SET state='done' WHERE id=?", (job.id,))
        return True

    def sweep(self) -> int:
        with self.store.transaction() as db:
            cursor = db.execute("UPDATE server_jobs SET state='queued', owner='', lease_until=0 "
                                "WHERE state='leased'")
            db.execute("UPDATE server_submissions SET status='queued' WHERE status='running'")
            return cursor.rowcount

    def pending(self) -> int:
        row = self.store.db.execute("SELECT COUNT(*) FROM server_jobs WHERE state!='done'")
        return int(row.fetchone()[0])
