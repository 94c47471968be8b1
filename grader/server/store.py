"""The server's tables (roster, sessions, extensions, submissions) in the gradebook's SQLite file.

The gradebook module owns its own tables; these are prefixed `server_` so the two never
clash, and `grader grade` / `grader export csv` keep working on the same file. Each thread
gets its own connection (sqlite3 connections are not shared across threads); WAL lets the
web threads read while the worker writes.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from grader.errors import GraderError

SCHEMA = """
CREATE TABLE IF NOT EXISTS server_people (
    student TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE, added_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS server_sessions (
    session_hash TEXT PRIMARY KEY, student TEXT NOT NULL, csrf TEXT NOT NULL,
    created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS server_extensions (
    student TEXT NOT NULL, assignment TEXT NOT NULL, hours REAL NOT NULL,
    PRIMARY KEY (student, assignment));
CREATE TABLE IF NOT EXISTS server_submissions (
    id TEXT PRIMARY KEY, student TEXT NOT NULL, assignment TEXT NOT NULL,
    sha256 TEXT NOT NULL, suffix TEXT NOT NULL, size INTEGER NOT NULL,
    submitted_at REAL NOT NULL, status TEXT NOT NULL, report TEXT,
    graded_at REAL, graded_runs INTEGER NOT NULL DEFAULT 0, error TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS server_submissions_by_student
    ON server_submissions (student, assignment, submitted_at);
CREATE TABLE IF NOT EXISTS server_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, submission TEXT NOT NULL, state TEXT NOT NULL,
    owner TEXT NOT NULL DEFAULT '', lease_until REAL NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS server_jobs_by_state ON server_jobs (state, id);
"""
# Added after the first release (ALTER TABLE on an older file): what the API and the gradebook
# sync read of a report without decoding it. NULL on rows graded before: read from the report.
SUMMARY = {"score": "REAL", "visibilities": "TEXT"}


@dataclass(frozen=True)
class Person:
    student: str
    name: str
    email: str
    role: str  # "student" or "instructor"

    @property
    def instructor(self) -> bool:
        return self.role == "instructor"


@dataclass(frozen=True)
class StoredSubmission:
    id: str
    student: str
    assignment: str
    sha256: str
    suffix: str
    size: int
    submitted_at: float  # Unix time
    status: str  # queued, running, graded, error
    report_json: str | None  # the `--json` document as stored; `report` decodes it
    graded_runs: int
    error: str
    visibilities: str | None = None  # the report's tests' visibilities, "a,b"; None: unknown

    @cached_property
    def report(self) -> dict[str, Any] | None:
        """Decoded on first use only: the API sends the stored text as it is when it can."""
        return json.loads(self.report_json) if self.report_json else None

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> StoredSubmission:
        return cls(*row)


SUBMISSION_COLUMNS = ("id, student, assignment, sha256, suffix, size, submitted_at, status, "
                      "report, graded_runs, error")
SELECTED = SUBMISSION_COLUMNS + ", visibilities"
# The same, the report cut to {"score": ...}: what the policy reads to choose the counted
# submission, without decoding every stored report (~10-50 KB each) in Python.
SUMMARY_COLUMNS = SELECTED.replace(
    "report,", "CASE WHEN report IS NULL THEN NULL ELSE json_object('score', "
    "COALESCE(score, json_extract(report, '$.score'))) END,")


class Store:
    """One SQLite file; a connection per thread, each opened on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        deadline = time.monotonic() + 30.0
        while True:  # a second process switching the file to WAL: wait, as the gradebook does
            try:
                self.db.execute("PRAGMA journal_mode=WAL")  # persistent: every connection has it
                self.db.executescript(SCHEMA)
                self._add_summary_columns()
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise GraderError(f"{path}: cannot set up the database: {exc}") from None
                time.sleep(0.05)

    def _add_summary_columns(self) -> None:
        with self.transaction() as db:
            have = {row[1] for row in db.execute("PRAGMA table_info(server_submissions)")}
            for column, kind in SUMMARY.items():
                if column not in have:
                    db.execute(f"ALTER TABLE server_submissions ADD COLUMN {column} {kind}")

    @property
    def db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
                db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable at commit
            except (sqlite3.Error, OSError) as exc:
                raise GraderError(f"{self.path}: cannot open the database: {exc}") from None
            self._local.db = db
        return db

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        db = self.db
        db.execute("BEGIN IMMEDIATE")  # the write lock now: no upgrade deadlock
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    # --- roster ---------------------------------------------------------------------------
    def people(self) -> list[Person]:
        rows = self.db.execute("SELECT student, name, email, role FROM server_people "
                               "ORDER BY student")
        return [Person(*row) for row in rows]

    def person(self, student: str) -> Person | None:
        row = self.db.execute("SELECT student, name, email, role FROM server_people "
                              "WHERE student=?", (student,)).fetchone()
        return Person(*row) if row else None

    def extension_hours(self, student: str, assignment: str) -> float:
        row = self.db.execute("SELECT hours FROM server_extensions WHERE student=? AND "
                              "assignment=?", (student, assignment)).fetchone()
        return float(row[0]) if row else 0.0

    def set_extension(self, student: str, assignment: str, hours: float) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO server_extensions VALUES (?,?,?)",
                       (student, assignment, hours))

    # --- submissions ----------------------------------------------------------------------
    def submission(self, submission_id: str) -> StoredSubmission | None:
        row = self.db.execute(f"SELECT {SELECTED} FROM server_submissions "
                              "WHERE id=?", (submission_id,)).fetchone()
        return StoredSubmission.from_row(row) if row else None

    def status(self, submission_id: str) -> str | None:
        """The submission's status alone: what a long-poll checks."""
        row = self.db.execute("SELECT status FROM server_submissions WHERE id=?",
                              (submission_id,)).fetchone()
        return row[0] if row else None

    def submissions(self, *, student: str | None = None, assignment: str | None = None,
                    scores_only: bool = False, graded_only: bool = False,
                    limit: int | None = None) -> list[StoredSubmission]:
        """Newest first; filtered by student and/or assignment when given. `scores_only`: each
        report holds only its score (`policy.counted` needs no more); `graded_only`: only
        those graded with a report; `limit`: the newest `limit` only."""
        where, args = [], []
        for column, value in (("student", student), ("assignment", assignment)):
            if value is not None:
                where.append(f"{column}=?")
                args.append(value)
        if graded_only:
            where.append("status='graded' AND report IS NOT NULL")
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        columns = SUMMARY_COLUMNS if scores_only else SELECTED
        tail = f" LIMIT {int(limit)}" if limit is not None else ""
        rows = self.db.execute(f"SELECT {columns} FROM server_submissions {clause} "
                               f"ORDER BY submitted_at DESC, rowid DESC{tail}", args)
        return [StoredSubmission.from_row(row) for row in rows]

    def recent_times(self, db: sqlite3.Connection, student: str, assignment: str,
                     since: float) -> list[float]:
        rows = db.execute("SELECT submitted_at FROM server_submissions WHERE student=? AND "
                          "assignment=? AND submitted_at>? ORDER BY submitted_at",
                          (student, assignment, since))
        return [row[0] for row in rows]

    def insert_submission(self, db: sqlite3.Connection, sub: StoredSubmission) -> None:
        db.execute(f"INSERT INTO server_submissions ({SUBMISSION_COLUMNS}) "
                   "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                   (sub.id, sub.student, sub.assignment, sub.sha256, sub.suffix, sub.size,
                    sub.submitted_at, sub.status, None, 0, ""))

    def set_status(self, db: sqlite3.Connection, submission_id: str, status: str) -> None:
        db.execute("UPDATE server_submissions SET status=? WHERE id=?", (status, submission_id))

    def finish(self, db: sqlite3.Connection, submission_id: str, report: dict[str, Any] | None,
               error: str = "") -> None:
        """The grading's result, inside the transaction that completes its job."""
        text = None if report is None else json.dumps(report, allow_nan=False)
        score = None if report is None else report.get("score")
        shown = None if report is None else ",".join(sorted(
            {str(t.get("visibility", "visible")) for t in report.get("tests", [])}))
        db.execute("UPDATE server_submissions SET status=?, report=?, error=?, graded_at=?, "
                   "graded_runs=graded_runs+1, score=?, visibilities=? WHERE id=?",
                   ("error" if report is None else "graded", text, error, time.time(),
                    score, shown, submission_id))
