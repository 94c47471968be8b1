"""What a sandbox holds for its lifetime besides bwrap's namespaces: a uid of its own, one
cgroup for the whole submission, a fresh session keyring and the seccomp filter.

`confinement(...)` sets them up around one run and takes them down after it. bwrap and all
it starts are inside both the cgroup and the keyring from their first instruction:

- the sandbox is started by `/bin/sh` moving itself into the cgroup (`join_files`: `0`,
  "the writer", into v1's `tasks`, v2's `cgroup.procs`) and then executing bwrap
  (`Confinement.wrap`): ~0.5 ms of CPU. Popen's preexec_fn would
  do it without a shell, but it makes Popen fork the whole grading process instead of
  vfork, and the child run Python: ~3 ms of CPU and, on a loaded machine, tens of ms;
- the keyring belongs to a thread, not a process (Linux credentials are per thread), so
  the sandbox is started from a short-lived thread of its own that first joins a new,
  empty, anonymous session keyring (`Confinement.join_keyring`); the child inherits that
  thread's keyring, and the grader's other threads keep theirs.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from grader.errors import GraderError
from grader.sandbox import seccomp
from grader.sandbox.cgroup import SubmissionCgroup, Usage
from grader.sandbox.uids import unique_uid

KEYCTL_JOIN_SESSION_KEYRING = 1
# argv: the cgroups' join files, "--", the command. `exec` keeps the pid: bwrap is what moved.
ENTER = ('while [ "$1" != -- ]; do { echo 0 > "$1"; } 2>/dev/null || '
         '{ echo "sandbox: cannot enter the cgroup $1" >&2; exit 125; }; shift; done; '
         'shift; exec "$@"')


@dataclass
class Confinement:
    uid: int  # 0: no uid of its own (not root, or the fallback could not lend one)
    cgroup: SubmissionCgroup | None
    seccomp_fd: int | None  # the read end of a pipe holding the filter, for bwrap
    join_keyring_call: Callable[[int, int], int] | None
    usage: Usage = Usage()

    @property
    def bwrap_args(self) -> list[str]:
        return ["--seccomp", str(self.seccomp_fd)] if self.seccomp_fd is not None else []

    @property
    def pass_fds(self) -> tuple[int, ...]:
        return (self.seccomp_fd,) if self.seccomp_fd is not None else ()

    @property
    def budget(self) -> str:
        return f"cgroup v{self.cgroup.version}" if self.cgroup else "rlimits"

    def wrap(self, command: list[str]) -> list[str]:
        """`command`, started by a shell that first moves itself into the cgroup (each
        hierarchy's join file); if it cannot, it says so and runs nothing."""
        if self.cgroup is None:
            return command
        return ["/bin/sh", "-c", ENTER, "sh", *self.cgroup.join_files, "--", *command]

    def join_keyring(self) -> None:
        """Give the calling thread (then the child it starts) a new, empty session keyring."""
        if self.join_keyring_call is not None and self.join_keyring_call(
                KEYCTL_JOIN_SESSION_KEYRING, 0) < 0 and ctypes.get_errno() != errno.ENOSYS:
            raise GraderError("the sandbox could not start: no new session keyring: "
                              + os.strerror(ctypes.get_errno()))


@contextlib.contextmanager
def confinement(scratch: Path, *, memory_bytes: int, processes: int, lend_uid: bool,
                with_filter: bool, require_filter: bool) -> Iterator[Confinement]:
    """Everything the run needs besides bwrap; removed again when the block ends."""
    with contextlib.ExitStack() as stack:
        uid = stack.enter_context(unique_uid()) if lend_uid else 0
        if uid:
            _lend(scratch, uid)
        fd = _filter_fd(require_filter) if with_filter else None
        if fd is not None:
            stack.callback(os.close, fd)
        # bwrap and the harness count too: pids.max is reached before the uid's RLIMIT_NPROC
        # (the same number, without bwrap), so the cgroup is what stops a fork bomb
        group = SubmissionCgroup.create(memory_bytes, processes)
        confined = Confinement(uid, group, fd, keyring_joiner())
        if group is not None:
            stack.callback(_take_down, confined, group)
        yield confined


def _take_down(confined: Confinement, group: SubmissionCgroup) -> None:
    confined.usage = group.usage()
    group.remove()


def _filter_fd(required: bool) -> int | None:
    try:
        return seccomp.filter_pipe()
    except seccomp.SeccompUnavailable as exc:
        if required:  # fail closed: no sandbox without the filter when isolation is required
            raise GraderError(f"refusing to run student code without the seccomp filter: {exc}"
                              ) from exc
        return None


def _lend(scratch: Path, uid: int) -> None:
    """Hand the scratch folder to the uid; the harness drops to it before any student code."""
    for path in (scratch, *scratch.rglob("*")):
        os.chown(path, uid, uid, follow_symlinks=False)


@functools.cache
def keyring_joiner() -> Callable[[int, int], int] | None:
    """syscall(SYS_keyctl, op, arg), looked up once; None where it cannot be (then the
    sandbox keeps the grader's session keyring, and only the seccomp filter guards it)."""
    try:
        number = seccomp.keyctl_number()
        syscall = ctypes.CDLL(None, use_errno=True).syscall
    except (ImportError, OSError, AttributeError, ValueError, RuntimeError):
        return None
    if number < 0:
        return None
    syscall.restype = ctypes.c_long
    syscall.argtypes = (ctypes.c_long, ctypes.c_long, ctypes.c_long)
    return functools.partial(syscall, number)
