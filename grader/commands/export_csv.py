"""`grader export csv`: the gradebook as one CSV table for an LMS or a spreadsheet.

Header `student,<exercise id>...,total` (exercises in the spec's order), then one row per
student in the gradebook; a student whose folder held nothing gradable scores 0 everywhere.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from grader.errors import GraderError
from grader.gradebook import DEFAULT_NAME, Gradebook
from grader.spec.loader import find_assignments, load_assignment


def main(*, course: Path, assignment_id: str | None, db: Path | None) -> str:
    path = db or Path(DEFAULT_NAME)
    if not path.is_file():
        raise GraderError(f"{path}: no gradebook here (run `grader grade DIR` first, or use --db)")
    with Gradebook(path) as book:
        assignment = _which(book, assignment_id, path)
        exercises = _exercise_ids(course, assignment, book)
        scores = book.exercise_scores(assignment)
    return to_csv(exercises, scores)


def to_csv(exercises: list[str], scores: dict[str, dict[str, float]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", *exercises, "total"])
    for student in sorted(scores):
        points = [scores[student].get(exercise, 0.0) for exercise in exercises]
        writer.writerow([student, *(f"{p:g}" for p in points), f"{round(sum(points), 6):g}"])
    return out.getvalue()


def _which(book: Gradebook, assignment_id: str | None, path: Path) -> str:
    known = book.assignments()
    if assignment_id is not None:
        if assignment_id not in known:
            raise GraderError(f"{path}: no grades for assignment {assignment_id!r} "
                              f"(graded: {', '.join(known) or 'none'})")
        return assignment_id
    if len(known) != 1:
        raise GraderError(f"{path}: holds {len(known)} assignments "
                          f"({', '.join(known) or 'none'}); use --assignment")
    return known[0]


def _exercise_ids(course: Path, assignment: str, book: Gradebook) -> list[str]:
    """The spec's exercise order when the course still has the assignment, else the book's."""
    try:
        folder = find_assignments(course).get(assignment)
    except GraderError:
        folder = None
    if folder is not None:
        return [exercise.id for exercise in load_assignment(folder).exercises]
    return book.exercise_ids(assignment)
