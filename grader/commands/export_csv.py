"""`grader export csv`: the gradebook as one CSV table for an LMS or a spreadsheet.

Header `student,<exercise id>...,total,status` (exercises in the spec's order), then one row
per student in the gradebook. `status` says what the numbers mean: `graded`, or why there is
nothing to grade (`no submission`, `several candidates`, `unreadable`, `not graded`), so a
student who handed nothing in is never a bare zero. Cells a spreadsheet would read as a
formula are escaped (OWASP: a leading `'` before `=`, `+`, `-`, `@`, tab, CR).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path

from grader.errors import GraderError
from grader.gradebook import DEFAULT_NAME, Gradebook
from grader.spec.loader import find_assignments, load_assignment

GRADED = "graded"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# (words in the recorded problem, status): the first that matches; anything else is "not graded"
_STATUSES = (
    (("submissions for this student id",), "several candidates"),
    (("found none", "no such file"), "no submission"),
    (("found ",), "several candidates"),  # "expected one submission file, found a.py, b.py"
    (("cannot be read", "not a valid", "larger than", "link", "UTF-8", "not a "), "unreadable"),
)


def main(*, course: Path, assignment_id: str | None, db: Path | None) -> str:
    path = db or Path(DEFAULT_NAME)
    if not path.is_file():
        raise GraderError(f"{path}: no gradebook here (run `grader grade DIR` first, or use --db)")
    with Gradebook(path) as book:
        assignment = _which(book, assignment_id, path)
        exercises = _exercise_ids(course, assignment, book)
        scores = book.exercise_scores(assignment)
        statuses = {s: status_of(e.problem) for s, e in book.entries(assignment).items()}
    return to_csv(exercises, scores, statuses)


def status_of(problem: str) -> str:
    """The status column for a gradebook entry's recorded problem ("" when it was graded)."""
    if not problem:
        return GRADED
    for words, status in _STATUSES:
        if any(word in problem for word in words):
            return status
    return "not graded"


def safe_cell(value: str) -> str:
    """A cell no spreadsheet runs as a formula (OWASP's CSV injection advice), on one line:
    the csv module leaves a lone CR unquoted, and readers take it for the end of the row."""
    value = "'" + value if value.startswith(FORMULA_START) else value
    return value.replace("\r", "\\r").replace("\n", "\\n")


def to_csv(exercises: list[str], scores: dict[str, dict[str, float]],
           statuses: Mapping[str, str] | None = None) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", *exercises, "total", "status"])
    for student in sorted(scores):
        points = [scores[student].get(exercise, 0.0) for exercise in exercises]
        status = (statuses or {}).get(student, GRADED)
        writer.writerow([safe_cell(student), *(f"{p:g}" for p in points),
                         f"{round(sum(points), 6):g}", safe_cell(status)])
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
