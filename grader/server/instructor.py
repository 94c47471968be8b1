"""The instructor's pages: the class table (each student's counted score per exercise, late,
attempts), one student's history, "regrade all" after a spec change, the CSV download."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from grader.errors import GraderError
from grader.gradebook import Gradebook
from grader.server import policy
from grader.server.app import Server
from grader.server.course import Warm
from grader.server.grades_csv import grades_csv
from grader.server.web import (
    SECURITY_HEADERS,
    PageError,
    check_csrf,
    page,
    required,
    server_of,
    small_form,
)

router = APIRouter(prefix="/instructor")


def _warm(server: Server, assignment: str) -> Warm:
    warm = server.course.get(assignment)
    if warm is None:
        raise PageError(404, f"No assignment {assignment!r}.")
    return warm


def class_rows(server: Server, warm: Warm) -> list[dict]:
    assignment = warm.assignment
    with Gradebook(server.config.db) as book:
        scores = book.exercise_scores(assignment.id)
        entries = book.entries(assignment.id)
    rows = []
    for person in server.store.people():
        if person.instructor:
            continue
        subs = server.store.submissions(student=person.student, assignment=assignment.id,
                                        scores_only=True)
        line = policy.deadline(assignment,
                               server.store.extension_hours(person.student, assignment.id))
        chosen = policy.counted(assignment, subs, line)
        entry = entries.get(person.student)
        rows.append({"student": person.student, "name": person.name,
                     "scores": scores.get(person.student, {}),
                     "total": entry.score if entry else None, "attempts": len(subs),
                     "late": bool(chosen and line.late_by(chosen.submitted_at) > 0),
                     "pending": sum(s.status not in ("graded", "error") for s in subs)})
    return rows


@router.get("/{assignment}", response_class=HTMLResponse)
async def class_table(request: Request, assignment: str, queued: int | None = None) -> Response:
    found = required(request, instructor=True)
    server = server_of(request)
    warm = _warm(server, assignment)
    rows = await run_in_threadpool(class_rows, server, warm)
    return page("class.html.j2", person=found.person, csrf=found.csrf, rows=rows,
                assignment=warm.assignment, exercises=warm.assignment.exercises,
                message="" if queued is None else f"Queued {queued} submission(s) for regrading.")


@router.get("/{assignment}/students/{student}", response_class=HTMLResponse)
async def history(request: Request, assignment: str, student: str) -> Response:
    found = required(request, instructor=True)
    server = server_of(request)
    warm = _warm(server, assignment)
    person = server.store.person(student)
    if person is None:
        raise PageError(404, f"No student {student!r}.")
    line = policy.deadline(warm.assignment, server.store.extension_hours(student, assignment))
    subs = server.store.submissions(student=student, assignment=assignment, scores_only=True)
    chosen = policy.counted(warm.assignment, subs, line)
    return page("history.html.j2", person=found.person, csrf=found.csrf, student=person,
                assignment=warm.assignment, line=line, counted=chosen.id if chosen else None,
                submissions=[{"id": s.id, "at": s.submitted_at, "status": s.status,
                              "score": s.report["score"] if s.report else None,
                              "multiplier": line.multiplier(s.submitted_at),
                              "late": line.late_by(s.submitted_at) > 0} for s in subs],
                extension=server.store.extension_hours(student, assignment))


@router.post("/{assignment}/regrade")
async def regrade(request: Request, assignment: str) -> Response:
    """Load the spec again and queue every submission of the assignment for grading."""
    found = required(request, instructor=True)
    check_csrf(found, (await small_form(request)).get("csrf"))
    server = server_of(request)
    _warm(server, assignment)
    try:
        count = await run_in_threadpool(requeue_all, server, assignment)
    except GraderError as exc:
        raise PageError(422, f"The spec cannot be loaded, nothing was queued: {exc}") from None
    server.workers.wake()
    return RedirectResponse(f"/instructor/{assignment}?queued={count}",
                            status_code=303, headers=SECURITY_HEADERS)


def requeue_all(server: Server, assignment: str) -> int:
    server.course.reload(assignment)  # a broken spec: GraderError, shown, nothing queued
    with server.store.transaction() as db:
        ids = [row[0] for row in db.execute(
            "SELECT id FROM server_submissions WHERE assignment=? AND status IN "
            "('graded','error')", (assignment,))]
        for submission_id in ids:
            server.store.set_status(db, submission_id, "queued")
            server.queue.put(db, submission_id)
    return len(ids)


@router.get("/{assignment}/grades.csv")
async def download(request: Request, assignment: str) -> Response:
    required(request, instructor=True)
    server = server_of(request)
    warm = _warm(server, assignment)
    text = await run_in_threadpool(grades_csv, server.config.course, server.config.db, warm)
    return Response(text, media_type="text/csv; charset=utf-8", headers={
        **SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{assignment}.csv"'})
