"""A slow upload is cut off with a 408, on a real server and a real socket.

`grader serve` has no option for the upload time limit (ServerConfig.upload_seconds, 60 s),
so this server runs in-process on uvicorn, in a thread, with a one-second limit: the same
Server and ASGI app `grader serve` builds, only started by the test. The client writes raw
HTTP on a socket, so it can send the headers and then stall, or trickle the body.
"""

from __future__ import annotations

import json
import select
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from grader.server.app import Server, ServerConfig, create_app
from server.conftest import ASSIGNMENT, CORRECT, _roster, free_port, make_course

LIMIT = 1.0  # seconds: ServerConfig.upload_seconds for this server
BOUNDARY = "slowupload"


@dataclass(frozen=True)
class InProcess:
    port: int
    db: Path
    token: str


@pytest.fixture
def slow_limit_server(tmp_path: Path) -> Iterator[InProcess]:
    course = make_course(tmp_path / "course")
    db = tmp_path / "gradebook.sqlite"
    tokens = _roster(db, tmp_path)
    server = Server(ServerConfig(db=db, course=course, jobs=1, upload_seconds=LIMIT))
    port = free_port()
    running = uvicorn.Server(uvicorn.Config(create_app(server), host="127.0.0.1", port=port,
                                            log_level="warning", access_log=False))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not running.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield InProcess(port, db, tokens["alice"])
    running.should_exit = True  # the lifespan's shutdown stops the workers
    thread.join(timeout=30)


def _head_and_body(token: str) -> tuple[bytes, bytes]:
    """A multipart upload of the correct submission, as raw request bytes."""
    body = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"assignment\"\r\n\r\n"
            f"{ASSIGNMENT}\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{CORRECT.name}\"\r\nContent-Type: text/x-python\r\n\r\n").encode()
    body += CORRECT.read_bytes() + f"\r\n--{BOUNDARY}--\r\n".encode()
    head = (f"POST /api/submissions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {token}\r\nContent-Length: {len(body)}\r\n"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n\r\n").encode()
    return head, body


def _response(sock: socket.socket) -> tuple[int, dict]:
    """Status and JSON body of the one response on `sock` (the server closes it after)."""
    data = b""
    sock.settimeout(30)
    while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < _length(data):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def _length(data: bytes) -> int:
    for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


def _nothing_kept(live: InProcess) -> None:
    with sqlite3.connect(live.db) as db:
        assert db.execute("SELECT COUNT(*) FROM server_submissions").fetchone()[0] == 0
    assert not list((live.db.parent / "gradebook-uploads" / "tmp").iterdir())


def _still_serves(live: InProcess) -> None:
    """A normal upload right after: the slow one held no worker and no lock."""
    with CORRECT.open("rb") as file:
        answer = httpx.post(f"http://127.0.0.1:{live.port}/api/submissions",
                            headers={"Authorization": f"Bearer {live.token}"},
                            data={"assignment": ASSIGNMENT},
                            files={"file": (CORRECT.name, file)}, timeout=30)
    assert answer.status_code == 202


def test_headers_then_a_stalled_body_is_408(slow_limit_server: InProcess) -> None:
    live = slow_limit_server
    head, body = _head_and_body(live.token)
    with socket.create_connection(("127.0.0.1", live.port)) as sock:
        started = time.monotonic()
        sock.sendall(head + body[:len(body) // 2])  # half the file, then nothing
        status, doc = _response(sock)
        waited = time.monotonic() - started
    assert status == 408 and "longer than 1 s" in doc["error"]
    assert LIMIT * 0.9 <= waited < LIMIT + 10
    _nothing_kept(live)
    _still_serves(live)


def test_a_body_trickling_in_past_the_limit_is_408(slow_limit_server: InProcess) -> None:
    """Bytes keep arriving, but the whole body takes too long: the limit is on the upload,
    not on the silence between its bytes."""
    live = slow_limit_server
    head, body = _head_and_body(live.token)
    with socket.create_connection(("127.0.0.1", live.port)) as sock:
        started = time.monotonic()
        sock.sendall(head)
        sent = 0
        # A byte every 50 ms would take len(body) / 20 s (minutes); stop once answered.
        while sent < len(body) and not select.select([sock], [], [], 0.05)[0]:
            sock.sendall(body[sent:sent + 1])
            sent += 1
        status, doc = _response(sock)
        waited = time.monotonic() - started
    assert status == 408 and "error" in doc
    assert sent < len(body) and LIMIT * 0.9 <= waited < LIMIT + 10
    _nothing_kept(live)
    _still_serves(live)
