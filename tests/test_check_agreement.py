"""One submission at a time (`grader check`, the Gradescope autograder, the server) is graded
with `checks.grade_all`; `grader grade` runs the generated hidden pytest suite over a class.
Both must give the same results, in the same order, on every example and real submission."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, SUBMISSIONS

from grader import checks, submission
from grader.commands.check import collect_answers, resolve_assignment
from grader.commands.generate import render_hidden_tests
from grader.pytest_plugin import run_hidden_checks

ASSIGNMENT = "linear-backprop"
FILES = sorted([*SUBMISSIONS.glob("*.py"), *(ROOT / "tests" / "real").glob("*.py")])


@pytest.fixture(scope="module")
def answers() -> dict[str, dict]:
    assignment = resolve_assignment(ROOT, ASSIGNMENT, ROOT)
    return {path.name: collect_answers(assignment, submission.read(path)).outcomes
            for path in FILES}


def test_every_check_gets_the_same_result_both_ways(answers: dict, tmp_path: Path):
    assignment = resolve_assignment(ROOT, ASSIGNMENT, ROOT)
    suite = run_hidden_checks(render_hidden_tests(assignment, tmp_path), assignment, answers)
    assert len(suite) == len(FILES) > 40
    differing = []
    for name, outcomes in answers.items():
        direct = [result.to_dict() for result in checks.grade_all(assignment, outcomes)]
        if direct != [result.to_dict() for result in suite[name]]:
            differing.append(name)
    assert differing == []
    scores = {sum(r.score for r in suite[name]) for name in answers}
    assert len(scores) > 3  # right, wrong and partly right work among them



def test_check_starts_no_pytest_session_and_renders_no_template():
    """What made each `grader check` ~300 ms slower, kept off its path: pytest, jinja2."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "grader", "check", "--json",
                           str(SUBMISSIONS / "correct_fstrings.py")],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()
                if line.startswith("import time:")}
    assert "grader.checks" in imported  # the listing is the real one
    assert not {"pytest", "_pytest", "jinja2", "grader.pytest_plugin"} & imported
