"""Exports: the gradebook as CSV, and a Gradescope bundle run in a recreated Gradescope layout."""

import csv
import io
import json
import os
import shutil
import stat
import subprocess
import zipfile

import pytest
from conftest import ROOT, SUBMISSIONS, run_grader

EXERCISES = ["derive-dz-db", "iterate-by-hand", "two-variable-solver"]
GRADESCOPE_TEST_FIELDS = {"name", "score", "max_score", "status", "output", "visibility"}


def test_csv_has_a_row_per_student_a_column_per_exercise_and_the_total(tmp_path):
    folder, db = tmp_path / "class", tmp_path / "gb.sqlite"
    for student, name in [("s1", "correct_fstrings.py"), ("s2", "no_abs.py"),
                          ("s3", "hand_row_slip.py")]:
        (folder / student).mkdir(parents=True)
        shutil.copy(SUBMISSIONS / name, folder / student / "linear_backprop.py")
    (folder / "s4").mkdir()  # handed nothing in
    for name in ("s5", "=HYPERLINK(1)", "+1", "-2", "@SUM(A1)"):  # two files: not guessed at
        (folder / name).mkdir()
        for file in ("linear_backprop.py", "other.ipynb") if name == "s5" else ("a.py",):
            shutil.copy(SUBMISSIONS / "correct_fstrings.py", folder / name / file)
    assert run_grader("grade", str(folder), "--db", str(db)).returncode == 0
    proc = run_grader("export", "csv", "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(io.StringIO(proc.stdout)))
    # the contract's columns, then the status: a zero for "nothing handed in" is not bare
    assert rows == [["student", *EXERCISES, "total", "status"],
                    ["'+1", "2", "2", "6", "10", "graded"],
                    ["'-2", "2", "2", "6", "10", "graded"],
                    ["'=HYPERLINK(1)", "2", "2", "6", "10", "graded"],
                    ["'@SUM(A1)", "2", "2", "6", "10", "graded"],
                    ["s1", "2", "2", "6", "10", "graded"],
                    ["s2", "2", "2", "5", "9", "graded"],
                    ["s3", "2", "1", "6", "9", "graded"],
                    ["s4", "0", "0", "0", "0", "no submission"],
                    ["s5", "2", "2", "6", "10", "graded"]]
    assert run_grader("export", "csv", "--db", str(db), "--assignment",
                      "linear-backprop").stdout == proc.stdout


@pytest.mark.parametrize(("problem", "status"), [
    ("", "graded"),
    ("expected one submission file (.py or .ipynb), found none", "no submission"),
    ("expected one submission file (.py or .ipynb), found a.py, b.py", "several candidates"),
    ("2 submissions for this student id (a folder and a file?)", "several candidates"),
    ("the file cannot be read: Permission denied", "unreadable"),
    ("something new", "not graded"),
])
def test_the_status_tells_why_there_is_no_grade(problem, status):
    from grader.commands.export_csv import status_of, to_csv

    assert status_of(problem) == status
    text = to_csv(["e"], {"s": {}}, {"s": status_of(problem)})
    assert text.splitlines()[1] == f"s,0,0,{status}"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@x", "\tx", "\rx", "=cmd|' /C calc'!A0"])
def test_formula_cells_are_escaped(value):
    from grader.commands.export_csv import to_csv

    rows = list(csv.reader(io.StringIO(to_csv(["e"], {value: {"e": 1.0}}), newline="")))
    assert rows[1][0] == "'" + value.replace("\r", "\\r")
    assert rows[1][1:] == ["1", "1", "graded"]


def test_csv_without_a_gradebook_is_exit_2(tmp_path):
    proc = run_grader("export", "csv", "--db", str(tmp_path / "none.sqlite"))
    assert proc.returncode == 2 and "no gradebook here" in proc.stderr
    assert not (tmp_path / "none.sqlite").exists()


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    proc = run_grader("export", "gradescope", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


def test_the_bundle_holds_what_gradescope_and_the_grader_need(bundle):
    with zipfile.ZipFile(bundle) as zf:
        names = set(zf.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in zf.infolist()}
        requirements = zf.read("requirements.txt").decode()
    assert {"setup.sh", "run_autograder", "requirements.txt", "grader/__init__.py",
            "grader/commands/check.py", "grader/commands/export_gradescope.py",
            "templates/hidden_tests.py.j2",
            "exercises/linear-backprop/assignment.yaml", "solutions/linear_backprop.py",
            "hidden_tests/linear-backprop/test_hidden.py"} <= names
    assert modes["run_autograder"] & stat.S_IXUSR and modes["setup.sh"] & stat.S_IXUSR
    assert "sympy==" in requirements and "pytest==" in requirements


def run_in_gradescope_layout(bundle, root, files):
    """Gradescope's layout under `root`: source/ (the bundle), submission/, results/."""
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(root / "source")
    (root / "source" / "run_autograder").chmod(0o755)  # zipfile drops modes on extract
    (root / "submission").mkdir()
    (root / "results").mkdir()
    for name, text in files.items():
        (root / "submission" / name).write_text(text)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root)}
    env.pop("GRADER_COURSE", None)
    proc = subprocess.run([str(root / "source" / "run_autograder")], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads((root / "results" / "results.json").read_text())


@pytest.mark.parametrize(("example", "score", "failed"), [
    ("correct_chapter_style.py", 10.0, set()),
    ("fixed_factors.py", 4.0, {"two-variable-solver"}),
    ("syntax_error.py", 0.0, set(EXERCISES)),
])
def test_run_autograder_writes_gradescope_results(bundle, tmp_path, example, score, failed):
    results = run_in_gradescope_layout(
        bundle, tmp_path, {"linear_backprop.py": (SUBMISSIONS / example).read_text()})
    assert results["score"] == score
    assert isinstance(results["execution_time"], float) and results["execution_time"] > 0
    assert results["output"].startswith(f"{score:g} / 10 points")
    assert sum(t["max_score"] for t in results["tests"]) == 10.0
    assert sum(t["score"] for t in results["tests"]) == score
    for test in results["tests"]:
        assert test.keys() >= GRADESCOPE_TEST_FIELDS
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] in ("visible", "hidden", "after_due_date", "after_published")
    assert {t["extra_data"]["exercise"] for t in results["tests"]
            if t["status"] == "failed"} == failed


