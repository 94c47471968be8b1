# ruff: noqa: SIM105 -- contextlib costs ~4 ms of every sandbox start; try/except is free
"""A forked child, watched: its pipes, its end, its CPU time, its deadline and its budget."""

import _signal as signal  # not `signal`, which imports enum (harness.py)
import gc
import os
import select
import time

from harness_os import kill_quietly, kill_strays

WALL_FACTOR = 2  # a probe may take this many times its CPU limit in wall time, plus the grace
WALL_GRACE = 0.5
CPU_EVERY = 5  # read the CPU time every 5th pass of the 20 ms loop: /proc is scanned for it
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def run_forked(body, cpu_limit: float, cap: int, value_cap: int,
               close: tuple = (), budget: dict | None = None) -> tuple[str, "Pipes"]:
    """Fork a child that closes `close`, becomes its own process group and runs
    body(out_w, val_w), which never returns; read its two pipes until it ends, uses up
    `cpu_limit`, passes its deadline or prints past its `budget` (a call probe's
    max_iterations / max_lines / trace_keys); kill its group. (How it ended, its pipes.)"""
    started = time.monotonic()
    out_r, out_w = os.pipe()
    val_r, val_w = os.pipe()
    scan = Budget(budget) if budget and Budget.wanted(budget) else None
    if scan is not None:
        small_pipe(out_w)
    pid = fork_after_strays()
    if pid == 0:
        try:
            os.setpgid(0, 0)  # what it forks counts against its CPU time, and dies with it
            for fd in (*close, out_r, val_r):
                os.close(fd)
            body(out_w, val_w)
        finally:
            os._exit(70)
    os.close(out_w)
    os.close(val_w)
    # The limit is the child's CPU time, so a loaded machine cannot fail a correct answer;
    # the wall-clock backstop catches code that sleeps or blocks instead of computing.
    pipes = Pipes(out_r, val_r, cap, value_cap, scan)
    status = watch(pid, pipes, started + cpu_limit * WALL_FACTOR + WALL_GRACE, cpu_limit)
    try:
        os.killpg(pid, signal.SIGKILL)  # the child's group, wherever kill_strays cannot look
    except OSError:
        pass
    return status, pipes


def fork_after_strays() -> int:
    """fork(), once more after killing strays if the process limit is still used up.

    What exists before the fork is frozen out of the collector: a child's collections would
    otherwise walk every inherited object, touching (so copying) each page of the heap."""
    gc.freeze()
    try:
        return os.fork()
    except OSError:
        kill_strays()
        return os.fork()


def small_pipe(fd: int) -> None:
    """One page of pipe, not 16: a child past its budget is at most a page of lines ahead of
    what we have read when we stop it (fcntl is imported only here: ~0.3 ms)."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), 4096)
    except (ImportError, OSError):
        pass


class Pipes:
    """The child's stdout (capped; the rest is read and dropped) and its value pipe."""

    def __init__(self, out_r: int, val_r: int, cap: int, value_cap: int | None = None,
                 budget: "Budget | None" = None) -> None:
        self.out_r, self.cap = out_r, cap
        self.value_cap = cap if value_cap is None else value_cap
        self.open = {out_r, val_r}
        self.stdout, self.value = bytearray(), bytearray()
        self.truncated = False
        self.budget = budget
        for fd in self.open:
            os.set_blocking(fd, False)

    def read(self, wait: float, also: int | None = None) -> None:
        watched = [*self.open, also] if also is not None else list(self.open)
        ready, _, _ = select.select(watched, [], [], max(wait, 0))
        for fd in ready:
            for _ in range(16):  # a flood must not keep us here past the deadline
                if fd not in self.open:
                    break
                try:
                    chunk = os.read(fd, 65536)
                except BlockingIOError:
                    break
                if not chunk:
                    self.close(fd)
                elif fd == self.out_r:
                    self.take(chunk)
                elif len(self.value) < self.value_cap:
                    self.value += chunk

    def take(self, chunk: bytes) -> None:
        """Keep stdout up to the cap; with a budget, only up to the end of the line that
        broke it, so that what is graded does not depend on when we looked."""
        if self.budget is not None:
            if self.budget.over:
                return
            end = self.budget.feed(chunk)
            if end is not None:
                chunk = chunk[:end]
        room = self.cap - len(self.stdout)
        self.truncated = self.truncated or len(chunk) > room
        self.stdout += chunk[: max(room, 0)]
        if self.budget is not None and self.truncated and not self.budget.over:
            self.budget.over = "its output passed the size the grader reads"

    @property
    def stopped(self) -> str:
        return self.budget.over if self.budget is not None else ""

    def close(self, fd: int | None = None) -> None:
        for each in [fd] if fd is not None else list(self.open):
            self.open.discard(each)
            os.close(each)


