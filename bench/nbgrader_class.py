"""Notebooks for the benchmark: what a student hands in, and the same answers in an nbgrader
course (source notebook with locked test cells, release, submitted/) for `nbgrader autograde`.

The nbgrader test cells check the same things as the grader's hidden checks, the way an
nbgrader instructor would write them (sympy for the expression, asserts on numbers).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ASSIGNMENT = "linear_backprop"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"

TEST_EXPRESSION = '''import sympy
w, b = sympy.symbols("w b")
x, y = 2*w + 3*b, 2*b + 1
given = sympy.sympify(DZ_DB.replace("^", "**"), locals={"w": w, "b": b, "x": x, "y": y})
assert sympy.simplify(given - (2*x + 3*y)) == 0, "DZ_DB is not dz/db"
'''

TEST_TABLE = '''w, b, t = 3, 3.809524, 150
delta_z = (2*w + 3*b) * (2*b + 1) - t
for row in HAND_ITERATIONS:
    factor_b = 2*(2*w + 3*b) + 3*(2*b + 1)
    expected = {"factor_b": factor_b, "delta_b": delta_z / factor_b}
    expected["b"] = b - expected["delta_b"]
    expected["z"] = (2*w + 3*expected["b"]) * (2*expected["b"] + 1)
    expected["delta_z"] = expected["z"] - t
    for key, value in expected.items():
        assert abs(row[key] - value) < 1e-4, (key, row[key], value)
    b, delta_z = row["b"], row["delta_z"]
'''

TEST_SOLVER = '''import contextlib, io, re

def _reference(w, b, t):
    while True:
        x, y = 2*w + 3*b, 2*b + 1
        z = x * y
        delta_z = z - t
        print("w=%f,b=%f,z=%f,delta_z=%f" % (w, b, z, delta_z))
        if abs(delta_z) < 1e-5:
            break
        factor_b, factor_w = 2*x + 3*y, 2*y
        delta_b, delta_w = delta_z / factor_b / 2, delta_z / factor_w / 2
        print("factor_b=%f, factor_w=%f, delta_b=%f, delta_w=%f"
              % (factor_b, factor_w, delta_b, delta_w))
        b, w = b - delta_b, w - delta_w
    print("done!")
    print("final b=%f" % b)
    print("final w=%f" % w)

def _numbers(function, *args):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        function(*args)
    return [float(v) for v in re.findall(r"=\\s*(-?[0-9.]+(?:e-?[0-9]+)?)", out.getvalue())]

for args in [(3, 4, 150), (3, 4, 170), (2, -3, 20), (1, 1, 10)]:
    mine, reference = _numbers(double_variable_new, *args), _numbers(_reference, *args)
    assert len(mine) == len(reference), args
    assert all(abs(p - q) < 1e-4 for p, q in zip(mine, reference)), args
'''

TESTS = [("test_derive_dz_db", 2, TEST_EXPRESSION), ("test_iterate_by_hand", 2, TEST_TABLE),
         ("test_two_variable_solver", 6, TEST_SOLVER)]


def _meta(grade_id: str, *, solution: bool = False, points: float | None = None) -> dict:
    meta = {"grade": points is not None, "grade_id": grade_id, "locked": not solution,
            "schema_version": 3, "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def student_notebook(source: str) -> nbformat.NotebookNode:
    """What a student hands in to the grader: the answers in one solution cell."""
    return new_notebook(cells=[
        new_markdown_cell("# Chapter 2.1: Linear backpropagation"),
        new_code_cell(source, metadata=_meta("answers", solution=True))],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}})


def nbgrader_course(root: Path, solution: str) -> Path:
    """An nbgrader course with the assignment generated (source -> release, gradebook)."""
    (root / "source" / ASSIGNMENT).mkdir(parents=True)
    # nbgrader at its defaults otherwise: a cell may run 30 s (its Execute.timeout)
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        "c.CourseDirectory.course_id = 'bench'\n")
    notebook = student_notebook(f"### BEGIN SOLUTION\n{solution}\n### END SOLUTION\n")
    notebook.cells += [new_code_cell(code, metadata=_meta(name, points=points))
                       for name, points, code in TESTS]
    nbformat.write(notebook, root / "source" / ASSIGNMENT / NOTEBOOK)
    nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
    return root


def submit(root: Path, student: str, answers: str) -> None:
    """The release notebook with the student's answers in its solution cell."""
    notebook = nbformat.read(root / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = answers
    folder = root / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / NOTEBOOK)


def nbgrader(root: Path, *args: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"nbgrader {' '.join(args)} failed:\n{proc.stderr[-3000:]}")


def scores(root: Path) -> dict[str, float]:
    """Student -> total nbgrader gave, from its gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as book:
        return {s.student.id: s.score for s in book.assignment_submissions(ASSIGNMENT)}
