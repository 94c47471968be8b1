"""`grader roster import FILE.csv` and `grader roster extend ID --assignment A --hours N`."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from grader.errors import GraderError
from grader.gradebook import DEFAULT_NAME


def import_main(*, file: Path, db: Path | None) -> str:
    """Add the new people; `student,token` CSV of those added (each token shown this once)."""
    from grader.server.auth import import_roster
    from grader.server.store import Store

    added = import_roster(Store(db or Path(DEFAULT_NAME)), file)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", "token"])
    writer.writerows(added)
    return out.getvalue()


def extend_main(*, course: Path, student: str, assignment_id: str, hours: float,
                db: Path | None) -> str:
    """Give `student` `hours` more for the assignment (replacing an earlier extension)."""
    from grader.gradebook import Gradebook
    from grader.server import grades
    from grader.server.course import Warm
    from grader.server.store import Store
    from grader.spec.loader import find_assignments, load_assignment

    path = db or Path(DEFAULT_NAME)
    store = Store(path)
    if store.person(student) is None:
        raise GraderError(f"{path}: no student {student!r} on the roster")
    folders = find_assignments(course)
    if assignment_id not in folders:
        raise GraderError(f"unknown assignment {assignment_id!r} "
                          f"(known: {', '.join(sorted(folders))})")
    store.set_extension(student, assignment_id, hours)
    assignment = load_assignment(folders[assignment_id])
    with Gradebook(path) as book:  # the counted score may change with the due date
        grades.sync(book, store, Warm.of(assignment), student)
    return f"{student}: {hours:g} h extension for {assignment_id}"