def watch(pid: int, pipes: Pipes, deadline: float, cpu_limit: float) -> str:
    """Read until the child ends, uses up its CPU time or passes the deadline; say how it ended.

    The child's end, not the pipes' EOF, decides: a process it forked may hold the pipes open.
    A pidfd wakes us the moment it ends, rather than at the next 20 ms pass.
    """
    ended = pidfd(pid)
    passes = 0
    try:
        while True:
            pipes.read(min(deadline - time.monotonic(), 0.02), ended)
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                pipes.read(0)  # what it wrote just before it ended
                pipes.close()
                if pipes.stopped:  # over budget, however soon it ended after
                    return "stopped"
                return "crashed" if os.WIFSIGNALED(status) else "exited"
            if pipes.stopped:  # its trace can no longer match: no need to wait for the end
                kill_quietly(pid)
                os.waitpid(pid, 0)
                pipes.close()
                return "stopped"
            passes += 1
            over_cpu = passes % CPU_EVERY == 0 and cpu_seconds(pid) >= cpu_limit
            if time.monotonic() >= deadline or over_cpu:
                kill_quietly(pid)
                os.waitpid(pid, 0)
                pipes.close()
                return "timeout"
    finally:
        if ended is not None:
            os.close(ended)


def pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):  # before Linux 5.3, or not Linux: the 20 ms passes do
        return None


def cpu_seconds(group: int) -> float:
    """CPU time used so far by every process of the probe's process group (the child and
    what it forked: a fork bomb spends its CPU in grandchildren). 0 where /proc cannot tell,
    and then the wall-clock backstop rules."""
    total = 0
    try:
        pids = [entry for entry in os.listdir("/proc") if entry.isdigit()]
    except OSError:
        return 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
            if int(fields[2]) == group:  # pgrp; then utime, stime, cutime, cstime
                total += sum(int(f) for f in fields[11:15])
        except (OSError, IndexError, ValueError):
            continue  # it ended while we looked
    return total / CLOCK_TICKS


WORD = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
LINE_KEEP = 4096  # of a line still being written; longer lines are not trace lines


class Budget:
    """A call's output, counted as it streams (bytes only, no `re`: it runs in the harness).
    An iteration is a line holding every trace key as `key=` or `key:` (a whole name); past
    max_iterations or max_lines, or at a trace key whose value is nan or inf, the trace can
    no longer match the reference's: `over` then says why, and `feed` where to cut."""

    @staticmethod
    def wanted(probe: dict) -> bool:
        return bool(probe.get("max_iterations") or probe.get("max_lines"))

    def __init__(self, probe: dict) -> None:
        self.keys = tuple(str(k).encode("utf-8") for k in probe.get("trace_keys") or ())
        self.max_iterations = int(probe.get("max_iterations") or 0)
        self.max_lines = int(probe.get("max_lines") or 0)
        self.iterations = self.lines = 0
        self.partial = b""
        self.over = ""

    def feed(self, chunk: bytes) -> int | None:
        """Count the lines `chunk` completes; where to cut it if one broke the budget."""
        start = 0
        while not self.over:
            end = chunk.find(b"\n", start)
            if end < 0:
                self.partial = (self.partial + chunk[start:])[-LINE_KEEP:]
                return None
            line, self.partial = (self.partial + chunk[start:end])[-LINE_KEEP:], b""
            self.line(line)
            start = end + 1
        return start

    def line(self, line: bytes) -> None:
        self.lines += 1
        found = 0
        for key in self.keys:
            value = value_after(line, key)
            if value is None:
                continue
            found += 1
            word = value.lstrip(b"+-")[:3].lower()
            if word in (b"nan", b"inf") and not self.over:
                self.over = f"{key.decode()} became {word.decode()}"
        if self.keys and found == len(self.keys):
            self.iterations += 1
        if not self.over and self.max_iterations and self.iterations > self.max_iterations:
            self.over = f"it printed over {self.max_iterations} iterations"
        if not self.over and self.max_lines and self.lines > self.max_lines:
            self.over = f"it printed over {self.max_lines} lines"


def value_after(line: bytes, key: bytes) -> bytes | None:
    """The start of the value of `key` in `line` (`key = value` or `key: value`), or None."""
    at = line.find(key)
    while at >= 0:
        after = at + len(key)
        if at == 0 or (line[at - 1] not in WORD and line[at - 1] < 0x80):
            rest = line[after:after + 40].lstrip(b" \t")
            if rest[:1] in (b"=", b":"):
                return rest[1:].lstrip(b" \t")[:8]
        at = line.find(key, after)
    return None
