"""Run a command on untrusted files: under bubblewrap when present, else a limited subprocess.

`run_sandboxed` is the one door through which student code is executed. It returns a
`SandboxRun` (plain data). The result channel is a pipe of its own (its fd number is passed in
argv as `{result_fd}`), separate from stdout, so nothing a student prints can be taken for a
result. Every pipe is read with a cap; what lies beyond it is read and dropped, never buffered.

Under bwrap the sandbox sees only the Python runtime (read-only, without site-packages), the
scratch folder (read-only, as /work) and a small private /tmp; no network, no other process.
When the grader runs as root, the code inside runs as a throwaway uid (`{uid}` in argv; the
harness drops to it), so RLIMIT_NPROC counts only that sandbox and nothing else is its own.
"""

from __future__ import annotations

import contextlib
import functools
import os
import selectors
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from grader.sandbox.cgroup import Usage
from grader.sandbox.confine import Confinement, confinement
from grader.sandbox.uids import UID_RANGE  # noqa: F401 - where callers have found it

SANDBOX_SWITCH = "GRADER_SANDBOX"  # "none" forces the fallback (tests, debugging)
CLEAN_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp", "TMPDIR": "/tmp",
             "PYTHONDONTWRITEBYTECODE": "1"}
TMP_BYTES = 64 << 20
KILL_GRACE = 0.2


@dataclass(frozen=True)
class Limits:
    wall_seconds: float = 20.0
    memory_bytes: int = 1 << 30
    output_cap: int = 1 << 20
    cpu_seconds: int = 10
    processes: int = 64
    # the whole submission (every process, and the private /tmp), where a cgroup can hold it
    submission_memory_bytes: int = (1 << 30) + (256 << 20)
    file_bytes: int = 16 << 20
    open_files: int = 256


@dataclass(frozen=True)
class SandboxRun:
    returncode: int | None
    channel: bytes
    stderr: str
    timed_out: bool
    isolated: bool
    seconds: float
    stdout: str = ""
    budget: str = "rlimits"  # or "cgroup v1" / "cgroup v2": what bounded the whole
    usage: Usage = Usage()


def bwrap_path() -> str | None:
    """The bwrap binary, or None when absent or switched off with GRADER_SANDBOX=none."""
    if os.environ.get(SANDBOX_SWITCH, "").strip().lower() == "none":
        return None
    search = os.environ.get("PATH", os.defpath)
    found = _which_bwrap(search)
    if found is None or not os.access(found, os.X_OK):  # installed or removed since: look again
        _which_bwrap.cache_clear()
        found = _which_bwrap(search)
    return found


@functools.lru_cache(maxsize=8)
def _which_bwrap(search: str) -> str | None:
    """Looked up once per PATH while it stays where it was found: each submission asks three
    times, and a lookup tries every folder of PATH (~0.3 ms of the grading process's CPU per
    submission); a server running for days sees bwrap installed or removed meanwhile."""
    return shutil.which("bwrap", path=search)


def running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def runtime_python() -> str:
    """The real interpreter of this runtime (a venv's python is a link outside the sandbox)."""
    candidate = Path(sys.base_prefix, "bin", f"python{sys.version_info[0]}.{sys.version_info[1]}")
    return str(candidate) if candidate.exists() else os.path.realpath(sys.executable)


