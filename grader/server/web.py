"""What the web pages share: templates, the session cookie, CSRF checks, small bodies.

Pages work without JavaScript (a pending report refreshes itself with a meta refresh).
Sessions: an HttpOnly, SameSite=Strict cookie holding a random id (stored hashed); every
form carries the session's CSRF token, and the login form a double-submit token.
"""

from __future__ import annotations

import functools
import urllib.parse
from datetime import UTC, datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from grader import TEMPLATES
from grader.server import auth
from grader.server.app import Server
from grader.server.store import Person

COOKIE = "grader_session"
LOGIN_COOKIE = "grader_login"
SMALL_BODY = 8192  # bytes of a login or regrade form
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class PageError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def server_of(request: Request) -> Server:
    return request.app.state.server


def session(request: Request) -> auth.Session | None:
    secret = request.cookies.get(COOKIE)
    return auth.session_for_cookie(server_of(request).store, secret) if secret else None


def required(request: Request, *, instructor: bool = False) -> auth.Session:
    found = session(request)
    if found is None:
        raise PageError(401, "Please log in first.")
    if instructor and not found.person.instructor:
        raise PageError(403, "This page is for instructors.")
    return found


@functools.cache
def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES / "server")),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["when"] = when
    env.filters["points"] = lambda v: "–" if v is None else f"{v:g}"
    return env


def page(name: str, status: int = 200, **values: Any) -> HTMLResponse:
    html = _environment().get_template(name).render(**values)
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def when(at: float | None) -> str:
    if not at:
        return "–"
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M UTC")


async def small_form(request: Request) -> dict[str, str]:
    """An urlencoded body of at most SMALL_BODY bytes, read with its size capped."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > SMALL_BODY:
            raise PageError(413, "The form is too large.")
    pairs = urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    return dict(pairs)


def check_csrf(found: auth.Session, given: str | None) -> None:
    if not auth.csrf_ok(found.csrf, given):
        raise PageError(403, "The form has expired; go back, reload the page and try again.")


def set_session(response: Response, secret: str, request: Request) -> None:
    response.set_cookie(COOKIE, secret, max_age=auth.SESSION_SECONDS, httponly=True,
                        samesite="strict", secure=request.url.scheme == "https", path="/")


def person_label(person: Person) -> str:
    return f"{person.name} ({person.student})" if person.name else person.student
