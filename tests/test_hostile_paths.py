"""Untrusted paths (issue #12, defects 4 and 6): nothing a student names or links is followed,
and a file's size is known before a byte of it is read.

Real files, real links, the real CLI and sandbox, a real Gradescope layout.
"""

import json
import os
import sqlite3
import subprocess
import zipfile

import pytest
from conftest import ROOT, SUBMISSIONS, exercise_scores, run_grader
from test_grade import ASSIGNMENT, grade, make_class

from grader import submission
from grader.gradebook import Gradebook

SOLUTION = ROOT / "solutions" / "linear_backprop.py"
TOKEN = "tok-5e1f0c2b9d7a4e3f8c6b-SECRET"
ZERO = {"derive-dz-db": 0.0, "iterate-by-hand": 0.0, "two-variable-solver": 0.0}
FULL = {"derive-dz-db": 2.0, "iterate-by-hand": 2.0, "two-variable-solver": 6.0}


def linked_class(folder, tmp_path):
    """An honest student, and four ways of handing in someone else's file by a link."""
    make_class(folder, ["correct_fstrings.py"])  # correct_fstrings-0: the honest one
    token = tmp_path / "token.txt"
    token.write_text(f"DZ_DB = '{TOKEN}'\n")
    for student, target in [("link-solution", SOLUTION), ("link-other",
                            folder / "correct_fstrings-0" / "linear_backprop.py"),
                            ("link-token", token)]:
        (folder / student).mkdir()
        (folder / student / "linear_backprop.py").symlink_to(target)
    (folder / "link-folder").symlink_to(ROOT / "solutions", target_is_directory=True)
    (folder / "link-file.py").symlink_to(SOLUTION)  # a class of one file per student
    return ["link-solution", "link-other", "link-token", "link-folder", "link-file"]


def test_links_in_a_class_are_refused_graded_0_and_leak_nothing(tmp_path):
    """Before: link-solution, link-folder, link-other scored 10/10; the token was shown."""
    folder, db = tmp_path / "class", tmp_path / "gb.sqlite"
    linked = linked_class(folder, tmp_path)
    proc = grade(folder, db)
    with Gradebook(db) as book:
        entries = book.entries(ASSIGNMENT)
        scores = book.exercise_scores(ASSIGNMENT)
        for student in linked:
            assert entries[student].score == 0.0, student
            assert scores[student] == ZERO, student
            outputs = [r.output for r in book.results(ASSIGNMENT, student)]
            assert outputs and all("symbolic links are not accepted" in o for o in outputs)
            assert f"problem: {student}: symbolic links are not accepted" in proc.stdout
        assert scores["correct_fstrings-0"] == FULL
    dump = "\n".join(sqlite3.connect(db).iterdump())
    assert TOKEN not in proc.stdout + proc.stderr and TOKEN not in dump
    assert (f"graded {len(linked) + 1} ({len(linked)} of them 0: cannot be run), not graded 0, "
            f"unchanged 0") in proc.stdout
    again = grade(folder, db)  # a rerun: links unchanged, skipped, still 0
    assert f"graded 0, unchanged {len(linked) + 1}" in again.stdout


@pytest.mark.parametrize("where", ["file", "folder"])
def test_check_refuses_a_linked_submission(tmp_path, check_json, where):
    (tmp_path / "hand-in").mkdir()
    link = tmp_path / "hand-in" / "linear_backprop.py"
    link.symlink_to(SOLUTION)
    code, report = check_json(link if where == "file" else link.parent)
    assert code == 1 and report["score"] == 0.0
    assert all("symbolic links are not accepted" in t["output"] for t in report["tests"])