def run_sandboxed(
    argv: list[str],
    *,
    scratch: Path,
    stdin: bytes,
    limits: Limits,
    ro_binds: tuple[tuple[str, str], ...] = (),
    channel_cap: int | None = None,
    env: tuple[tuple[str, str], ...] = (),
    require_filter: bool = False,
) -> SandboxRun:
    """Run `argv` in `scratch`; `{result_fd}` and `{uid}` in argv are filled in here. `env`
    adds to CLEAN_ENV; `require_filter`: refuse to run without the seccomp filter."""
    started = time.monotonic()
    bwrap = bwrap_path()
    # Root drops to a throwaway uid, unless (fallback only) that uid could not even read Python.
    lend = running_as_root() and (bwrap is not None or _world_readable(sys.base_prefix))
    with confinement(scratch, memory_bytes=limits.submission_memory_bytes,
                     processes=limits.processes, lend_uid=lend, with_filter=bwrap is not None,
                     require_filter=require_filter) as confined:
        read_fd, write_fd = os.pipe()
        fill = {"{result_fd}": str(write_fd), "{uid}": str(confined.uid)}
        for key, value in fill.items():
            argv = [a.replace(key, value) for a in argv]
        command = argv if bwrap is None else _bwrap_argv(
            bwrap, scratch, argv, ro_binds, confined.uid != 0, confined.bwrap_args, env)
        try:
            with _started(confined, confined.wrap(command), scratch,
                          (write_fd, *confined.pass_fds), {**CLEAN_ENV, **dict(env)}) as proc:
                os.close(write_fd)
                channel, write_fd, read_fd = read_fd, -1, -1  # _run closes it from here on
                sinks, timed_out = _run(proc, stdin, limits, channel_cap, channel, started)
        finally:
            for fd in (write_fd, read_fd):
                if fd >= 0:
                    os.close(fd)
    return SandboxRun(proc.returncode, bytes(sinks[0]), sinks[2].decode("utf-8", "replace"),
                      timed_out, bwrap is not None, time.monotonic() - started,
                      sinks[1].decode("utf-8", "replace"), confined.budget, confined.usage)


