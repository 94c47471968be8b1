"""The contract's commands, exit codes and JSON shape."""

import json

from conftest import ROOT, SUBMISSIONS, run_grader


def test_json_is_one_document_with_the_contract_fields():
    proc = run_grader("check", "--json", str(SUBMISSIONS / "fixed_factors.py"))
    assert proc.returncode == 1
    report = json.loads(proc.stdout)  # one document, nothing else on stdout
    assert report["assignment"] == "linear-backprop"
    assert {"score", "max_score", "execution_time", "tests"} <= report.keys()
    assert report["score"] == sum(t["score"] for t in report["tests"]) == 4.0
    points: dict[str, float] = {}
    for test in report["tests"]:
        assert {"name", "exercise", "score", "max_score", "status", "visibility",
                "output"} <= test.keys()
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] in ("visible", "hidden", "after_due_date", "after_published")
        points[test["exercise"]] = points.get(test["exercise"], 0) + test["max_score"]
    assert points == {"derive-dz-db": 2, "iterate-by-hand": 2, "two-variable-solver": 6}


def test_hidden_cases_are_worth_half_the_solver_and_cover_the_hard_starts():
    proc = run_grader("check", "--json", str(ROOT / "solutions" / "linear_backprop.py"))
    report = json.loads(proc.stdout)
    solver = [t for t in report["tests"] if t["exercise"] == "two-variable-solver"]
    hidden = [t for t in solver if t["visibility"] != "visible"]
    assert len(hidden) >= 3 and sum(t["max_score"] for t in hidden) >= 3
    args = [t["detail"]["args"] for t in hidden]
    assert any(a["b"] < 0 for a in args)
    z_start = [(2 * a["w"] + 3 * a["b"]) * (2 * a["b"] + 1) for a in args]
    assert any(a["t"] > z for a, z in zip(args, z_start, strict=True))


def test_text_output_per_exercise_and_exit_0_on_full_marks():
    proc = run_grader("check", str(SUBMISSIONS / "correct_chapter_style.py"))
    assert proc.returncode == 0
    assert proc.stdout.startswith("linear-backprop: 10 / 10 points")
    for line in ("derive-dz-db: 2 / 2", "iterate-by-hand: 2 / 2", "two-variable-solver: 6 / 6"):
        assert line in proc.stdout


def test_a_folder_holding_one_submission_is_graded(tmp_path):
    (tmp_path / "linear_backprop.py").write_text(
        (SUBMISSIONS / "correct_fstrings.py").read_text())
    proc = run_grader("check", "--json", str(tmp_path))
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["score"] == 10.0


def test_no_such_file_is_exit_2_with_one_line():
    proc = run_grader("check", "no/such/file.py")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == "grader: no/such/file.py: no such file or folder\n"


def test_unknown_assignment_is_exit_2():
    proc = run_grader("check", str(SUBMISSIONS / "no_abs.py"), "--assignment", "nope")
    assert proc.returncode == 2
    assert proc.stderr.startswith("grader: unknown assignment 'nope'")


def test_bad_flag_is_exit_2_with_one_line():
    proc = run_grader("check", "--jsn", str(SUBMISSIONS / "no_abs.py"))
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "--jsn" in proc.stderr


def test_a_folder_with_two_candidates_is_exit_2(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "b.py").write_text("x = 2\n")
    proc = run_grader("check", str(tmp_path))
    assert proc.returncode == 2 and "found a.py, b.py" in proc.stderr


def test_not_a_notebook_is_a_graded_failure(tmp_path):
    bad = tmp_path / "linear_backprop.ipynb"
    bad.write_text("this is not json")
    proc = run_grader("check", "--json", str(bad))
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert report["score"] == 0
    assert "not a valid .ipynb" in report["tests"][0]["output"]
