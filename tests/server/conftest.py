"""A real `grader serve` as a subprocess on a free loopback port, its roster imported with the
real `grader roster import`, driven over HTTP with httpx."""

from __future__ import annotations

import csv
import io
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SUBMISSIONS = ROOT / "tests" / "submissions"
ASSIGNMENT = "linear-backprop"
CORRECT = SUBMISSIONS / "correct_chapter_style.py"
CROWD = [f"s{n:02d}" for n in range(20)]  # for the concurrent clients
ROSTER = ("student,name,role\nalice,Alice A,student\nbob,Bob B,\ncarol,,student\n"
          "prof,P,instructor\n" + "".join(f"{s},,\n" for s in CROWD))


def grader(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=timeout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_course(folder: Path, policy: dict | None = None) -> Path:
    """A copy of this checkout's course, with `policy:` added to its assignment.yaml."""
    shutil.copytree(ROOT / "exercises", folder / "exercises")
    shutil.copytree(ROOT / "solutions", folder / "solutions")
    if policy is not None:
        spec = folder / "exercises" / ASSIGNMENT / "assignment.yaml"
        text = spec.read_text(encoding="utf-8")
        spec.write_text(text + "\n" + yaml.safe_dump({"policy": policy}), encoding="utf-8")
    return folder


@dataclass
class Live:
    """A running server and the tokens of its roster."""

    url: str
    db: Path
    course: Path
    tokens: dict[str, str]
    args: list[str]
    log: Path
    proc: subprocess.Popen | None = None
    clients: list[httpx.Client] = field(default_factory=list)

    def start(self) -> None:
        log = self.log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "grader", "--course", str(self.course), "serve",
             "--db", str(self.db), *self.args], cwd=ROOT, stdout=log, stderr=log)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"the server exited: {self.log.read_text()[-2000:]}")
            try:
                httpx.get(f"{self.url}/api/assignments", timeout=2)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError("the server did not start")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)
        self.proc.wait(timeout=60)

    def client(self, who: str | None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        client = httpx.Client(base_url=self.url, headers=headers, timeout=60)
        self.clients.append(client)
        return client

    def submit(self, who: str, path: Path = CORRECT, assignment: str = ASSIGNMENT,
               name: str | None = None) -> httpx.Response:
        with path.open("rb") as file:
            return self.client(who).post("/api/submissions", data={"assignment": assignment},
                                         files={"file": (name or path.name, file)})

    def report(self, who: str, submission_id: str, *, patience: float = 120) -> dict:
        """The submission's document once graded (or errored)."""
        client = self.client(who)
        deadline = time.monotonic() + patience
        while time.monotonic() < deadline:
            doc = client.get(f"/api/submissions/{submission_id}", params={"wait": 10}).json()
            if doc["status"] in ("graded", "error"):
                return doc
        raise AssertionError(f"{submission_id} not graded within {patience} s")


def _roster(db: Path, folder: Path) -> dict[str, str]:
    path = folder / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    proc = grader("roster", "import", str(path), "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    return {row["student"]: row["token"] for row in csv.DictReader(io.StringIO(proc.stdout))}


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator:
    """`live_server(policy=None, *args)`: start a server on a fresh course and gradebook."""
    started: list[Live] = []

    def start(policy: dict | None = None, *args: str) -> Live:
        folder = tmp_path / f"server{len(started)}"
        folder.mkdir()
        course = make_course(folder / "course", policy)
        db = folder / "gradebook.sqlite"
        port = free_port()
        live = Live(f"http://127.0.0.1:{port}", db, course, _roster(db, folder),
                    ["--host", "127.0.0.1", "--port", str(port), *args], folder / "serve.log")
        live.start()
        started.append(live)
        return live

    yield start
    for live in started:
        for client in live.clients:
            client.close()
        if live.proc is not None and live.proc.poll() is None:
            live.proc.send_signal(signal.SIGTERM)
            try:
                live.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                live.proc.kill()
                live.proc.wait()

