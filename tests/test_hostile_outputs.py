"""What the grader writes from student data (issue #12, defects 10, 12, 13): strict JSON,
escaped terminal text, report file names that always exist. Real CLI, real sandbox."""

import json
import os
import subprocess
import zipfile

from conftest import SUBMISSIONS, run_grader
from test_grade import ASSIGNMENT, grade

from grader.commands.grade import report_name
from grader.gradebook import Gradebook
from grader.reports.text import printable

HUGE_ROWS = '''DZ_DB = "2*x + 3*y"
HAND_ITERATIONS = [{k: 1e308 for k in ("factor_b", "delta_b", "b", "z", "delta_z")}] * 2
'''


def no_constants(name):
    raise ValueError(f"not strict JSON: {name}")


def test_check_json_is_strict_when_a_student_makes_an_infinity(tmp_path):
    """Before: a table row of 1e308 made the expected factor_b inf, printed as Infinity."""
    path = tmp_path / "linear_backprop.py"
    path.write_text(HUGE_ROWS)
    proc = run_grader("check", "--json", str(path))
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout, parse_constant=no_constants)
    rows = [t["detail"] for t in report["tests"] if t["exercise"] == "iterate-by-hand"]
    assert "inf" in [value for row in rows for value in row.get("expected", {}).values()]
    assert report["score"] == 2.0


def test_gradescope_results_are_strict_json(tmp_path):
    out = tmp_path / "autograder.zip"
    assert run_grader("export", "gradescope", "--out", str(out)).returncode == 0
    root = tmp_path / "gs"
    with zipfile.ZipFile(out) as zf:
        zf.extractall(root / "source")
    (root / "source" / "run_autograder").chmod(0o755)
    (root / "submission").mkdir()
    (root / "results").mkdir()
    (root / "submission" / "linear_backprop.py").write_text(HUGE_ROWS)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root)}
    subprocess.run([str(root / "source" / "run_autograder")], cwd=root, env=env, check=True,
                   capture_output=True, timeout=120)
    results = json.loads((root / "results" / "results.json").read_text(),
                         parse_constant=no_constants)
    assert results["score"] == 2.0


def test_html_dir_names_every_report_safely(tmp_path):
    """Before: a 252-character student id with --html-dir aborted the run (ENAMETOOLONG)."""
    folder, db, pages = tmp_path / "class", tmp_path / "gb.sqlite", tmp_path / "html"
    ids = ["x" * 252, "a:b*?|<>", "名" * 84, "plain-id_1.2", "a b\x1b[2J"]
    for student in ids:
        (folder / student).mkdir(parents=True, exist_ok=True)
        (folder / student / "linear_backprop.py").write_bytes(
            (SUBMISSIONS / "fixed_factors.py").read_bytes())
    proc = grade(folder, db, "--html-dir", str(pages))
    assert "graded 5, not graded 0, unchanged 0" in proc.stdout
    written = sorted(p.name for p in pages.iterdir())
    assert written == sorted(report_name(s) for s in ids) and len(set(written)) == 5
    assert "plain-id_1.2.html" in written
    assert all(len(name.encode()) <= 255 and "/" not in name and not name.startswith(".")
               for name in written)
    with Gradebook(db) as book:
        assert sorted(book.entries(ASSIGNMENT)) == sorted(ids)


def test_report_names_are_stable_and_distinct():
    assert report_name("alice") == "alice.html"
    assert report_name("x" * 252) == report_name("x" * 252) != report_name("x" * 253)
    assert report_name("a b") != report_name("a_b")


def test_printable_escapes_what_a_terminal_would_act_on():
    assert printable("ok 名字 é") == "ok 名字 é"
    assert printable("a\x1b[2Kb\rc\x07\n\u202e\x9b") == r"a\x1b[2Kb\rc\x07\n\u202e\x9b"
    assert printable("caf\udce9") == r"caf\xe9"  # a byte os could not decode
    assert printable("a\tb", keep="\t") == "a\tb"


def test_check_escapes_a_hostile_path_in_its_error_line(tmp_path):
    folder = tmp_path / "evil\x1b[2J\rname"
    folder.mkdir()
    (folder / "a.py").write_text("x = 1\n")
    (folder / "b.py").write_text("x = 2\n")
    proc = run_grader("check", str(folder))
    assert proc.returncode == 2
    assert "\x1b" not in proc.stderr and "\r" not in proc.stderr
    assert r"evil\x1b[2J\rname" in proc.stderr and len(proc.stderr.splitlines()) == 1


def test_the_text_report_escapes_what_reaches_it():
    """Whatever a student string reaches the terminal report through, it arrives escaped."""
    from grader.reports.text import render
    from grader.results import CheckResult, Report

    hostile = "x\x1b]0;owned\x07\rall passed"
    check = CheckResult(f"ex: {hostile}", "ex", 0.0, 1.0, False, f"line one\n{hostile}",
                        diagnosis=f"cause: {hostile}")
    report = Report(ASSIGNMENT, (check,), notices=(hostile,))
    text = render(report)
    assert "\x1b" not in text and "\r" not in text and "\x07" not in text
    assert text.count(r"x\x1b]0;owned\x07\rall passed") == 4
