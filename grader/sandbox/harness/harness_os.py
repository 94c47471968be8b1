# ruff: noqa: SIM105 -- contextlib costs ~4 ms of every sandbox start; try/except is free
"""What the harness asks of the operating system: prctl, limits, its own stdout, and the
processes a student leaves behind."""

import _signal as signal  # not `signal`, which imports enum (harness.py)
import os
import resource
import sys
import time

PID_NAMESPACE = os.getpid() == 1  # under bwrap: the kernel ends everything when we end
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 1, 4, 36, 38


def prctl(option: int, value: int, required: bool = False) -> None:
    """prctl(2). Where it is `required` (in the sandbox, what keeps children out of our
    memory and stdin), failing ends the harness with a line the grader reports as its own
    fault; elsewhere (the fallback, not Linux) it does without."""
    try:
        import ctypes  # ~4 ms: only where prctl is needed

        if ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0) == 0:
            return
        failure = os.strerror(ctypes.get_errno())
    except (OSError, AttributeError, ImportError) as exc:
        failure = str(exc) or type(exc).__name__
    if required:
        raise SystemExit(f"harness: prctl({option}, {value}) failed: {failure}")


def set_limit(which: int, value: int, hard: int | None = None) -> None:
    try:
        resource.setrlimit(which, (value, value if hard is None else hard))
    except (ValueError, OSError):
        pass


def send(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def drop_output() -> tuple:
    """Point stdout and stderr at /dev/null; what to give `restore_output`."""
    ours = sys.stdout, sys.stderr
    try:
        sys.stdout.flush()
    except Exception:
        pass
    kept = os.dup(1), os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.close(null)
    return ours, kept


def restore_output(saved: tuple) -> None:
    (out, err), (kept_out, kept_err) = saved
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    sys.stdout, sys.stderr = out, err
    try:
        out.flush()  # what the module left in our buffer goes to /dev/null too
    except Exception:
        pass
    os.dup2(kept_out, 1)
    os.dup2(kept_err, 2)
    os.close(kept_out)
    os.close(kept_err)


def kill_quietly(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def kill_strays() -> None:
    """Kill every process the student left behind, and reap it.

    As PID 1 of the sandbox's PID namespace, kill(-1) reaches every other process in it and
    nothing outside. Elsewhere (the fallback) we kill our descendants, which the subreaper
    flag keeps attached to us even when their parents exit first.
    """
    for _ in range(50):
        targets = [-1] if os.getpid() == 1 else descendants()
        for pid in targets:
            kill_quietly(pid)
        reaped = reap_all()
        if not targets or (targets == [-1] and not reaped and not other_pids()):
            return
        time.sleep(0.01)


def reap_all() -> int:
    count = 0
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return count
        if pid == 0:
            return count
        count += 1


def other_pids() -> list[int]:
    try:
        names = os.listdir("/proc")
    except OSError:  # no /proc (macOS): only the probe's own process group gets killed
        return []
    return [int(n) for n in names if n.isdigit() and int(n) != os.getpid()]


def descendants() -> list[int]:
    parents: dict[int, int] = {}
    for pid in other_pids():
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                parents[pid] = int(handle.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    found, frontier = set(), {os.getpid()}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - found
        found |= frontier
    return sorted(found)
