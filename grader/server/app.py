"""The ASGI application: the JSON API under /api/ (Bearer tokens) and the web pages
(grader.server.pages, cookie sessions), over one `Server` holding the warm course, the
database, the queue and the workers.

Every error is `{"error": "..."}` with its status. A student's request for another
student's submission is 404, exactly as for one that does not exist.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from grader.server import policy
from grader.server.accept import Refused, accept
from grader.server.course import Course, Warm
from grader.server.form import FormError, read_form
from grader.server.queue import SqliteQueue
from grader.server.store import Person, Store, StoredSubmission
from grader.server.uploads import Uploads
from grader.server.worker import Workers

log = logging.getLogger("grader.server")
MAX_WAIT = 30.0  # seconds a `?wait=` request may hold for a report


@dataclass(frozen=True)
class ServerConfig:
    db: Path
    course: Path
    jobs: int = 3
    max_upload: int = 4 << 20  # bytes of one submission file
    upload_seconds: float = 60.0  # a slower upload is cut off (408)
    require_sandbox: bool = True

    @property
    def uploads(self) -> Path:
        return self.db.parent / f"{self.db.stem}-uploads"


class Server:
    """Everything a request needs; built at start-up, the grading side warmed up."""

    def __init__(self, config: ServerConfig) -> None:
        """Opens the database and loads the course: a GraderError here is one line, exit 2,
        before anything listens."""
        self.config = config
        self.loop: asyncio.AbstractEventLoop | None = None  # set once serving (`start`)
        self.store = Store(config.db)
        self.queue = SqliteQueue(self.store)
        self.uploads = Uploads(config.uploads)
        self.course = Course(config.course, require_sandbox=config.require_sandbox)
        self.waiting: dict[str, list[asyncio.Event]] = {}
        self.workers = Workers(self.store, self.queue, self.course, self.uploads,
                               jobs=config.jobs, on_finished=self._finished_from_thread)

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        from grader.gradebook import Gradebook

        self.loop = loop
        from grader.server import grades

        swept = self.queue.sweep()
        with Gradebook(self.config.db) as book:
            for assignment_id in self.course.ids():
                warm = self.course.get(assignment_id)
                assert warm is not None
                grades.sync_all(book, self.store, warm)  # a crash between the two writes
        log.info("requeued %d interrupted job(s); %d pending", swept, self.queue.pending())
        self.workers.start()

    def stop(self) -> None:
        self.workers.stop()

    def _finished_from_thread(self, submission_id: str) -> None:
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self._finished, submission_id)

    def _finished(self, submission_id: str) -> None:
        for event in self.waiting.pop(submission_id, []):
            event.set()

    async def wait_for(self, submission_id: str, seconds: float,
                       done: Callable[[], bool]) -> None:
        """Return when the worker reports `submission_id` finished, `done()`, or at timeout."""
        event = asyncio.Event()
        self.waiting.setdefault(submission_id, []).append(event)
        try:
            if not done():  # checked after registering: a finish in between is not missed
                await asyncio.wait_for(event.wait(), seconds)
        except TimeoutError:
            pass
        finally:
            events = self.waiting.get(submission_id, [])
            if event in events:
                events.remove(event)
            if not events:
                self.waiting.pop(submission_id, None)

    def deadline(self, warm: Warm, person: Person) -> policy.Deadline:
        return policy.deadline(warm.assignment,
                               self.store.extension_hours(person.student, warm.assignment.id))

    def view(self, sub: StoredSubmission, person: Person) -> dict[str, Any]:
        """The API's document for one submission, as `person` may see it now."""
        return self._view(sub, person, raw=False)[0]

    def document(self, sub: StoredSubmission, person: Person) -> bytes:
        """`view` as the API's JSON body. When `person` may see all of the report, its stored
        text goes in as it is: decoding and encoding it again (~1-2 ms for a report of tens of
        KB) would give the same document."""
        doc, text = self._view(sub, person, raw=True)
        if text is None:
            return _dumps(doc)
        del doc["report"]
        return _dumps(doc)[:-1] + b',"report":' + text.encode("utf-8") + b"}"

    def _view(self, sub: StoredSubmission, person: Person,
              *, raw: bool) -> tuple[dict[str, Any], str | None]:
        """The document, and with `raw` the stored report text when it may go out unchanged
        (the document's `report` is then None)."""
        extra: dict[str, Any] = {}
        warm, now, whole, line = self.course.get(sub.assignment), _now(), True, policy.Deadline()
        if warm is not None:
            line = policy.deadline(warm.assignment,
                                   self.store.extension_hours(sub.student, sub.assignment))
            whole = person.instructor or policy.shows_all(sub.visibilities, line, now)
            late = line.late_by(sub.submitted_at)
            extra = {"late_seconds": round(late, 3),
                     "multiplier": line.multiplier(sub.submitted_at)}
        text = sub.report_json if raw and whole else None
        report = None if text is not None else sub.report
        if report is not None and not whole:
            report = policy.for_student(report, line, now)
        return {"id": sub.id, "student": sub.student, "assignment": sub.assignment,
                "status": sub.status, "submitted_at": _iso(sub.submitted_at),
                "report": report, **extra, **({"error": sub.error} if sub.error else {})}, text

    def visible(self, submission_id: str, person: Person) -> StoredSubmission | None:
        sub = self.store.submission(submission_id)
        if sub is None or (sub.student != person.student and not person.instructor):
            return None  # someone else's: as if it did not exist
        return sub

    async def receive(self, request: Request, person: Person) -> str:
        """Parse, check, commit and queue a submission; its id. FormError/Refused otherwise."""
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > self.config.max_upload + 65536:
            raise FormError(413, f"the file is larger than {self.config.max_upload} bytes")
        form = await read_form(request.headers.get("content-type", ""), request.stream(),
                               self.uploads, max_bytes=self.config.max_upload,
                               seconds=self.config.upload_seconds)
        request.state.form = form  # the web form checks its CSRF token in it
        check = getattr(request.state, "check_form", None)
        if check is not None:
            try:
                check(form)
            except BaseException:  # a stale CSRF token: nothing of the upload is kept
                if form.upload is not None:
                    form.upload.discard()
                raise
        accepted = await run_in_threadpool(accept, self.store, self.queue, self.course,
                                           person, form)
        self.workers.wake()
        return accepted.id


def _now() -> float:
    import time

    return time.time()


def _iso(at: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(at, UTC).isoformat(timespec="milliseconds")


def _dumps(doc: Any) -> bytes:
    """As starlette's JSONResponse renders."""
    return json.dumps(doc, ensure_ascii=False, allow_nan=False, indent=None,
                      separators=(",", ":")).encode("utf-8")


def error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def create_app(server: Server) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(server.start, asyncio.get_running_loop())
        app.state.server = server
        try:
            yield
        finally:
            await run_in_threadpool(server.stop)

    app = FastAPI(title="grader", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return error(exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return error(422, f"{where}: {first.get('msg', 'invalid request')}")

    @app.exception_handler(FormError)
    async def form_error(request: Request, exc: FormError) -> Response:
        return error(exc.status, exc.message)

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> Response:
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else None
        return error(exc.status, exc.message, headers)

    from grader.server import api, instructor, pages
    from grader.server.web import PageError

    app.add_exception_handler(PageError, pages.page_error)  # type: ignore[arg-type]
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(instructor.router)
    return app

