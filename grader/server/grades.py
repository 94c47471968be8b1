"""The gradebook's view of the server: one entry per (student, assignment), the counted
submission with its late penalty applied, written through `grader.gradebook.Gradebook` so
`grader export csv` and the instructor's CSV download read the same grades as `grader grade`.

An entry is derived data: `sync` recomputes it from the server's submissions, so it can be
rewritten at any time (after a grading, an extension, a crash between the two writes).
"""

from __future__ import annotations

from grader.gradebook import Entry, Gradebook, now
from grader.results import Report
from grader.server import policy
from grader.server.course import Warm
from grader.server.store import Store

RUN = "server"  # the gradebook's `run` column for entries the server wrote


def sync(book: Gradebook, store: Store, warm: Warm, student: str,
         fresh: tuple[str, Report] | None = None) -> None:
    """Write the student's counted submission for `warm`'s assignment to the gradebook.
    `fresh`: (id, report) of a submission just graded, not decoded again if it counts."""
    assignment = warm.assignment
    line = policy.deadline(assignment, store.extension_hours(student, assignment.id))
    # `latest` counts the newest graded one: no need to read the student's whole history
    newest = 1 if policy.policy_of(assignment).counts == "latest" else None
    chosen = policy.counted(assignment, store.submissions(
        student=student, assignment=assignment.id, scores_only=True, graded_only=True,
        limit=newest), line)
    if chosen is None:
        return
    if fresh is not None and fresh[0] == chosen.id:
        graded = fresh[1]
    else:
        full = store.submission(chosen.id)
        if full is None or full.report is None:
            return
        graded = Report.from_dict(full.report)
    report = policy.penalised(graded, line.multiplier(chosen.submitted_at),
                              line.late_by(chosen.submitted_at))
    entry = Entry(student, assignment.id, chosen.sha256, warm.fingerprint,
                  f"server:{chosen.id}", "", report.score, report.max_score, RUN, now())
    book.record(entry, report)


def sync_all(book: Gradebook, store: Store, warm: Warm) -> int:
    """Every student with a graded submission: at start-up, after a crash between writes."""
    students = {s.student for s in store.submissions(assignment=warm.assignment.id,
                                                     scores_only=True) if s.status == "graded"}
    for student in sorted(students):
        sync(book, store, warm, student)
    return len(students)
