"""Run a student's function on the student's own machine, under a time and a memory limit.

Stdlib only: shipped verbatim with the public checks and embedded in the notebook, where
nothing sandboxes the student's code. An endless loop or a runaway list must end the check
with a message, not hang pytest or eat the kernel's memory. Where `os.fork` exists the call
runs in a forked child with RLIMIT_CPU and RLIMIT_AS, its output streamed through a pipe and
capped; elsewhere (Windows) it runs in place with no limit but the output cap.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import select
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

OUTPUT_CAP = 1 << 20  # characters kept of what a call prints
MEMORY_MB = 1024  # on top of what the process already uses


@dataclass(frozen=True)
class Run:
    """What a call printed (and returned, when asked), and why it ended early ("" if not)."""

    printed: str
    problem: str = ""
    returned: Any = None


class _Capped(io.TextIOBase):
    """Keeps the first `cap` characters written: an endless loop must not fill the memory."""

    def __init__(self, cap: int) -> None:
        self.parts: list[str] = []
        self.left = cap

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self.left > 0:
            self.parts.append(text[: self.left])
            self.left -= len(self.parts[-1])
        return len(text)


def call(function, args: tuple, time_limit: float,  # noqa: ANN001 - any callable
         encode: Callable[[Any], Any] | None = None) -> Run:
    """function(*args), stopped after `time_limit` seconds of CPU (wall: twice that + 0.5 s);
    with `encode`, what it returned, as `encode` makes it plain data."""
    if not hasattr(os, "fork"):
        return _in_place(function, args, encode)
    sys.stdout.flush()
    sys.stderr.flush()
    out_read, out_write = os.pipe()
    status_read, status_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(out_read)
        os.close(status_read)
        _child(function, args, time_limit, encode, out_write, status_write)
    os.close(out_write)
    os.close(status_write)
    return _parent(pid, out_read, status_read, time_limit)


def import_module(name: str, time_limit: float):  # noqa: ANN201 - a module
    """Import the student's module (its top-level code runs here), stopped after `time_limit`
    seconds of wall time where SIGALRM exists, what it prints dropped."""
    timer = hasattr(signal, "setitimer")
    if timer:
        previous = signal.signal(signal.SIGALRM, _time_is_up)
        signal.setitimer(signal.ITIMER_REAL, time_limit)
    try:
        with contextlib.redirect_stdout(_Capped(0)):
            return importlib.import_module(name)
    except _TimeUp:
        raise AssertionError(f"importing {name} did not finish within {time_limit:g} s: does "
                             "its top-level code loop for ever?") from None
    finally:
        if timer:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


class _TimeUp(BaseException):  # not an Exception: `except Exception` in a loop cannot eat it
    pass


def _time_is_up(signum: int, frame: object) -> None:
    raise _TimeUp


def _in_place(function, args: tuple, encode: Callable[[Any], Any] | None) -> Run:  # noqa: ANN001
    out = _Capped(OUTPUT_CAP)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            result = function(*args)
    except Exception as exc:  # the student's error is the check's message
        return Run("".join(out.parts), f"it raised {type(exc).__name__}: {exc}")
    return Run("".join(out.parts), returned=encode(result) if encode else None)


def _child(function, args: tuple, time_limit: float,  # noqa: ANN001
           encode: Callable[[Any], Any] | None, out_fd: int, status_fd: int) -> None:
    status: dict[str, Any] = {"code": "crashed"}
    try:
        import resource

        cpu = max(1, int(time_limit + 0.999))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_AS, (_address_space() + (MEMORY_MB << 20),) * 2)
        stream = os.fdopen(out_fd, "w", encoding="utf-8", errors="replace", buffering=1)
        sys.stdout = sys.stderr = stream
        try:
            result = function(*args)
            status = {"code": "ok", "returned": encode(result) if encode else None}
        except MemoryError:
            status = {"code": "memory"}
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            status = {"code": "raised", "error": f"{type(exc).__name__}: {exc}"[:500]}
        stream.flush()
        payload = json.dumps(status)
    except BaseException:  # noqa: BLE001 - the child must never return into pytest
        payload = json.dumps({"code": "crashed"})
    with contextlib.suppress(BaseException):
        os.write(status_fd, payload.encode("utf-8", "replace")[: 16 * OUTPUT_CAP])
    os._exit(0)


def _address_space() -> int:
    """Bytes of address space the process already holds (Linux); 0 where unknown."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _parent(pid: int, out_fd: int, status_fd: int, time_limit: float) -> Run:
    deadline = time.monotonic() + 2 * time_limit + 0.5
    chunks: dict[int, list[bytes]] = {out_fd: [], status_fd: []}
    sizes = {out_fd: 0, status_fd: 0}
    open_fds, problem = {out_fd, status_fd}, ""
    while open_fds and not problem:
        left = deadline - time.monotonic()
        ready = select.select(list(open_fds), [], [], left)[0] if left > 0 else []
        if not ready:
            problem = _time_up(time_limit)
        for fd in ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                open_fds.discard(fd)
            elif sizes[fd] < 16 * OUTPUT_CAP:
                chunks[fd].append(chunk)
            sizes[fd] += len(chunk)
        if sizes[out_fd] > 64 * OUTPUT_CAP:  # printing for ever: no trace is that long
            problem = "it printed far more than the trace: an endless loop?"
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    wait_status = os.waitpid(pid, 0)[1]
    for fd in (out_fd, status_fd):
        os.close(fd)
    printed = b"".join(chunks[out_fd]).decode("utf-8", "replace")[:OUTPUT_CAP]
    return _outcome(printed, b"".join(chunks[status_fd]), wait_status, problem, time_limit)


def _time_up(time_limit: float) -> str:
    return (f"it did not finish within the time limit ({time_limit:g} s): an endless loop? "
            "Check the stop test and the updates.")


def _outcome(printed: str, status: bytes, wait_status: int, problem: str,
             time_limit: float) -> Run:
    if problem:
        return Run(printed, problem)
    if os.WIFSIGNALED(wait_status):
        if os.WTERMSIG(wait_status) == getattr(signal, "SIGXCPU", -1):
            return Run(printed, _time_up(time_limit))
        return Run(printed, f"it was killed by signal {os.WTERMSIG(wait_status)}")
    try:
        report = json.loads(status)
    except ValueError:
        report = {"code": "crashed"}
    code = report.get("code")
    if code == "ok":
        return Run(printed, returned=report.get("returned"))
    if code == "raised":
        return Run(printed, f"it raised {report.get('error', '')}")
    if code == "memory":
        return Run(printed, f"it ran out of memory (over {MEMORY_MB} MB more)")
    return Run(printed, "it could not be run")