@contextlib.contextmanager
def _started(confined: Confinement, command: list[str], scratch: Path, fds: tuple[int, ...],
             env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """Popen from a thread of its own, which joins a fresh session keyring first: a keyring
    is a thread's, and the child inherits it (grader.sandbox.confine). The thread lives
    until the block ends: bwrap's --die-with-parent (PR_SET_PDEATHSIG) fires when the
    *thread* that started it ends."""
    started: list[subprocess.Popen[bytes] | BaseException] = []
    ready, done = threading.Event(), threading.Event()

    def start() -> None:
        try:
            confined.join_keyring()
            started.append(subprocess.Popen(
                command, cwd=scratch, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, pass_fds=fds, start_new_session=True, env=env))
        except BaseException as exc:  # raised again in the caller's thread
            started.append(exc)
        ready.set()
        done.wait()

    thread = threading.Thread(target=start, name="sandbox-start", daemon=True)
    thread.start()
    ready.wait()
    try:
        if isinstance(started[0], BaseException):
            raise started[0]
        yield started[0]
    finally:
        done.set()
        thread.join()


def _run(proc: subprocess.Popen[bytes], stdin: bytes, limits: Limits, channel_cap: int | None,
         read_fd: int, started: float) -> tuple[tuple[bytearray, ...], bool]:
    """Feed and drain the sandbox until it ends or its time is up; (channel, out, err)."""
    assert proc.stdout is not None and proc.stderr is not None
    out_fd, err_fd = proc.stdout.fileno(), proc.stderr.fileno()
    caps = {read_fd: channel_cap or limits.output_cap, out_fd: limits.output_cap,
            err_fd: 64 << 10}
    try:
        sinks, timed_out = _pump(proc, stdin, caps, started + limits.wall_seconds)
    finally:
        _kill_group(proc)
        os.close(read_fd)
        proc.stdout.close()
        proc.stderr.close()
    return (sinks[read_fd], sinks[out_fd], sinks[err_fd]), timed_out


def _pump(
    proc: subprocess.Popen[bytes], stdin: bytes, caps: dict[int, int], deadline: float
) -> tuple[dict[int, bytearray], bool]:
    """Feed stdin and drain every pipe (capped) until the process ends or the deadline."""
    sinks = {fd: bytearray() for fd in caps}
    selector = selectors.DefaultSelector()
    for fd in caps:
        selector.register(fd, selectors.EVENT_READ)
    assert proc.stdin is not None
    stdin_fd = proc.stdin.fileno()
    os.set_blocking(stdin_fd, False)
    pending = memoryview(stdin)
    selector.register(stdin_fd, selectors.EVENT_WRITE)
    timed_out = False
    while len(selector.get_map()) and not timed_out:
        if proc.poll() is not None:  # ended: drain briefly, strays must not hold us up
            deadline = min(deadline, time.monotonic() + 0.5)
        left = deadline - time.monotonic()
        timed_out = left <= 0 and proc.poll() is None
        if left <= 0:
            break
        for key, _ in selector.select(min(left, 0.25)):
            if key.fd == stdin_fd:
                pending = _feed(proc, selector, pending)
                continue
            chunk = os.read(key.fd, 65536)
            if not chunk:
                selector.unregister(key.fd)
            elif len(sinks[key.fd]) < caps[key.fd]:
                sinks[key.fd] += chunk[: caps[key.fd] - len(sinks[key.fd])]
    selector.close()
    return sinks, timed_out


def _feed(proc: subprocess.Popen[bytes], selector: selectors.BaseSelector,
          pending: memoryview) -> memoryview:
    assert proc.stdin is not None
    try:
        pending = pending[os.write(proc.stdin.fileno(), pending):]
    except BlockingIOError:
        return pending
    except BrokenPipeError:
        pending = pending[:0]
    if not pending:
        selector.unregister(proc.stdin.fileno())
        proc.stdin.close()
    return pending


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """TERM, a short grace, then KILL the whole group, whatever signals the code ignores."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if proc.poll() is not None and sig == signal.SIGTERM:
            continue  # bwrap (or the harness) already ended: only stragglers remain
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(KILL_GRACE)
    proc.wait()


def _world_readable(path: str) -> bool:
    return all(os.stat(p).st_mode & 0o005 == 0o005 for p in (Path(path), *Path(path).parents))


def _bwrap_argv(
    bwrap: str, scratch: Path, argv: list[str], ro_binds: tuple[tuple[str, str], ...],
    as_root: bool, extra: list[str], env: tuple[tuple[str, str], ...],
) -> list[str]:
    prefix = sys.base_prefix
    binds = [*_open_parents(prefix), "--ro-bind", "/usr", "/usr", "--ro-bind", prefix, prefix]
    for site in _site_packages(prefix):
        binds += ["--tmpfs", site]  # installed packages (the grader's own among them) stay out
    for source, target in ro_binds:
        binds += [*_open_parents(target), "--ro-bind", source, target]
    for site in _site_packages(prefix):
        binds += ["--remount-ro", site]  # what is bound into it is all a package may see
    # As root there is no user namespace: the harness starts as root and drops to the throwaway
    # uid itself. Until then it keeps SETUID/SETGID for that and DAC_READ_SEARCH to enter the
    # scratch folder (already the throwaway uid's, 0700), nothing else. Otherwise a user namespace.
    users = (["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID",
              "--cap-add", "CAP_DAC_READ_SEARCH"] if as_root else
             ["--unshare-user", "--uid", "65534", "--gid", "65534", "--disable-userns"])
    return [
        bwrap, "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
        "--unshare-cgroup-try", *users, "--die-with-parent", "--new-session",
        "--hostname", "sandbox", "--clearenv", *_setenv(env),
        # the private /tmp before the binds: one under /tmp (a venv's packages, a Python
        # built there) is mounted on it, not hidden under it
        "--perms", "1777", "--size", str(TMP_BYTES), "--tmpfs", "/tmp", *binds,
        "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
        "--symlink", "usr/bin", "/bin",
        "--proc", "/proc", "--dev", "/dev",
        "--ro-bind", str(scratch), "/work", "--chdir", "/work",
        "--as-pid-1", *extra,
        *argv,
    ]


def _open_parents(target: str) -> list[str]:
    """bwrap makes missing parents of a mount point 0700 (root's): make them traversable."""
    dirs: list[str] = []
    for parent in reversed(Path(target).parents[:-1]):
        if str(parent) not in ("/usr", "/tmp"):
            dirs += ["--perms", "0755", "--dir", str(parent)]
    return dirs


def _setenv(env: tuple[tuple[str, str], ...]) -> list[str]:
    pairs: list[str] = []
    for key, value in {**CLEAN_ENV, **dict(env)}.items():
        pairs += ["--setenv", key, value]
    return pairs


@functools.cache
def _site_packages(prefix: str) -> tuple[str, ...]:
    """Once per process: the runtime's folders of installed packages do not come and go."""
    lib = Path(prefix, "lib")
    found = sorted(lib.glob("python3*/site-packages")) + sorted(lib.glob("python3/dist-packages"))
    return tuple(str(p) for p in found if p.is_dir())
