"""`grader validate`: an assignment is sound when its reference scores full marks and its
blank stub scores zero, exercise by exercise."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from grader import check, submission
from grader.generate import render_hidden_tests, render_release
from grader.pytest_plugin import run_hidden_checks
from grader.results import Report
from grader.spec_loader import Assignment, find_assignments, load_assignment


def main(*, course: Path, echo: Callable[[str], None] = print) -> list[str]:
    """Validate every assignment; return the problems found (empty when all is well)."""
    problems: list[str] = []
    for folder in find_assignments(course).values():
        assignment = load_assignment(folder)
        found = validate_assignment(assignment)
        problems += found
        echo(f"{assignment.id}: " + ("ok" if not found else f"{len(found)} problem(s)"))
        for problem in found:
            echo(f"  {problem}")
    return problems


def validate_assignment(assignment: Assignment) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="grader-validate-") as scratch:
        folder = Path(scratch)
        stub = render_release(assignment, folder / "release") / assignment.module_file
        reports = grade_files(assignment, {"reference": assignment.solution_path, "stub": stub},
                              folder / "tests")
    problems = []
    for exercise, (score, top) in reports["reference"].exercise_scores().items():
        if score != top:
            failed = [t.output for t in reports["reference"].tests
                      if t.exercise == exercise and not t.passed]
            problems.append(f"the reference scores {score:g}/{top:g} on {exercise}: {failed[0]}")
    for exercise, (score, _) in reports["stub"].exercise_scores().items():
        if score != 0:
            problems.append(f"the blank stub scores {score:g} on {exercise}, not 0")
    return problems


def grade_files(assignment: Assignment, files: dict[str, Path], tests: Path) -> dict[str, Report]:
    """Grade several files in one pytest session."""
    answers = {key: check.collect_answers(assignment, submission.read(path))
               for key, path in files.items()}
    render_hidden_tests(assignment, tests)
    results = run_hidden_checks(tests, assignment, {k: a.outcomes for k, a in answers.items()})
    return {key: Report(assignment.id, tuple(results[key]), 0.0, answers[key].notices)
            for key in files}
