"""Throwaway uids that no two running sandboxes share, across threads and grader processes.

A uid is held by an flock'ed file `<uid>` in a root-only folder. flock is released by the
kernel when its holder dies, so a killed grader leaks no uid; separate grader processes (two
`grader grade` runs, the server's workers) agree because they lock the same files. Two
sandboxes with one uid would share an RLIMIT_NPROC budget (one student's fork bomb fails the
other's forks) and that uid's keyrings, so a uid is never handed out twice at once.

The search starts at a random uid, so that a uid is seldom reused soon after (per-uid kernel
state, such as a user keyring, can outlive a sandbox; the seccomp filter denies the keyring
calls anyway).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from grader.errors import GraderError

UID_RANGE = (1_900_000_000, 1_900_065_536)  # far above any real account or subuid range
LOCK_FOLDERS = (Path("/run/grader-uids"), Path("/tmp/grader-uids"))


@contextlib.contextmanager
def unique_uid(pool: tuple[int, int] = UID_RANGE) -> Iterator[int]:
    """A uid from `pool` (start, end) that no other sandbox holds until this block ends."""
    folder = _lock_folder()
    size = pool[1] - pool[0]
    first = secrets.randbelow(size)
    for step in range(size):
        uid = pool[0] + (first + step) % size
        fd = _try_lock(folder / str(uid))
        if fd is None:
            continue
        try:
            yield uid
        finally:
            # unlink while still holding the lock: whoever opened the old file meanwhile sees
            # that it is no longer the file at that path (_try_lock), and tries again
            with contextlib.suppress(FileNotFoundError):
                os.unlink(folder / str(uid))
            os.close(fd)
        return
    raise GraderError(f"every sandbox uid in {folder} is in use")


def _try_lock(path: Path) -> int | None:
    """An fd holding the lock on `path`, or None when another sandbox holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if os.fstat(fd).st_ino == os.stat(path, follow_symlinks=False).st_ino:
            return fd
    except (BlockingIOError, FileNotFoundError):  # held, or unlinked by its last holder
        pass
    os.close(fd)
    return None


def _lock_folder() -> Path:
    """The first folder we can keep to root alone (a student must not hold uids hostage)."""
    for folder in LOCK_FOLDERS:
        with contextlib.suppress(OSError):
            folder.mkdir(mode=0o700, exist_ok=True)
            info = os.stat(folder, follow_symlinks=False)
            if info.st_uid == os.geteuid() and info.st_mode & 0o077 == 0:  # a link: 0777
                return folder
    raise GraderError("no private folder for the sandbox uid locks: "
                      + ", ".join(str(f) for f in LOCK_FOLDERS))
