"""The gradebook: every graded check of every student, in one SQLite file (no server).

This is the only module that speaks SQL. One row per (student, assignment, check) in
`results`, and one per (student, assignment) in `submissions` holding the submission's hash
and the fingerprint of the specs it was graded against, so a rerun can skip what is unchanged.
Each submission is written in one transaction: a run killed at any point leaves every
submission either wholly graded or absent, never half-written. WAL lets a reader (an export)
and a writer work at once, and a second writer waits instead of failing.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from grader.errors import GraderError
from grader.results import CheckResult, Report, to_json
from grader.submission import stored_name as storable  # lone surrogates: sqlite3 refuses them

DEFAULT_NAME = "gradebook.sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    student TEXT NOT NULL, assignment TEXT NOT NULL, hash TEXT NOT NULL,
    fingerprint TEXT NOT NULL, path TEXT NOT NULL, problem TEXT NOT NULL,
    score REAL NOT NULL, max_score REAL NOT NULL, notices TEXT NOT NULL,
    run TEXT NOT NULL, graded_at TEXT NOT NULL,
    PRIMARY KEY (student, assignment));
CREATE TABLE IF NOT EXISTS results (
    student TEXT NOT NULL, assignment TEXT NOT NULL, position INTEGER NOT NULL,
    name TEXT NOT NULL, exercise TEXT NOT NULL, score REAL NOT NULL, max_score REAL NOT NULL,
    status TEXT NOT NULL, visibility TEXT NOT NULL, message TEXT NOT NULL,
    diagnosis TEXT NOT NULL, hash TEXT NOT NULL, graded_at TEXT NOT NULL,
    PRIMARY KEY (student, assignment, name));
"""


@dataclass(frozen=True)
class Entry:
    """What the gradebook holds about one student's submission to one assignment."""

    student: str
    assignment: str
    hash: str
    fingerprint: str
    path: str
    problem: str  # set when there was nothing gradable (no file, two candidates)
    score: float
    max_score: float
    run: str
    graded_at: str


def _setup(db: sqlite3.Connection, patience: float = 30.0) -> None:
    """WAL mode and the schema. Two runs starting at once can find the file locked while the
    other switches it to WAL, and SQLite answers that at once rather than through the busy
    timeout: so wait and try again, within the same patience as the timeout."""
    deadline = time.monotonic() + patience
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable at commit
            db.executescript(SCHEMA)
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class Gradebook:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, timeout=30.0, isolation_level=None)
            _setup(self.db)
        except (sqlite3.Error, OSError) as exc:
            raise GraderError(f"{path}: cannot open the gradebook: {exc}") from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Gradebook:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")  # take the write lock now: no upgrade deadlock
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def record(self, entry: Entry, report: Report | None) -> None:
        """Replace what is known of (student, assignment) by `entry` and its checks, atomically."""
        key = (storable(entry.student), entry.assignment)
        notices = to_json(list(report.notices) if report else [])
        with self._transaction() as db:
            db.execute("DELETE FROM results WHERE student=? AND assignment=?", key)
            db.execute("INSERT OR REPLACE INTO submissions VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                       (*key, entry.hash, entry.fingerprint, storable(entry.path),
                        storable(entry.problem), entry.score, entry.max_score, notices,
                        entry.run, entry.graded_at))
            db.executemany(
                "INSERT INTO results VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [(*key, i, t.name, t.exercise, t.score, t.max_score, t.status, t.visibility,
                  storable(t.output), storable(t.diagnosis), entry.hash, entry.graded_at)
                 for i, t in enumerate(report.tests if report else ())])

    def entries(self, assignment: str) -> dict[str, Entry]:
        rows = self.db.execute(
            "SELECT student, assignment, hash, fingerprint, path, problem, score, max_score, "
            "run, graded_at FROM submissions WHERE assignment=? ORDER BY student", (assignment,))
        return {row[0]: Entry(*row) for row in rows}

    def results(self, assignment: str, student: str) -> list[CheckResult]:
        rows = self.db.execute(
            "SELECT name, exercise, score, max_score, status, message, visibility, diagnosis "
            "FROM results WHERE assignment=? AND student=? ORDER BY position",
            (assignment, student))
        return [CheckResult(name, exercise, score, top, status == "passed", output, visibility,
                            diagnosis)
                for name, exercise, score, top, status, output, visibility, diagnosis in rows]

    def exercise_scores(self, assignment: str) -> dict[str, dict[str, float]]:
        """Student -> exercise -> points, for every student with an entry (problems: {})."""
        scores: dict[str, dict[str, float]] = {s: {} for s in self.entries(assignment)}
        rows = self.db.execute(
            "SELECT student, exercise, SUM(score) FROM results WHERE assignment=? "
            "GROUP BY student, exercise", (assignment,))
        for student, exercise, score in rows:
            scores.setdefault(student, {})[exercise] = round(score, 6)
        return scores

    def failed_checks(self, assignment: str) -> list[tuple[str, int]]:
        """(check name, how many students failed it), most failed first."""
        rows = self.db.execute(
            "SELECT name, COUNT(*) AS n FROM results WHERE assignment=? AND status='failed' "
            "GROUP BY name ORDER BY n DESC, name", (assignment,))
        return [(name, count) for name, count in rows]

    def exercise_ids(self, assignment: str) -> list[str]:
        rows = self.db.execute("SELECT exercise FROM results WHERE assignment=? "
                               "GROUP BY exercise ORDER BY MIN(position)", (assignment,))
        return [row[0] for row in rows]

    def assignments(self) -> list[str]:
        return [row[0] for row in self.db.execute(
            "SELECT DISTINCT assignment FROM submissions ORDER BY assignment")]


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
