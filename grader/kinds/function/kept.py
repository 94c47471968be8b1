"""Read traces kept across processes: the reference's and the known mistakes'.

Reading an exercise's ~40 traces of known mistakes costs ~70 ms, paid again by every
`grader check` (one submission per process) whose trace departs from the reference. What a
trace reads as depends only on the text the instructor's code printed and on this reader,
so traces are kept in the grader's cache (grader.cache) under the digest of that text: an
entry only ever answers for the very text it was read from, whatever changed in the
instructor's modules. The entry's key holds the reader's source and the format, so another
grader version or another format reads every trace afresh.

Entries are grouped (`reference`, `variants`) so that a check that only needs the reference
(most correct submissions) loads only that; `save` writes a group only when this process
read a trace its entry did not hold.
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import Any

from grader import cache
from grader.kinds.function.trace import Format, Trace

_READER = Path(__file__).with_name("trace.py")
MAX_KEPT = 4096  # traces per entry; an instructor editing a variant again and again adds more
_lock = threading.Lock()  # the server grades in several threads
_entries: dict[tuple[Format, str], dict[str, Any]] = {}  # text digest -> Trace.to_dict()
_fresh: set[tuple[Format, str]] = set()  # entries holding traces their stored copy lacks


def lookup(text: str, form: Format, group: str) -> Trace | None:
    """The kept trace of `text`, or None."""
    with _lock:
        found = _entry(form, group).get(_digest(text))
    try:
        return Trace.from_dict(found) if found is not None else None
    except (KeyError, TypeError, ValueError, AttributeError):  # another shape: read afresh
        return None


def remember(text: str, form: Format, group: str, trace: Trace) -> None:
    with _lock:
        entry = _entry(form, group)
        if len(entry) >= MAX_KEPT:
            entry.clear()
        entry[_digest(text)] = trace.to_dict()
        _fresh.add((form, group))


def save(form: Format, group: str) -> None:
    """Store the group's entry if this process added to it; quietly nothing otherwise."""
    with _lock:
        if (form, group) not in _fresh:
            return
        _fresh.discard((form, group))
        content = json.dumps(_entry(form, group), separators=(",", ":")).encode()
    cache.store(_kind(form, group), _key(form, group), content)


def forget() -> None:
    """Drop what this process loaded (tests: the next lookup reads the cache again)."""
    with _lock:
        _entries.clear()
        _fresh.clear()


def _entry(form: Format, group: str) -> dict[str, Any]:
    """The group's traces, loaded from the cache on first use (the lock is held)."""
    entry = _entries.get((form, group))
    if entry is None:
        entry = _entries[(form, group)] = _loaded(form, group)
    return entry


def _loaded(form: Format, group: str) -> dict[str, Any]:
    content = cache.load(_kind(form, group), _key(form, group))
    try:
        found = json.loads(content) if content is not None else {}
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _kind(form: Format, group: str) -> str:
    """One file per format and group: a new reader replaces it, other formats keep theirs."""
    return f"traces-{group}-{_digest(json.dumps(form.to_dict(), sort_keys=True))[:16]}"


def _key(form: Format, group: str) -> bytes:
    return cache.key_of(b"traces", group.encode(), _READER.read_bytes(),
                        json.dumps(form.to_dict(), sort_keys=True).encode())


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