def test_run_autograder_without_a_submission_file_still_writes_results(bundle, tmp_path):
    results = run_in_gradescope_layout(bundle, tmp_path, {"notes.txt": "nothing"})
    assert results["score"] == 0.0 and results["tests"] == []
    assert "could not be graded" in results["output"] and "found none" in results["output"]


def test_the_bundle_grades_with_its_own_copy_of_the_specs(bundle, tmp_path):
    """The bundled spec decides, not this checkout: change it and the score follows."""
    source = tmp_path / "source" / "exercises" / "linear-backprop" / "derive-dz-db.yaml"
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(tmp_path / "source")
    source.write_text(source.read_text().replace("answer: 2*x + 3*y", "answer: 2*y"))
    shutil.rmtree(tmp_path / "source" / "grader" / "__pycache__", ignore_errors=True)
    rebuilt = tmp_path / "rebuilt.zip"
    with zipfile.ZipFile(rebuilt, "w") as zf:
        for path in sorted((tmp_path / "source").rglob("*")):
            if path.is_file():
                zf.write(path, str(path.relative_to(tmp_path / "source")))
    shutil.rmtree(tmp_path / "source")
    results = run_in_gradescope_layout(
        rebuilt, tmp_path, {"linear_backprop.py": (ROOT / "solutions" /
                                                   "linear_backprop.py").read_text()})
    derive = [t for t in results["tests"] if t["extra_data"]["exercise"] == "derive-dz-db"]
    assert derive and derive[0]["status"] == "failed"


def test_run_autograder_leaves_nothing_of_ours_readable_by_others(bundle, tmp_path):
    """Where Docker forbids bubblewrap, student code runs as a throwaway uid in the same
    container: only file modes keep the specs, references and hidden checks from it."""
    run_in_gradescope_layout(
        bundle, tmp_path, {"linear_backprop.py": (SUBMISSIONS / "no_abs.py").read_text()})
    source = tmp_path / "source"
    for path in [source, *source.rglob("*"), tmp_path / "results"]:
        assert path.stat().st_mode & 0o077 == 0, path
