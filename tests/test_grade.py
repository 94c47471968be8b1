"""`grader grade DIR`: a real class graded through the CLI, real sandboxes, a real gradebook."""

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from conftest import ROOT, SUBMISSIONS, run_grader
from test_example_submissions import EXPECTED

from grader.gradebook import Gradebook

ASSIGNMENT = "linear-backprop"


def make_class(folder, names, copies=1):
    """One student folder per (example, copy), holding it as linear_backprop.py."""
    students = {}
    for name in names:
        for copy in range(copies):
            student = f"{name.removesuffix('.py')}-{copy}"
            (folder / student).mkdir(parents=True)
            shutil.copy(SUBMISSIONS / name, folder / student / "linear_backprop.py")
            students[student] = name
    return students


def grade(folder, db, *extra):
    proc = run_grader("grade", str(folder), "--db", str(db), *extra, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_every_student_gets_the_score_check_gives(tmp_path):
    students = make_class(tmp_path / "class", sorted(EXPECTED))
    proc = grade(tmp_path / "class", tmp_path / "gb.sqlite")
    with Gradebook(tmp_path / "gb.sqlite") as book:
        scores = book.exercise_scores(ASSIGNMENT)
        assert scores == {s: EXPECTED[name] for s, name in students.items()}
        assert all(len(book.results(ASSIGNMENT, s)) == 7 for s in students)
    assert f"graded {len(students)}, not graded 0, unchanged 0" in proc.stdout
    assert "checks failed most often:" in proc.stdout
    assert "two-variable-solver: chapter-example" in proc.stdout
    assert f"{len(students)}/{len(students)}" in proc.stderr  # the progress bar's count


def test_problem_folders_are_reported_and_the_run_goes_on(tmp_path):
    folder = tmp_path / "class"
    make_class(folder, ["correct_fstrings.py"])
    (folder / "nobody").mkdir()
    (folder / "twice").mkdir()
    (folder / "twice" / "a.py").write_text("x = 1\n")
    (folder / "twice" / "b.py").write_text("x = 2\n")
    (folder / "garbled").mkdir()
    (folder / "garbled" / "linear_backprop.ipynb").write_text("not a notebook")
    proc = grade(folder, tmp_path / "gb.sqlite")
    assert "problem: nobody: expected one submission file (.py or .ipynb), found none" \
        in proc.stdout
    assert "problem: twice: expected one submission file (.py or .ipynb), found a.py, b.py" \
        in proc.stdout
    assert "problem: garbled: the notebook is not a valid .ipynb file" in proc.stdout
    assert "graded 2 (1 of them 0: cannot be run), not graded 2, unchanged 0" in proc.stdout
    with Gradebook(tmp_path / "gb.sqlite") as book:
        entries = book.entries(ASSIGNMENT)
        assert entries["correct_fstrings-0"].score == 10.0
        assert entries["garbled"].score == 0.0 and entries["garbled"].problem == ""
        assert "not a valid .ipynb" in book.results(ASSIGNMENT, "garbled")[0].output
        assert entries["twice"].problem.endswith("found a.py, b.py")


def test_a_rerun_skips_unchanged_and_regrades_changed(tmp_path):
    folder, db = tmp_path / "class", tmp_path / "gb.sqlite"
    make_class(folder, ["correct_fstrings.py", "fixed_factors.py", "no_abs.py"])
    grade(folder, db)
    with Gradebook(db) as book:
        first = book.entries(ASSIGNMENT)
    shutil.copy(SUBMISSIONS / "correct_chapter_style.py", folder / "no_abs-0" /
                "linear_backprop.py")
    proc = grade(folder, db)
    assert "graded 1, not graded 0, unchanged 2" in proc.stdout
    with Gradebook(db) as book:
        second = book.entries(ASSIGNMENT)
    assert second["no_abs-0"].score == 10.0 and second["no_abs-0"].run != first["no_abs-0"].run
    assert {s: second[s] for s in ("correct_fstrings-0", "fixed_factors-0")} == \
        {s: first[s] for s in ("correct_fstrings-0", "fixed_factors-0")}


def graded_count(db):
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0


def test_a_killed_run_keeps_its_grades_and_the_rerun_grades_each_remaining_once(tmp_path):
    folder, db = tmp_path / "class", tmp_path / "gb.sqlite"
    mix = ["correct_fstrings.py", "fixed_factors.py", "hand_row_slip.py", "no_abs.py"]
    students = make_class(folder, mix, copies=15)
    run = subprocess.Popen([sys.executable, "-m", "grader", "grade", str(folder), "--db",
                            str(db), "--jobs", "1"], cwd=ROOT, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while graded_count(db) == 0 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    assert run.returncode == -signal.SIGKILL
    with Gradebook(db) as book:
        kept = book.entries(ASSIGNMENT)
        assert 0 < len(kept) < len(students), "the run was not killed midway"
        for student in kept:  # each one whole: every check, the right score
            assert len(book.results(ASSIGNMENT, student)) == 7
            assert book.exercise_scores(ASSIGNMENT)[student] == EXPECTED[students[student]]
    proc = grade(folder, db)
    counts = f"graded {len(students) - len(kept)}, not graded 0, unchanged {len(kept)} "
    assert counts in proc.stdout
    with Gradebook(db) as book:
        after = book.entries(ASSIGNMENT)
        assert set(after) == set(students)
        assert {s: after[s] for s in kept} == kept  # not regraded
        assert len({after[s].run for s in set(students) - set(kept)}) == 1
        assert book.db.execute("SELECT COUNT(*) FROM results").fetchone() == \
            (7 * len(students),)
    assert "graded 0, not graded 0, unchanged 60 " in grade(folder, db).stdout


def test_a_changed_spec_regrades_everyone(tmp_path):
    course = tmp_path / "course"
    shutil.copytree(ROOT / "exercises", course / "exercises")
    shutil.copytree(ROOT / "solutions", course / "solutions")
    folder, db = tmp_path / "class", tmp_path / "gb.sqlite"
    make_class(folder, ["correct_fstrings.py", "no_abs.py"])
    env = {**os.environ, "GRADER_COURSE": str(course)}
    first = run_grader("grade", str(folder), "--db", str(db), env=env)
    assert "graded 2, not graded 0, unchanged 0" in first.stdout, first.stderr
    spec = course / "exercises" / ASSIGNMENT / "two-variable-solver.yaml"
    text = spec.read_text().replace("points: 6\n", "points: 7\n", 1)
    spec.write_text(text.replace("points: 3\n", "points: 4\n", 1))  # the chapter case: 3 -> 4
    second = run_grader("grade", str(folder), "--db", str(db), env=env)
    assert "graded 2, not graded 0, unchanged 0" in second.stdout, second.stderr
    with Gradebook(db) as book:
        assert book.entries(ASSIGNMENT)["correct_fstrings-0"].score == 11.0


@pytest.mark.parametrize(("args", "message"), [
    (["no/such/dir"], "grader: no/such/dir: no such folder"),
    (["tests", "--assignment", "nope"], "grader: unknown assignment 'nope'"),
    (["tests", "--jobs", "0"], "grader: Invalid value for '--jobs'"),
])
def test_grader_errors_are_one_line_and_exit_2(args, message, tmp_path):
    proc = run_grader("grade", *args, "--db", str(tmp_path / "gb.sqlite"))
    assert proc.returncode == 2
    assert proc.stderr.startswith(message) and len(proc.stderr.splitlines()) == 1


def test_a_class_is_never_graded_without_the_sandbox(tmp_path):
    make_class(tmp_path / "class", ["correct_fstrings.py"])
    proc = run_grader("grade", str(tmp_path / "class"), "--db", str(tmp_path / "gb.sqlite"),
                      env={**os.environ, "GRADER_SANDBOX": "none"})
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == ("grader: refusing to grade a class without the sandbox: bubblewrap "
                           "is not installed (apt-get install bubblewrap)\n")
    assert not (tmp_path / "gb.sqlite").exists()


def test_ctrl_c_stops_the_run_with_one_line_and_keeps_what_was_graded(tmp_path):
    folder, db = tmp_path / "class", tmp_path / "gb.sqlite"
    make_class(folder, ["correct_fstrings.py", "no_abs.py"], copies=15)
    # graded between the two (names sort so): a solver that never returns keeps the run
    # going for seconds, so that Ctrl-C lands mid-class however fast the others grade
    (folder / "endless-0").mkdir()
    shutil.copy(ROOT / "tests" / "attacks" / "infinite_loop.py",
                folder / "endless-0" / "linear_backprop.py")
    run = subprocess.Popen([sys.executable, "-m", "grader", "grade", str(folder), "--db",
                            str(db), "--jobs", "1"], cwd=ROOT, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while graded_count(db) == 0 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    still_running = run.poll() is None
    run.send_signal(signal.SIGINT)
    stdout, stderr = run.communicate(timeout=60)
    assert run.returncode == 2, (still_running, graded_count(db), stdout[-1000:], stderr[-1000:])
    assert stderr.splitlines()[-1] == "grader: aborted"
    with Gradebook(db) as book:
        kept = book.entries(ASSIGNMENT)
        assert 0 < len(kept) < 30
        assert all(len(book.results(ASSIGNMENT, s)) == 7 for s in kept)


def test_one_session_hands_over_each_submission_complete_and_in_order(tmp_path):
    """What makes class grading resumable: pytest runs submission by submission."""
    from grader import checks
    from grader.commands.check import resolve_assignment
    from grader.commands.generate import render_hidden_tests
    from grader.pytest_plugin import run_hidden_checks
    from grader.sandbox.protocol import ProbeOutcome

    assignment = resolve_assignment(ROOT, ASSIGNMENT, tmp_path)
    outcomes = {p.id: ProbeOutcome(p.id, "missing") for p in checks.probes(assignment)}
    done = []
    results = run_hidden_checks(render_hidden_tests(assignment, tmp_path), assignment,
                                {str(i): outcomes for i in range(4)},
                                on_done=lambda key, found: done.append((key, len(found))))
    assert done == [("0", 7), ("1", 7), ("2", 7), ("3", 7)]
    assert all(len(found) == 7 for found in results.values())


def test_a_check_that_falls_short_fails_its_test_with_its_message_alone(tmp_path,
                                                                         monkeypatch):
    """pytest reports it failed, by the check's message; it never filters or formats a
    traceback for it (that cost each failed check, so each typical mistake, ~2 ms)."""
    import _pytest.nodes

    from grader import checks
    from grader.commands.check import resolve_assignment
    from grader.commands.generate import render_hidden_tests
    from grader.pytest_plugin import GradingPlugin, run_hidden_checks
    from grader.sandbox.protocol import ProbeOutcome

    formatted, reports = [], []
    real_format = _pytest.nodes.Node._repr_failure_py
    real_log = GradingPlugin.pytest_runtest_logreport

    def counting_format(node, *args, **kwargs):
        formatted.append(node.nodeid)
        return real_format(node, *args, **kwargs)

    def logging(plugin, report):
        if report.when == "call":
            reports.append((report.outcome, report.longreprtext))
        return real_log(plugin, report)

    monkeypatch.setattr(_pytest.nodes.Node, "_repr_failure_py", counting_format)
    monkeypatch.setattr(GradingPlugin, "pytest_runtest_logreport", logging)
    assignment = resolve_assignment(ROOT, ASSIGNMENT, tmp_path)
    outcomes = {p.id: ProbeOutcome(p.id, "missing", error="the module defines no `x`")
                for p in checks.probes(assignment)}
    (results,) = run_hidden_checks(render_hidden_tests(assignment, tmp_path), assignment,
                                   {"blank": outcomes}).values()
    assert len(reports) == len(results) == 7 and not any(r.passed for r in results)
    assert [outcome for outcome, _ in reports] == ["failed"] * 7
    assert [text for _, text in reports] == [r.output for r in results]
    assert formatted == []


def test_two_runs_writing_one_gradebook_at_once_both_land(tmp_path):
    db = tmp_path / "gb.sqlite"
    names = ["correct_fstrings.py", "no_abs.py", "hand_row_slip.py"]
    first = make_class(tmp_path / "a", names, copies=4)
    second = {}
    for i, name in enumerate(names * 4):  # other student ids, same answers
        (tmp_path / "b" / f"other-{i}").mkdir(parents=True)
        shutil.copy(SUBMISSIONS / name, tmp_path / "b" / f"other-{i}" / "linear_backprop.py")
        second[f"other-{i}"] = name
    runs = [subprocess.Popen([sys.executable, "-m", "grader", "grade", str(folder), "--db",
                              str(db), "--jobs", "1"], cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
            for folder in (tmp_path / "a", tmp_path / "b")]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    with Gradebook(db) as book:
        scores = book.exercise_scores(ASSIGNMENT)
        assert scores == {s: EXPECTED[n] for s, n in {**first, **second}.items()}
        assert book.db.execute("SELECT COUNT(*) FROM results").fetchone() == (7 * 24,)


def test_html_dir_gets_one_escaped_report_per_student(tmp_path):
    students = make_class(tmp_path / "class", ["fixed_factors.py", "html_injection.py"])
    grade(tmp_path / "class", tmp_path / "gb.sqlite", "--html-dir", str(tmp_path / "html"))
    pages = {p.stem: p.read_text(encoding="utf-8") for p in (tmp_path / "html").glob("*.html")}
    assert sorted(pages) == sorted(students)
    assert "fixed factors 63 and 18" in pages["fixed_factors-0"]
    assert "<svg" in pages["fixed_factors-0"]  # the |delta_z| plot
    assert "<script>" not in pages["html_injection-0"]


def test_a_folder_of_files_is_one_student_per_file(tmp_path):
    """The quick start grades tests/submissions as it is: one file per student."""
    proc = grade(SUBMISSIONS, tmp_path / "gb.sqlite")
    with Gradebook(tmp_path / "gb.sqlite") as book:
        scores = book.exercise_scores(ASSIGNMENT)
    assert scores == {name.removesuffix(".py"): EXPECTED[name] for name in EXPECTED}
    assert f"graded {len(EXPECTED)}, not graded 0, unchanged 0" in proc.stdout


def test_a_folder_and_a_file_for_one_student_is_reported_not_guessed(tmp_path):
    make_class(tmp_path / "class", ["no_abs.py"])
    shutil.copy(SUBMISSIONS / "correct_fstrings.py", tmp_path / "class" / "no_abs-0.py")
    proc = grade(tmp_path / "class", tmp_path / "gb.sqlite")
    assert "graded 0, not graded 1, unchanged 0" in proc.stdout
    assert "2 submissions for this student id" in proc.stdout + proc.stderr
