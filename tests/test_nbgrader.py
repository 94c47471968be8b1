"""The real nbgrader round trip on the course `grader generate` renders.

In a temporary course: `nbgrader generate_assignment` strips solutions and hidden tests,
`nbgrader autograde` grades submitted notebooks in a real kernel, `nbgrader export` writes
the CSV; and `grader check` grades the same notebooks to the same scores, exercise by
exercise. One autograde run for all three notebooks: each costs a kernel start.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import SUBMISSIONS, exercise_scores, run_grader
from test_notebook import ASSIGNMENT, answered, cell, text, write_notebook

from grader.notebooks.build import all_graded_cells

NOTEBOOK = "linear_backprop"
FULL = {"derive-dz-db": 2.0, "iterate-by-hand": 2.0, "two-variable-solver": 6.0}


def source_of(name: str) -> str:
    return (SUBMISSIONS / name).read_text(encoding="utf-8")


def mixed() -> str:
    """The value 63 for ∂z/∂b, a slip in the hand table's first row, a solver stopping at 1e-4."""
    value = source_of("value_instead_of_expression.py").split("HAND_ITERATIONS")[0]
    table = source_of("hand_row_slip.py")
    table = table[table.index("HAND_ITERATIONS"):table.index("def ")]
    solver = source_of("stop_at_1e-4.py")
    return value + table + solver[solver.index("def "):]


EXPECTED = {  # what both graders must give
    "alice": FULL,
    "bob": {**FULL, "two-variable-solver": 0.0},  # the chapter's double_variable: 63 and 18
    # partial credit everywhere, and a correct solver typed into every test cell, in vain
    "carol": {"derive-dz-db": 0.5, "iterate-by-hand": 1.0, "two-variable-solver": 3.0},
}


@dataclass(frozen=True)
class RoundTrip:
    course: Path
    seconds: dict[str, float]


def nbgrader(course: Path, *args: str) -> float:
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return time.monotonic() - started


def submissions(release: Path) -> dict[str, dict]:
    notebooks = {"alice": answered(release, source_of("correct_chapter_style.py")),
                 "bob": answered(release, source_of("fixed_factors.py")),
                 "carol": answered(release, mixed())}
    for c in notebooks["carol"]["cells"]:
        if c["metadata"]["nbgrader"].get("grade"):
            c["source"] = source_of("correct_chapter_style.py")
    return notebooks


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory: pytest.TempPathFactory) -> RoundTrip:
    out = tmp_path_factory.mktemp("nbgrader") / "out"
    assert run_grader("generate", "--out", str(out)).returncode == 0
    course = out / "nbgrader"
    seconds = {"generate_assignment": nbgrader(course, "generate_assignment", ASSIGNMENT.id)}
    release = course / "release" / ASSIGNMENT.id / f"{NOTEBOOK}.ipynb"
    for student, notebook in submissions(release).items():
        write_notebook(notebook, course / "submitted" / student / ASSIGNMENT.id)
    seconds["autograde"] = nbgrader(course, "autograde", ASSIGNMENT.id)
    seconds["export"] = nbgrader(course, "export")
    return RoundTrip(course, seconds)


def nbgrader_scores(course: Path, student: str) -> dict[str, float]:
    """Per exercise, from the gradebook's score of each test cell."""
    from nbgrader.api import Gradebook

    exercise_of = {c.grade_id: c.exercise for c in all_graded_cells(ASSIGNMENT)}
    scores = dict.fromkeys(FULL, 0.0)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook(NOTEBOOK, ASSIGNMENT.id, student)
        for grade in notebook.grades:
            scores[exercise_of[grade.name]] += grade.score
    return {k: round(v, 6) for k, v in scores.items()}


def test_generate_assignment_strips_solutions_and_hidden_tests(round_trip):
    release = round_trip.course / "release" / ASSIGNMENT.id
    whole = (release / f"{NOTEBOOK}.ipynb").read_text(encoding="utf-8")
    for secret in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "2*x + 3*y", "60.714", "170.0",
                   "-3.0", "factor_of_b", "2*(2*w + 3*b)"):
        assert secret not in whole, secret
    assert (release / "test_public.py").is_file()  # for the check cells at the end


def test_our_release_notebook_is_nbgraders(round_trip):
    ours = json.loads((round_trip.course.parent / "release" / ASSIGNMENT.id /
                       f"{NOTEBOOK}.ipynb").read_text(encoding="utf-8"))
    theirs = json.loads((round_trip.course / "release" / ASSIGNMENT.id /
                         f"{NOTEBOOK}.ipynb").read_text(encoding="utf-8"))
    assert [text(c) for c in ours["cells"]] == [text(c) for c in theirs["cells"]]
    assert [c["metadata"] for c in ours["cells"]] == [c["metadata"] for c in theirs["cells"]]


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_autograde_agrees_with_grader_check(student, round_trip):
    from_nbgrader = nbgrader_scores(round_trip.course, student)
    submitted = round_trip.course / "submitted" / student / ASSIGNMENT.id / f"{NOTEBOOK}.ipynb"
    proc = run_grader("check", "--json", str(submitted))
    assert proc.returncode in (0, 1), proc.stderr
    from_grader = exercise_scores(json.loads(proc.stdout))
    assert from_nbgrader == from_grader == EXPECTED[student]


def test_autograde_restores_the_instructors_test_cells(round_trip):
    autograded = round_trip.course / "autograded" / "carol" / ASSIGNMENT.id / f"{NOTEBOOK}.ipynb"
    notebook = json.loads(autograded.read_text(encoding="utf-8"))
    chapter = text(cell(notebook, "test-two-variable-solver-chapter-example"))
    assert chapter.startswith("# Test of two-variable-solver")


def test_the_check_cells_run_the_public_checks_in_the_kernel(round_trip):
    def check_output(student: str) -> str:
        path = round_trip.course / "autograded" / student / ASSIGNMENT.id / f"{NOTEBOOK}.ipynb"
        found = cell(json.loads(path.read_text(encoding="utf-8")), "check-two-variable-solver")
        return "".join("".join(o.get("text", "")) for o in found["outputs"])

    assert "two-variable-solver: 1 of 1 public checks passed (all passed)" in check_output("alice")
    bob = check_output("bob")
    assert "✗ Implement the two-variable solver" in bob
    assert "two-variable-solver: 0 of 1 public checks passed (see above)" in bob


def test_export_writes_the_csv(round_trip):
    with open(round_trip.course / "grades.csv", newline="", encoding="utf-8") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert sorted(rows) == sorted(EXPECTED)
    for student, scores in EXPECTED.items():
        assert float(rows[student]["score"]) == pytest.approx(sum(scores.values()))
        assert float(rows[student]["max_score"]) == 10.0


def test_regenerating_keeps_the_gradebook_and_submissions(round_trip, tmp_path):
    course = tmp_path / "out" / "nbgrader"
    shutil.copytree(round_trip.course, course)
    config = course / "nbgrader_config.py"
    (course / "source" / ASSIGNMENT.id / "stale.txt").write_text("from an older spec")
    assert run_grader("generate", "--out", str(tmp_path / "out")).returncode == 0
    assert (course / "gradebook.db").is_file() and (course / "submitted" / "carol").is_dir()
    assert not (course / "source" / ASSIGNMENT.id / "stale.txt").exists()
    config.write_text("c = get_config()\n# the instructor's own\n")
    assert run_grader("generate", "--out", str(tmp_path / "out")).returncode == 0
    assert config.read_text() == "c = get_config()\n# the instructor's own\n"
    print(f"nbgrader seconds: {round_trip.seconds}")
