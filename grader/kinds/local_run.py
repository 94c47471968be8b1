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
import os
import select
import signal
import sys
import time
from dataclasses import dataclass

OUTPUT_CAP = 1 << 20  # characters kept of what a call prints
MEMORY_MB = 1024  # on top of what the process already uses


@dataclass(frozen=True)
class Run:
    """What a call printed, and why it ended early (empty when it returned)."""

    printed: str
    problem: str = ""


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


def call(function, args: tuple, time_limit: float) -> Run:  # noqa: ANN001 - any callable
    """function(*args), stopped after `time_limit` seconds of CPU (wall: twice that + 0.5 s)."""
    if not hasattr(os, "fork"):
        return _in_place(function, args)
    sys.stdout.flush()
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(function, args, time_limit, write_end)
    os.close(write_end)
    return _parent(pid, read_end, time_limit)


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


def _in_place(function, args: tuple) -> Run:  # noqa: ANN001
    out = _Capped(OUTPUT_CAP)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            function(*args)
    except Exception as exc:  # the student's error is the check's message
        return Run("".join(out.parts), f"it raised {type(exc).__name__}: {exc}")
    return Run("".join(out.parts))


def _child(function, args: tuple, time_limit: float, fd: int) -> None:  # noqa: ANN001
    code = 0
    try:
        import resource

        cpu = max(1, int(time_limit + 0.999))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_AS, (_address_space() + (MEMORY_MB << 20),) * 2)
        stream = os.fdopen(fd, "w", encoding="utf-8", errors="replace", buffering=1)
        sys.stdout = sys.stderr = stream
        try:
            function(*args)
        except MemoryError:
            code = 3
        except BaseException as exc:  # noqa: BLE001 - reported to the parent by exit code
            print(f"\n\x00{type(exc).__name__}: {exc}", file=stream)
            code = 2
        stream.flush()
    except BaseException:  # noqa: BLE001 - the child must never return into pytest
        code = 4
    os._exit(code)


def _address_space() -> int:
    """Bytes of address space the process already holds (Linux); 0 where unknown."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _parent(pid: int, fd: int, time_limit: float) -> Run:
    deadline = time.monotonic() + 2 * time_limit + 0.5
    chunks: list[bytes] = []
    size, problem = 0, ""
    with os.fdopen(fd, "rb", buffering=0) as pipe:
        while True:
            left = deadline - time.monotonic()
            ready = select.select([pipe], [], [], max(0.0, left))[0] if left > 0 else []
            if not ready:
                problem = _time_up(time_limit)
                break
            chunk = pipe.read(65536)
            if not chunk:
                break
            if size < OUTPUT_CAP:
                chunks.append(chunk)
            size += len(chunk)
            if size > 64 * OUTPUT_CAP:  # printing for ever: no trace is that long
                problem = "it printed far more than the trace: an endless loop?"
                break
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    status = os.waitpid(pid, 0)[1]
    text = b"".join(chunks).decode("utf-8", "replace")[:OUTPUT_CAP]
    return _outcome(text, status, problem, time_limit)


def _time_up(time_limit: float) -> str:
    return (f"it did not finish within the time limit ({time_limit:g} s): an endless loop? "
            "Check the stop test and the updates.")


def _outcome(text: str, status: int, problem: str, time_limit: float) -> Run:
    printed, _, error = text.partition("\n\x00")
    if problem:
        return Run(printed, problem)
    if os.WIFSIGNALED(status):
        if os.WTERMSIG(status) == getattr(signal, "SIGXCPU", -1):
            return Run(printed, _time_up(time_limit))
        return Run(printed, f"it was killed by signal {os.WTERMSIG(status)}")
    code = os.WEXITSTATUS(status)
    if code == 2:
        return Run(printed, f"it raised {error.strip()}")
    if code == 3:
        return Run(printed, f"it ran out of memory (over {MEMORY_MB} MB more)")
    if code:
        return Run(printed, "it could not be run")
    return Run(printed)
