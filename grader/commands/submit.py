"""`grader submit FILE --server URL --token TOKEN`: the student's terminal client.

Uploads the file, waits for its report (long-polling `?wait=`), and returns it as a
`Report`, so the command prints it and exits exactly as `grader check` does.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from grader.errors import GraderError
from grader.results import Report

POLL_SECONDS = 25.0
PATIENCE = 600.0  # a queue this long means something is wrong: say so rather than hang


def main(*, path: Path, assignment_id: str | None, server: str, token: str,
         patience: float = PATIENCE) -> Report:
    import httpx

    if not path.is_file():
        raise GraderError(f"{path}: no such file")
    if path.suffix not in (".py", ".ipynb"):
        raise GraderError(f"{path}: not a .py or .ipynb file")
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with httpx.Client(base_url=server.rstrip("/"), headers=headers,
                          timeout=POLL_SECONDS + 10) as client:
            assignment = assignment_id or _infer(client, path)
            with path.open("rb") as file:
                answer = _ok(client.post("/api/submissions", data={"assignment": assignment},
                                         files={"file": (path.name, file)}), path)
            return _wait(client, answer["id"], path, patience)
    except httpx.HTTPError as exc:
        raise GraderError(f"{server}: cannot reach the server: {exc}") from None


def _infer(client: Any, path: Path) -> str:
    known = _ok(client.get("/api/assignments"), path)
    matching = [a["id"] for a in known if a["module"] == path.stem]
    if len(matching) == 1:
        return matching[0]
    if len(known) == 1:
        return known[0]["id"]
    raise GraderError(f"{path}: cannot tell which assignment this is; use --assignment "
                      f"({', '.join(a['id'] for a in known)})")


def _wait(client: Any, submission_id: str, path: Path, patience: float) -> Report:
    deadline = time.monotonic() + patience
    while True:
        doc = _ok(client.get(f"/api/submissions/{submission_id}",
                             params={"wait": POLL_SECONDS}), path)
        if doc["status"] == "graded":
            return Report.from_dict(doc["report"])
        if doc["status"] == "error":
            raise GraderError(f"{path}: the server could not grade submission {submission_id}: "
                              f"{doc.get('error') or 'no reason given'}")
        if time.monotonic() > deadline:
            raise GraderError(f"{path}: submission {submission_id} is still {doc['status']} "
                              f"after {patience:g} s; look it up later on the server")


def _ok(response: Any, path: Path) -> Any:
    if response.status_code >= 400:
        try:
            reason = response.json()["error"]
        except (ValueError, KeyError, TypeError):
            reason = response.text[:200]
        wait = response.headers.get("retry-after")
        hint = f" (retry after {wait} s)" if wait else ""
        raise GraderError(f"{path}: the server refused: {response.status_code} {reason}{hint}")
    return response.json()
