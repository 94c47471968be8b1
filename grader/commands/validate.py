"""`grader validate`: an assignment is sound when its reference scores full marks and its
blank stub scores zero, exercise by exercise."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from grader import submission
from grader.commands.generate import render_release
from grader.commands.grade import Student, grade_submissions
from grader.results import Report
from grader.spec.loader import Assignment, find_assignments, load_assignment


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
        stub = render_release(assignment, Path(scratch) / "release") / assignment.module_file
        reports = grade_files(assignment, {"reference": assignment.solution_path, "stub": stub})
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


def grade_files(assignment: Assignment, files: dict[str, Path]) -> dict[str, Report]:
    """Grade instructor files (key -> path) the way a class is graded, in one pytest session.
    The sandbox is not required: these are the instructor's own files."""
    students = [Student(key, submission.read(path), "") for key, path in files.items()]
    reports: dict[str, Report] = {}

    def save(student: Student, report: Report) -> None:
        reports[student.student] = report

    grade_submissions(assignment, students, save, jobs=len(students), require_sandbox=False)
    return reports
