"""What the grader keeps across its own processes: things a first run pays for that depend
only on files, not on the submission. `grader check` runs one sandbox per process, so
without this every check compiles the harness again (~20 ms) and builds the seccomp filter
again (~10 ms: importing pyseccomp runs ldconfig twice).

An entry is executed (the harness) or enforced (the filter), so only what this uid wrote
counts: the folder and the file must be this uid's and writable by no one else, and are
opened without following a link. An entry holds the digest of its key (everything it was
made from) and of its content: a stale entry (another grader version, another libseccomp),
a torn or a foreign one is a miss, made again, never used. The sandbox never sees the
folder (the harness is copied into a fresh private folder, the filter into a pipe).

Where: $GRADER_CACHE_DIR, else $XDG_CACHE_HOME/backprop-grader, else ~/.cache/backprop-grader.
Nothing here is required: when the folder cannot be used, everything is made as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

CACHE_SWITCH = "GRADER_CACHE_DIR"
FORMAT = b"grader-cache-1\n"
MAX_BYTES = 8 << 20  # far above any entry: a larger file is not ours
MAX_ENTRIES = 64  # a course's few kinds many times over; the oldest go first
_DIGEST = 32


def key_of(*parts: bytes) -> bytes:
    """One digest for everything an entry is made from (length-prefixed: no two lists of
    parts give the same bytes)."""
    digest = hashlib.sha256(FORMAT)
    for part in parts:
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.digest()


def folder() -> Path:
    if os.environ.get(CACHE_SWITCH):
        return Path(os.environ[CACHE_SWITCH])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base, "backprop-grader")


def load(kind: str, key: bytes) -> bytes | None:
    """The content stored for `key`, or None: absent, stale, torn, or not safely ours."""
    try:
        with _opened_folder(create=False) as where:
            fd = os.open(_name(kind, key), os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC,
                         dir_fd=where)
            with open(fd, "rb") as entry:
                if not _only_ours(os.fstat(entry.fileno()), stat.S_ISREG):
                    return None
                data = entry.read(MAX_BYTES + 1)
    except OSError:
        return None
    head = len(FORMAT) + 2 * _DIGEST
    if len(data) > MAX_BYTES or not data.startswith(FORMAT):
        return None
    stored_key, digest = data[len(FORMAT):head - _DIGEST], data[head - _DIGEST:head]
    content = data[head:]
    if stored_key != key or hashlib.sha256(content).digest() != digest:
        return None
    return content


def store(kind: str, key: bytes, content: bytes) -> None:
    """Keep `content` for `key`; quietly nothing where the folder cannot be used. Written
    to a temporary name and renamed: a reader sees the whole entry or none."""
    with contextlib.suppress(OSError), _opened_folder(create=True) as where:
        temporary = f".{kind}-{secrets.token_hex(8)}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                     | os.O_CLOEXEC, 0o600, dir_fd=where)
        try:
            with open(fd, "wb") as entry:
                entry.write(FORMAT + key + hashlib.sha256(content).digest() + content)
            os.replace(temporary, _name(kind, key), src_dir_fd=where, dst_dir_fd=where)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=where)
            raise
        _prune(where, kind, _name(kind, key))


def _prune(where: int, kind: str, kept: str) -> None:
    """Other versions' entries of this kind go (one is kept), and past MAX_ENTRIES the
    oldest of all: kinds named after a folder (a course's specs) or a package list would
    otherwise pile up, one per temporary course. Only on a store, which is a miss."""
    others = []
    for name in os.listdir(where):
        if name == kept or name.startswith("."):
            continue
        with contextlib.suppress(OSError):
            if name.startswith(f"{kind}-"):
                os.unlink(name, dir_fd=where)
            else:
                others.append((os.stat(name, dir_fd=where, follow_symlinks=False).st_mtime_ns,
                               name))
    for _, name in sorted(others)[:max(len(others) + 1 - MAX_ENTRIES, 0)]:
        with contextlib.suppress(OSError):
            os.unlink(name, dir_fd=where)


def _name(kind: str, key: bytes) -> str:
    return f"{kind}-{key.hex()[:32]}"


@contextlib.contextmanager
def _opened_folder(create: bool) -> Iterator[int]:
    path = folder()
    if create:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        if not _only_ours(os.fstat(fd), stat.S_ISDIR):
            raise PermissionError(f"{path} is not this uid's alone")
        yield fd
    finally:
        os.close(fd)


def _only_ours(info: os.stat_result, kind: Callable[[int], bool]) -> bool:
    """This uid's, of the expected kind, and writable by no group or other."""
    return kind(info.st_mode) and info.st_uid == os.geteuid() and not info.st_mode & 0o022
