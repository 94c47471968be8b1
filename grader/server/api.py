"""The JSON API (../shared/CONTRACT.md, "Submission server"), authenticated by Bearer token."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from grader.server import auth
from grader.server.app import MAX_WAIT, Server, error
from grader.server.grades_csv import grades_csv
from grader.server.store import Person

router = APIRouter(prefix="/api")
FINAL = ("graded", "error")


def server_of(request: Request) -> Server:
    return request.app.state.server


def bearer(request: Request) -> Person | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return auth.person_for_token(server_of(request).store, token.strip())


UNAUTHORIZED = {"WWW-Authenticate": "Bearer"}


@router.post("/submissions")
async def submit(request: Request) -> Response:
    person = bearer(request)
    if person is None:  # before a byte of the body is read
        return error(401, "no or unknown token (Authorization: Bearer <token>)", UNAUTHORIZED)
    submission_id = await server_of(request).receive(request, person)
    return JSONResponse({"id": submission_id, "status": "queued"}, status_code=202)


@router.get("/submissions/{submission_id}")
async def one(request: Request, submission_id: str, wait: float = 0.0) -> Response:
    """`?wait=S` holds the answer up to S seconds (at most 30) until the report is ready."""
    person = bearer(request)
    if person is None:
        return error(401, "no or unknown token (Authorization: Bearer <token>)", UNAUTHORIZED)
    server = server_of(request)
    sub = server.visible(submission_id, person)
    if sub is None:
        return error(404, f"no submission {submission_id!r}")
    if wait > 0 and sub.status not in FINAL:
        await server.wait_for(submission_id, min(wait, MAX_WAIT),
                              lambda: server.store.status(submission_id) in FINAL)
        sub = server.visible(submission_id, person) or sub
    return Response(server.document(sub, person), media_type="application/json")


@router.get("/submissions")
async def mine(request: Request, assignment: str | None = None) -> Response:
    person = bearer(request)
    if person is None:
        return error(401, "no or unknown token (Authorization: Bearer <token>)", UNAUTHORIZED)
    server = server_of(request)
    subs = server.store.submissions(student=person.student, assignment=assignment)
    return JSONResponse([server.view(sub, person) for sub in subs])


@router.get("/grades")
async def grades(request: Request, assignment: str) -> Response:
    person = bearer(request)
    if person is None:
        return error(401, "no or unknown token (Authorization: Bearer <token>)", UNAUTHORIZED)
    if not person.instructor:
        return error(403, "the class's grades are for instructors")
    server = server_of(request)
    warm = server.course.get(assignment)
    if warm is None:
        return error(404, f"unknown assignment {assignment!r}")
    text = await run_in_threadpool(grades_csv, server.config.course, server.config.db, warm)
    return Response(text, media_type="text/csv; charset=utf-8")


@router.get("/assignments")
async def assignments(request: Request) -> Response:
    """The course's assignments (id, title, module, due): `grader submit` infers one by name."""
    person = bearer(request)
    if person is None:
        return error(401, "no or unknown token (Authorization: Bearer <token>)", UNAUTHORIZED)
    server = server_of(request)
    found = []
    for assignment_id in server.course.ids():
        warm = server.course.get(assignment_id)
        assert warm is not None
        line = server.deadline(warm, person)
        found.append({"id": assignment_id, "title": warm.assignment.spec.title,
                      "module": warm.assignment.spec.module,
                      "due": _iso(line.due) if line.due else None})
    return JSONResponse(found)


def _iso(at: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds")
