"""The student's pages: log in, their assignments with due dates, the upload form, their
submission history with scores, and each report."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from grader.results import Report
from grader.server import auth, policy
from grader.server.accept import Refused
from grader.server.form import FormError
from grader.server.store import StoredSubmission
from grader.server.web import (
    COOKIE,
    LOGIN_COOKIE,
    SECURITY_HEADERS,
    PageError,
    check_csrf,
    page,
    person_label,
    required,
    server_of,
    session,
    set_session,
    small_form,
)

router = APIRouter()
FINAL = ("graded", "error")


async def page_error(request: Request, exc: PageError) -> Response:
    if exc.status == 401:
        return login_page(request, exc.message, 401)
    return page("message.html.j2", exc.status, title="Not possible", message=exc.message,
                person=None)


def login_page(request: Request, message: str = "", status: int = 200) -> Response:
    token = secrets.token_urlsafe(16)
    response = page("login.html.j2", status, message=message, csrf=token, person=None)
    response.set_cookie(LOGIN_COOKIE, token, max_age=3600, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")
    return response


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, message: str = "") -> Response:
    found = session(request)
    if found is None:
        return login_page(request)
    server = server_of(request)
    rows = []
    for assignment_id in server.course.ids():
        warm = server.course.get(assignment_id)
        assert warm is not None
        line = server.deadline(warm, found.person)
        subs = server.store.submissions(student=found.person.student, assignment=assignment_id)
        rows.append({"id": assignment_id, "title": warm.assignment.spec.title,
                     "due": line.due, "late_until": line.late_until,
                     "closed": line.closed(_now()) and not found.person.instructor,
                     "submissions": [_row(s, line) for s in subs],
                     "counted": getattr(policy.counted(warm.assignment, subs, line), "id", None)})
    return page("home.html.j2", person=found.person, label=person_label(found.person),
                csrf=found.csrf, assignments=rows, message=message)


def _row(sub: StoredSubmission, line: policy.Deadline) -> dict:
    report, multiplier = sub.report, line.multiplier(sub.submitted_at)
    return {"id": sub.id, "at": sub.submitted_at, "status": sub.status,
            "score": None if report is None else round(report["score"] * multiplier, 6),
            "max_score": None if report is None else report["max_score"],
            "late": line.late_by(sub.submitted_at) > 0}


@router.post("/login")
async def login(request: Request) -> Response:
    form = await small_form(request)
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not auth.csrf_ok(expected, form.get("csrf")):
        return login_page(request, "The login form expired; please try again.", 403)
    person = auth.person_for_token(server_of(request).store, form.get("token", "").strip())
    if person is None:
        return login_page(request, "Unknown token.", 401)
    secret, _ = await run_in_threadpool(auth.open_session, server_of(request).store, person)
    response = RedirectResponse("/", status_code=303, headers=SECURITY_HEADERS)
    set_session(response, secret, request)
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    found = required(request)
    check_csrf(found, (await small_form(request)).get("csrf"))
    await run_in_threadpool(auth.close_session, server_of(request).store,
                            request.cookies.get(COOKIE, ""))
    response = RedirectResponse("/", status_code=303, headers=SECURITY_HEADERS)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.post("/submit")
async def submit(request: Request) -> Response:
    found = required(request)
    request.state.check_form = lambda form: check_csrf(found, form.fields.get("csrf"))
    try:
        submission_id = await server_of(request).receive(request, found.person)
    except (FormError, Refused) as exc:
        return page("message.html.j2", exc.status, title="Not accepted", message=exc.message,
                    person=found.person)
    return RedirectResponse(f"/submissions/{submission_id}", status_code=303,
                            headers=SECURITY_HEADERS)


@router.get("/submissions/{submission_id}", response_class=HTMLResponse)
async def submission_page(request: Request, submission_id: str) -> Response:
    found = required(request)
    server = server_of(request)
    sub = server.visible(submission_id, found.person)
    if sub is None:
        raise PageError(404, "No such submission.")
    view = server.view(sub, found.person)
    return page("submission.html.j2", person=found.person, sub=view, at=sub.submitted_at,
                pending=sub.status not in FINAL, csrf=found.csrf)


@router.get("/submissions/{submission_id}/report", response_class=HTMLResponse)
async def full_report(request: Request, submission_id: str) -> Response:
    """The HTML report `grader check --html` writes, of what this person may see."""
    found = required(request)
    server = server_of(request)
    sub = server.visible(submission_id, found.person)
    if sub is None or sub.report is None:
        raise PageError(404, "No report for this submission (yet).")
    document = server.view(sub, found.person)["report"]
    from grader.reports.html import render_html  # matplotlib: only when a report is shown

    html = await run_in_threadpool(render_html, Report.from_dict(document),
                                   show_hidden=found.person.instructor)
    return HTMLResponse(html, headers=SECURITY_HEADERS)


def _now() -> float:
    import time

    return time.time()
