"""Specs validated before, read back without pydantic or YAML (the fast path of `grader check`
and of `grader grade`).

Importing pydantic costs about a quarter of each `grader check`'s instructions, and YAML and
validation more; yet a student checks the same unchanged specs again and again, and a
class run waits for them before its first sandbox starts. Once the loader
(grader.spec.loader) has validated an assignment's folder, its models are kept in the
grader's cache (grader.cache) as JSON, under the digest of every spec file of the folder and
of the grader's code that validates them: any edit to either is a miss, and the loader
validates again.

A kept model reads back as a `Record`: frozen, the same attribute names and values (lists,
dicts, datetimes), nothing else; the grading code reads specs by attribute only, so it
grades with a record as with the model (tests/test_spec_snapshot.py holds both to the same
results). Encoding is tagged, so a model's fields and a mapping field stay apart:
{"r": {...}} a model, {"d": {...}} a dict, {"t": "..."} a datetime.
"""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import datetime
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from grader import PACKAGE, cache
from grader.spec.assignment import Assignment

FORMAT = b"spec-snapshot-2"
ASSIGNMENT_FILE = "assignment.yaml"
# what decides how a spec file validates: the loader, the models, the kinds' code that
# validation imports (a table's formulas...), this encoding, and the grader's version
_SOURCES = ("__init__.py", "spec/*.py", "kinds/**/*.py")


class Record:
    """A validated model's fields, read-only, by attribute."""

    __slots__ = ("_fields",)

    def __init__(self, fields: dict[str, Any]) -> None:
        object.__setattr__(self, "_fields", fields)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._fields[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a spec is read-only: {name}")

    def __repr__(self) -> str:
        return f"Record({self._fields!r})"

    def to_dict(self) -> dict[str, Any]:
        """Plain data, as the model's `model_dump()` gives it."""
        return {key: _plain(value) for key, value in self._fields.items()}


def fields(model: Any) -> dict[str, Any]:
    """A spec model's fields as plain data, whether a pydantic model or a Record."""
    return model.to_dict() if isinstance(model, Record) else model.model_dump()


def load(folder: Path) -> Assignment | None:
    """The folder's assignment as last validated, if no spec file (or model) changed since."""
    key = digest(folder)
    content = cache.load(_kind(folder), key) if key is not None else None
    if content is None:
        return None
    try:
        data = json.loads(content)
        spec = _decode(data["spec"])
        exercises = tuple(_decode(item) for item in data["exercises"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    assignment = Assignment(spec, exercises, folder.resolve())
    # what the loader checks besides the spec files: without it, its message says why
    return assignment if assignment.solution_path.is_file() else None


def keep(assignment: Assignment, before: bytes | None) -> None:
    """Keep a validated assignment for the next process, if its files are still those the
    key `before` (`digest`, taken before loading) was made from; else, or if it cannot be,
    quietly nothing."""
    key = digest(assignment.folder)
    if key is None or key != before:
        return
    try:
        content = {"spec": _encode(assignment.spec),
                   "exercises": [_encode(item) for item in assignment.exercises]}
    except TypeError:  # a value this encoding does not know: validate every time instead
        return
    cache.store(_kind(assignment.folder), key, json.dumps(content).encode())


def digest(folder: Path) -> bytes | None:
    """The key a snapshot of `folder` is kept under: the digest of everything its models are
    validated from (its spec files, the grader's sources that validate them, the pydantic and
    PyYAML installed). Taken before the loader reads the files and given to `keep` after, so
    that an edit made meanwhile is never kept under the new files' key with the old files'
    models. None when a file cannot be read."""
    try:
        specs = sorted(folder.glob("*.yaml"))
        parts = [FORMAT, _validators(PACKAGE)]
        for path in specs:
            parts += [path.name.encode(), path.read_bytes()]
    except OSError:
        return None
    return cache.key_of(*parts) if any(p.name == ASSIGNMENT_FILE for p in specs) else None


@functools.cache
def _validators(package: Path) -> bytes:
    """The digest of what validates a spec besides its files: once per process (a course's
    every assignment, and `keep` after `load`, ask again), and the code this process runs
    is the code it imported anyway."""
    parts = [_stamp("pydantic", "version.py"), _stamp("yaml", "__init__.py")]
    for path in sorted(p for pattern in _SOURCES for p in package.glob(pattern)):
        parts += [str(path.relative_to(package)).encode(), path.read_bytes()]
    return cache.key_of(*parts)


def _stamp(package: str, version_file: str) -> bytes:
    """Which release of `package` validated: its file that holds the version, found without
    importing it (importing pydantic is what we avoid)."""
    found = find_spec(package)
    origin = Path(found.origin).with_name(version_file) if found and found.origin else None
    return origin.read_bytes() if origin is not None and origin.is_file() else b""


def _kind(folder: Path) -> str:
    return "spec-" + hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, (list, tuple)):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        return {"d": {str(k): _encode(v) for k, v in value.items()}}
    names = getattr(type(value), "model_fields", None)
    if names is None:
        raise TypeError(f"cannot keep a {type(value).__name__}")
    return {"r": {name: _encode(getattr(value, name)) for name in names}}


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    (tag, inner), = value.items()
    if tag == "t":
        return datetime.fromisoformat(inner)
    decoded = {key: _decode(item) for key, item in inner.items()}
    return Record(decoded) if tag == "r" else decoded


def _plain(value: Any) -> Any:
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value
