"""Tokens, the roster import, web sessions and CSRF tokens.

Tokens and session ids are 32 random bytes from `secrets`; only their SHA-256 is stored
(a salt adds nothing to a random 256-bit secret), so a copy of the database logs nobody in.
A presented secret is hashed, looked up, and the stored hash compared with
`hmac.compare_digest` as well, so no comparison of secret-derived bytes is timing-dependent.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from grader.errors import GraderError
from grader.server.store import Person, Store

ROLES = ("student", "instructor")
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")
SESSION_SECONDS = 14 * 24 * 3600


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def person_for_token(store: Store, token: str) -> Person | None:
    wanted = digest(token)
    row = store.db.execute("SELECT student, name, email, role, token_hash FROM server_people "
                           "WHERE token_hash=?", (wanted,)).fetchone()
    if row is None or not hmac.compare_digest(row[4], wanted):
        return None
    return Person(*row[:4])


@dataclass(frozen=True)
class Session:
    person: Person
    csrf: str


def open_session(store: Store, person: Person) -> tuple[str, str]:
    """A new session for `person`: (the cookie's secret, its CSRF token)."""
    secret, csrf = new_secret(), new_secret()
    with store.transaction() as db:
        db.execute("DELETE FROM server_sessions WHERE created_at<?",
                   (time.time() - SESSION_SECONDS,))
        db.execute("INSERT INTO server_sessions VALUES (?,?,?,?)",
                   (digest(secret), person.student, csrf, time.time()))
    return secret, csrf


def session_for_cookie(store: Store, secret: str) -> Session | None:
    wanted = digest(secret)
    row = store.db.execute("SELECT session_hash, student, csrf, created_at FROM server_sessions "
                           "WHERE session_hash=?", (wanted,)).fetchone()
    if row is None or not hmac.compare_digest(row[0], wanted):
        return None
    if row[3] < time.time() - SESSION_SECONDS:
        return None
    person = store.person(row[1])
    return Session(person, row[2]) if person else None


def close_session(store: Store, secret: str) -> None:
    with store.transaction() as db:
        db.execute("DELETE FROM server_sessions WHERE session_hash=?", (digest(secret),))


def csrf_ok(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


def import_roster(store: Store, csv_path: Path) -> list[tuple[str, str]]:
    """Add everyone in the CSV not yet on the roster; (student, token) for each one added."""
    people = _read_roster(csv_path)
    added = []
    with store.transaction() as db:
        known = {row[0] for row in db.execute("SELECT student FROM server_people")}
        for student, name, email, role in people:
            if student in known:
                continue  # importing again leaves existing tokens alone
            token = new_secret()
            db.execute("INSERT INTO server_people VALUES (?,?,?,?,?,?)",
                       (student, name, email, role, digest(token), time.time()))
            known.add(student)
            added.append((student, token))
    return added


def _read_roster(path: Path) -> list[tuple[str, str, str, str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise GraderError(f"{path}: cannot read the roster: {exc}") from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "student" not in [f.strip() for f in reader.fieldnames]:
        raise GraderError(f"{path}:1: the header needs a `student` column")
    rows, seen = [], set()
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        student, role = row.get("student", ""), row.get("role") or "student"
        if not STUDENT_ID.match(student):
            raise GraderError(f"{path}:{line}: student: {student!r} is not a valid id "
                              "(letters, digits, . _ @ -)")
        if role not in ROLES:
            raise GraderError(f"{path}:{line}: role: {role!r} is not student or instructor")
        if student in seen:
            raise GraderError(f"{path}:{line}: student: {student!r} appears twice")
        seen.add(student)
        rows.append((student, row.get("name", ""), row.get("email", ""), role))
    return rows
