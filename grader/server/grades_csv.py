"""The instructor's CSV: exactly `grader export csv`'s, from the same gradebook."""

from __future__ import annotations

from pathlib import Path

from grader.commands import export_csv
from grader.errors import GraderError
from grader.server.course import Warm


def grades_csv(course: Path, db: Path, warm: Warm) -> str:
    try:
        return export_csv.main(course=course, assignment_id=warm.assignment.id, db=db)
    except GraderError:  # nothing graded yet for this assignment: the header alone
        return export_csv.to_csv([e.id for e in warm.assignment.exercises], {})
