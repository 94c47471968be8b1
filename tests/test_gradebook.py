"""The gradebook on a real SQLite file: atomic per submission, WAL, readable while written."""

import sqlite3

import pytest

from grader.gradebook import Entry, Gradebook
from grader.results import CheckResult, Report


def report(*scores: float) -> Report:
    return Report("a1", tuple(
        CheckResult(f"ex{i}: c", f"ex{i}", s, 1.0, s == 1.0, f"message {i}", "visible")
        for i, s in enumerate(scores)))


def entry(student: str, digest: str, rep: Report | None, problem: str = "") -> Entry:
    score = rep.score if rep else 0.0
    return Entry(student, "a1", digest, "fp", f"/{student}.py", problem, score, 2.0, "run1",
                 "2026-01-01T00:00:00")


def test_one_row_per_check_with_score_message_hash_and_time(tmp_path):
    with Gradebook(tmp_path / "gb.sqlite") as book:
        book.record(entry("ann", "h1", report(1.0, 0.0)), report(1.0, 0.0))
    rows = sqlite3.connect(tmp_path / "gb.sqlite").execute(
        "SELECT student, assignment, name, score, message, hash, graded_at FROM results "
        "ORDER BY position").fetchall()
    assert rows == [("ann", "a1", "ex0: c", 1.0, "message 0", "h1", "2026-01-01T00:00:00"),
                    ("ann", "a1", "ex1: c", 0.0, "message 1", "h1", "2026-01-01T00:00:00")]


def test_regrading_replaces_the_rows_and_keeps_the_others(tmp_path):
    with Gradebook(tmp_path / "gb.sqlite") as book:
        book.record(entry("ann", "h1", report(0.0, 0.0)), report(0.0, 0.0))
        book.record(entry("bob", "h2", report(1.0, 1.0)), report(1.0, 1.0))
        book.record(entry("ann", "h3", report(1.0, 0.0)), report(1.0, 0.0))
        assert book.exercise_scores("a1") == {"ann": {"ex0": 1.0, "ex1": 0.0},
                                              "bob": {"ex0": 1.0, "ex1": 1.0}}
        assert book.entries("a1")["ann"].hash == "h3"
        assert [r.output for r in book.results("a1", "ann")] == ["message 0", "message 1"]
        assert book.failed_checks("a1") == [("ex1: c", 1)]


def test_a_problem_is_recorded_without_checks(tmp_path):
    with Gradebook(tmp_path / "gb.sqlite") as book:
        book.record(entry("cy", "h", None, problem="found none"), None)
        assert book.entries("a1")["cy"].problem == "found none"
        assert book.exercise_scores("a1") == {"cy": {}}


def test_wal_and_a_failed_write_leaves_nothing_half_written(tmp_path):
    path = tmp_path / "gb.sqlite"
    with Gradebook(path) as book:
        assert book.db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        bad = Report("a1", (CheckResult("same", "e", 1, 1, True, ""),
                            CheckResult("same", "e", 1, 1, True, "")))  # duplicate key
        with pytest.raises(sqlite3.IntegrityError):
            book.record(entry("dan", "h", bad), bad)
        assert book.entries("a1") == {}
        assert book.db.execute("SELECT COUNT(*) FROM results").fetchone() == (0,)


def test_a_reader_sees_committed_rows_while_a_writer_holds_the_lock(tmp_path):
    path = tmp_path / "gb.sqlite"
    with Gradebook(path) as writer, Gradebook(path) as reader:
        writer.record(entry("ann", "h1", report(1.0, 1.0)), report(1.0, 1.0))
        writer.db.execute("BEGIN IMMEDIATE")
        writer.db.execute("DELETE FROM results")
        assert reader.exercise_scores("a1") == {"ann": {"ex0": 1.0, "ex1": 1.0}}
        writer.db.execute("ROLLBACK")


def test_names_sqlite_would_refuse_are_kept_as_escapes(tmp_path):
    """Before: a folder name that is not UTF-8 (os gives its bytes as lone surrogates) made
    sqlite3 raise UnicodeEncodeError, and every student after it went ungraded."""
    name = "张三".encode("gbk").decode("utf-8", "surrogateescape")
    rep = Report("a1", (CheckResult("ex0: c", "ex0", 0.0, 1.0, False, "bad \ud800 text"),),
                 notices=("nan",))
    with Gradebook(tmp_path / "gb.sqlite") as book:
        book.record(entry(name, "h1", rep, problem=f"found {name}.py"), rep)
        stored = book.entries("a1")
        assert list(stored) == [r"\xd5\xc5\xc8\xfd"]
        assert stored[r"\xd5\xc5\xc8\xfd"].problem == r"found \xd5\xc5\xc8\xfd.py"
        assert stored[r"\xd5\xc5\xc8\xfd"].path == r"/\xd5\xc5\xc8\xfd.py"
        assert book.results("a1", r"\xd5\xc5\xc8\xfd")[0].output == r"bad \ud800 text"
