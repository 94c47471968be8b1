"""A new assignment from YAML and a reference alone: no grader code knows about it.

tests/fixtures/nonlinear-course is chapter 2.2's non-linear example (another trace format,
math.log/sqrt in the reference) with an expression and a table exercise of its own.
"""

import json
import shutil

import pytest
from conftest import ROOT, exercise_scores, run_grader

FIXTURE = ROOT / "tests" / "fixtures" / "nonlinear-course"

CORRECT = '''
import math
DQ_DP = "2p(3p+1) + 3p^2"
HALVINGS = [dict(gap=8, step=4, s=6), dict(gap=4, step=2, s=4), dict(gap=2, step=1, s=3)]

def solve(x, y):
    while True:
        c = math.sqrt(math.log(x * x))
        loss = c - y
        print(f"loss = {loss:.6f}, c = {c:.6f}, x = {x:.6f}")
        if abs(loss) < 1e-3:
            break
        dx = loss * c * x  # 1 / (dc/dx), simplified
        print(f"delta_x = {dx:.6f}")
        x -= dx
    print(f"final x = {x:.6f}")
'''

WRONG = '''
DQ_DP = "2*p*v"
HALVINGS = [dict(gap=8, step=4, s=6), dict(gap=4, step=2, s=5), dict(gap=3, step=1.5, s=3.5)]

def solve(x, y):
    print("x=%f,c=%f,loss=%f" % (x, 0.0, -y))
    print("final x=%f" % x)
'''


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    folder = tmp_path_factory.mktemp("course")
    shutil.copytree(FIXTURE, folder, dirs_exist_ok=True)
    return folder


def grade(course, tmp_path, source):
    path = tmp_path / "nonlinear_backprop.py"
    path.write_text(source)
    proc = run_grader("--course", str(course), "check", "--json", str(path))
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def test_validate_and_generate_the_new_assignment(course):
    proc = run_grader("--course", str(course), "validate")
    assert proc.returncode == 0 and "nonlinear-backprop: ok" in proc.stdout, proc.stdout
    out = course / "out"
    assert run_grader("--course", str(course), "generate", "--out", str(out)).returncode == 0
    stub = (out / "release" / "nonlinear-backprop" / "nonlinear_backprop.py").read_text()
    assert "DQ_DP = \"\"" in stub and "def solve(x, y):" in stub and "HALVINGS = [" in stub
    hidden = (out / "autograder" / "nonlinear-backprop" / "tests" / "test_hidden.py").read_text()
    assert "def test_nonlinear_solver__from_2(grade):" in hidden


def test_a_correct_submission_in_another_style_gets_full_marks(course, tmp_path):
    code, report = grade(course, tmp_path, CORRECT)
    assert code == 0
    assert exercise_scores(report) == {"derive-dq-dp": 3, "halve-by-hand": 3,
                                       "nonlinear-solver": 4}


def test_mistakes_cost_what_they_should(course, tmp_path):
    code, report = grade(course, tmp_path, WRONG)
    assert code == 1
    # row 2 slips (s = 5); row 3 follows from it (error carried forward), so it scores
    assert exercise_scores(report) == {"derive-dq-dp": 0, "halve-by-hand": 2,
                                       "nonlinear-solver": 0}
    outputs = {t["name"]: t["output"] for t in report["tests"]}
    assert "p also reaches q through v" in outputs["derive-dq-dp: answer"]
    assert "row 2: s is 5.000000" in outputs["halve-by-hand: row 2"]
    assert "follows from the row before" in outputs["halve-by-hand: row 3"]


def test_an_incomplete_row_costs_itself_and_the_rows_judged_from_it(course, tmp_path):
    partial = CORRECT.replace("dict(gap=4, step=2, s=4)", "dict(gap=4, step=2, s=None)")
    code, report = grade(course, tmp_path, partial)
    assert code == 1
    assert exercise_scores(report)["halve-by-hand"] == 1
    outputs = {t["name"]: t["output"] for t in report["tests"]}
    assert "row 2 has no value for `s` yet" in outputs["halve-by-hand: row 2"]
    assert "judged from row 2, which is not complete" in outputs["halve-by-hand: row 3"]
