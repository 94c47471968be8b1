"""One student never stops the class (issue #12, defect 5 and the memory half of 6).

A real class folder holding every per-student failure we know of, beside honest students,
graded by the real CLI under the real sandbox into a real gradebook.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import sys

from conftest import ROOT, SUBMISSIONS
from test_example_submissions import EXPECTED
from test_grade import ASSIGNMENT

from grader.gradebook import Gradebook

ZERO = {"derive-dz-db": 0.0, "iterate-by-hand": 0.0, "two-variable-solver": 0.0}
HONEST = {"alice": "correct_fstrings.py", "bob-honest": "fixed_factors.py",
          "carol": "no_abs.py"}
GBK_NAME = "张三".encode("gbk")  # a folder name from a zip made on Chinese Windows
LATIN1_FILE = "José".encode("latin-1") + b".py"
ESCAPES = "mallory\x1b]0;pwned\x07\x1b[2K\rgraded 99, all passed"


def hostile_class(folder):
    """Honest students, and one of each failure; returns (student id -> expected scores)."""
    expected = {}
    for student, example in HONEST.items():
        (folder / student).mkdir(parents=True)
        shutil.copy(SUBMISSIONS / example, folder / student / "linear_backprop.py")
        expected[student] = EXPECTED[example]
    (folder / "deep").mkdir()  # json.loads: RecursionError
    (folder / "deep" / "linear_backprop.ipynb").write_text("[" * 100_000 + "]" * 100_000)
    expected["deep"] = ZERO
    os.mkfifo(folder / "bob.py")  # NotADirectoryError; and open() would wait for a writer
    expected["bob"] = ZERO
    (folder / "big").mkdir()
    with open(folder / "big" / "linear_backprop.py", "wb") as handle:
        handle.truncate(3 << 30)  # sparse
    expected["big"] = ZERO
    gbk = os.path.join(os.fsencode(folder), GBK_NAME)  # bytes: no UTF-8 name to be had
    os.mkdir(gbk)
    shutil.copy(SUBMISSIONS / "correct_fstrings.py", os.path.join(gbk, b"linear_backprop.py"))
    expected[r"\xd5\xc5\xc8\xfd"] = EXPECTED["correct_fstrings.py"]  # graded on its merits
    shutil.copy(SUBMISSIONS / "no_abs.py", os.path.join(os.fsencode(folder), LATIN1_FILE))
    expected[r"Jos\xe9"] = EXPECTED["no_abs.py"]
    (folder / ESCAPES).mkdir()
    shutil.copy(SUBMISSIONS / "wrong_sign.py", folder / ESCAPES / "linear_backprop.py")
    expected[ESCAPES] = EXPECTED["wrong_sign.py"]
    (folder / "latin1").mkdir()  # Python itself cannot read it: one clear message
    (folder / "latin1" / "linear_backprop.py").write_bytes(b"# caf\xe9\nDZ_DB = '2*x+3*y'\n")
    expected["latin1"] = ZERO
    return expected


def grade_class(folder, db):
    proc = subprocess.run([sys.executable, "-m", "grader", "grade", str(folder), "--db", str(db)],
                          capture_output=True, cwd=ROOT, timeout=600)
    assert proc.returncode in (0, 1), proc.stderr.decode(errors="replace")
    assert b"Traceback" not in proc.stderr
    return proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")  # strict: all UTF-8


def test_a_class_of_every_failure_grades_every_honest_student(tmp_path):
    """Before: the RecursionError stopped the run before anyone was graded, with no
    gradebook; the FIFO raised NotADirectoryError; the GBK name made sqlite raise."""
    folder, db = tmp_path / "class", tmp_path / "gb.sqlite"
    expected = hostile_class(folder)
    stdout, stderr = grade_class(folder, db)
    with Gradebook(db) as book:
        assert book.exercise_scores(ASSIGNMENT) == expected
        messages = {s: " ".join(r.output for r in book.results(ASSIGNMENT, s))
                    for s in ("deep", "bob", "big", "latin1")}
    assert "nested too deeply" in messages["deep"]
    assert "not a regular file" in messages["bob"]
    assert "larger than 2 MiB" in messages["big"]
    assert "Python cannot read the file: line 1 is not utf-8 text (byte 0xe9)" \
        in messages["latin1"]
    for student in ("deep", "bob", "big", "latin1"):
        assert f"problem: {student}: " in stdout
    assert f"graded {len(expected)} (4 of them 0: cannot be run), not graded 0, unchanged 0" \
        in stdout
    assert "\x1b" not in stdout and "\r" not in stdout
    rerun, _ = grade_class(folder, db)  # the same class again: nothing crashes, nothing redone
    assert f"graded 0, unchanged {len(expected)}" in rerun


def test_names_are_stored_losslessly_and_shown_escaped(tmp_path):
    """Before: ESC, CR and OSC bytes of a folder name reached the terminal and overwrote the
    summary's line with a fake 'graded 99, all passed'."""
    folder, db = tmp_path / "class", tmp_path / "gb.sqlite"
    (folder / ESCAPES).mkdir(parents=True)
    (folder / ESCAPES / "a.py").write_text("x = 1\n")  # two candidates: a problem row
    (folder / ESCAPES / "b.py").write_text("x = 2\n")
    stdout, _ = grade_class(folder, db)
    assert "\x1b" not in stdout and "\r" not in stdout and "\x07" not in stdout
    assert r"problem: mallory\x1b]0;pwned\x07\x1b[2K\rgraded 99, all passed: expected one" \
        in stdout
    rows = sqlite3.connect(db).execute("SELECT student FROM submissions").fetchall()
    assert rows == [(ESCAPES,)]  # the gradebook keeps the name itself


def test_check_of_an_undecodable_name_is_graded(tmp_path, check_json):
    folder = os.path.join(os.fsencode(tmp_path), GBK_NAME)
    os.mkdir(folder)
    shutil.copy(SUBMISSIONS / "correct_fstrings.py", os.path.join(folder, b"linear_backprop.py"))
    code, report = check_json(os.fsdecode(folder))
    assert code == 0 and report["score"] == 10.0


def test_a_class_holds_one_notebook_at_a_time_per_worker(tmp_path):
    """Before: every submission of the class was read and decoded before grading began, and
    kept to the end (12 notebooks of 32 MiB took 3.7 GB). Now a worker reads its own, and
    keeps only the outcomes. Peak RSS as the kernel counts it (wait4)."""
    folder, db = tmp_path / "class", tmp_path / "gb.sqlite"
    code = "# " + "x" * (24 << 20) + "\n" + 'DZ_DB = "2*x + 3*y"\n'  # 24 MiB of code
    notebook = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [],
         "source": code}]})
    for number in range(10):
        (folder / f"s{number:02d}").mkdir(parents=True)
        (folder / f"s{number:02d}" / "linear_backprop.ipynb").write_text(notebook)
    del code, notebook
    run = subprocess.Popen([sys.executable, "-m", "grader", "grade", str(folder), "--db",
                            str(db), "--jobs", "1"], cwd=ROOT, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(run.pid, 0)
    run.returncode = os.waitstatus_to_exitcode(status)
    assert run.returncode == 0
    with Gradebook(db) as book:
        scores = book.exercise_scores(ASSIGNMENT)
    assert len(scores) == 10 and all(s["derive-dz-db"] == 2.0 for s in scores.values())
    assert usage.ru_maxrss < 480 << 10, f"peak RSS {usage.ru_maxrss >> 10} MiB"  # in KiB