def test_a_link_to_a_token_file_never_shows_the_token(tmp_path):
    token = tmp_path / "token.py"
    token.write_text(f"this is not python {TOKEN}\n")
    (tmp_path / "linear_backprop.py").symlink_to(token)
    proc = run_grader("check", str(tmp_path / "linear_backprop.py"))
    assert proc.returncode == 1 and "symbolic links are not accepted" in proc.stdout
    assert TOKEN not in proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    proc = run_grader("export", "gradescope", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


def run_autograder(bundle, root, make_submission) -> dict:
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(root / "source")
    (root / "source" / "run_autograder").chmod(0o755)
    (root / "submission").mkdir()
    (root / "results").mkdir()
    make_submission(root / "submission")
    env = {**os.environ, "AUTOGRADER_ROOT": str(root)}
    proc = subprocess.run([str(root / "source" / "run_autograder")], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads((root / "results" / "results.json").read_text())


def test_gradescope_refuses_a_link_into_its_own_source(bundle, tmp_path):
    """Before: a link to ../source/solutions/linear_backprop.py got 10.0 in results.json."""
    def link(folder):
        (folder / "linear_backprop.py").symlink_to("../source/solutions/linear_backprop.py")

    results = run_autograder(bundle, tmp_path, link)
    assert results["score"] == 0.0
    assert results["tests"] and all(t["score"] == 0 for t in results["tests"])
    assert "symbolic links are not accepted" in results["tests"][0]["output"]


def test_gradescope_refuses_a_linked_folder(bundle, tmp_path):
    def link(folder):
        (folder / "work").symlink_to("../source/solutions", target_is_directory=True)
        (folder / "linear_backprop.py").symlink_to("work/linear_backprop.py")

    assert run_autograder(bundle, tmp_path, link)["score"] == 0.0


def read_chars() -> int:
    """Bytes this process has read through read(2) so far (the kernel's own count)."""
    with open("/proc/self/io") as io:
        return int(next(line for line in io if line.startswith("rchar:")).split()[1])


@pytest.mark.parametrize("size", [3 << 30, submission.MAX_BYTES + 1])
def test_a_file_too_large_is_refused_without_reading_it(tmp_path, size):
    """Before: a 3 GiB sparse .py was read whole (3.2 GB of RSS) before the size check."""
    big = tmp_path / "linear_backprop.py"
    with open(big, "wb") as handle:
        handle.truncate(size)  # sparse: no disk used
    before = read_chars()
    found = submission.read(submission.locate(big))
    assert read_chars() - before < 64 << 10  # fstat decided: not one chunk was read
    assert found.problem == "the file is larger than 2 MiB" and found.source == ""


def test_a_file_at_the_limit_is_read_whole(tmp_path):
    path = tmp_path / "linear_backprop.py"
    path.write_bytes(SOLUTION.read_bytes().ljust(submission.MAX_BYTES, b" "))
    found = submission.read(submission.locate(path))
    assert found.problem == "" and len(found.source) == submission.MAX_BYTES


def test_a_sparse_3_gib_file_is_graded_0_by_check(tmp_path, check_json):
    big = tmp_path / "linear_backprop.py"
    with open(big, "wb") as handle:
        handle.truncate(3 << 30)
    code, report = check_json(big)
    assert code == 1 and exercise_scores(report) == ZERO
    assert "larger than 2 MiB" in report["tests"][0]["output"]


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path, check_json):
    os.mkfifo(tmp_path / "linear_backprop.py")
    code, report = check_json(tmp_path / "linear_backprop.py")
    assert code == 1 and report["score"] == 0.0
    assert "not a regular file" in report["tests"][0]["output"]


def test_the_honest_example_still_reads_through_a_trusted_linked_folder(tmp_path, check_json):
    """The folder named on the command line is the instructor's: a link there is followed."""
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "linear_backprop.py").write_bytes(
        (SUBMISSIONS / "correct_fstrings.py").read_bytes())
    (tmp_path / "alias").symlink_to(tmp_path / "real", target_is_directory=True)
    code, report = check_json(tmp_path / "alias")
    assert code == 0 and exercise_scores(report) == FULL
