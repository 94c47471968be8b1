# ruff: noqa: SIM105 -- contextlib costs ~4 ms of every sandbox start; try/except is free
"""A forked child, watched: its pipes, its end, its CPU time and its deadline."""

import os
import select
import signal
import time

from harness_os import kill_quietly, kill_strays

WALL_FACTOR = 2  # a probe may take this many times its CPU limit in wall time, plus the grace
WALL_GRACE = 0.5
CPU_EVERY = 5  # read the CPU time every 5th pass of the 20 ms loop: /proc is scanned for it
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def run_forked(body, cpu_limit: float, cap: int, value_cap: int,
               close: tuple = ()) -> tuple[str, "Pipes"]:
    """Fork a child that closes `close`, becomes its own process group and runs
    body(out_w, val_w), which never returns; read its two pipes until it ends, uses up
    `cpu_limit` or passes its deadline; kill its group. (How it ended, its pipes.)"""
    started = time.monotonic()
    out_r, out_w = os.pipe()
    val_r, val_w = os.pipe()
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
    pipes = Pipes(out_r, val_r, cap, value_cap)
    status = watch(pid, pipes, started + cpu_limit * WALL_FACTOR + WALL_GRACE, cpu_limit)
    try:
        os.killpg(pid, signal.SIGKILL)  # the child's group, wherever kill_strays cannot look
    except OSError:
        pass
    return status, pipes


def fork_after_strays() -> int:
    """fork(), once more after killing strays if the process limit is still used up."""
    try:
        return os.fork()
    except OSError:
        kill_strays()
        return os.fork()


class Pipes:
    """The child's stdout (capped; the rest is read and dropped) and its value pipe."""

    def __init__(self, out_r: int, val_r: int, cap: int, value_cap: int | None = None) -> None:
        self.out_r, self.cap = out_r, cap
        self.value_cap = cap if value_cap is None else value_cap
        self.open = {out_r, val_r}
        self.stdout, self.value = bytearray(), bytearray()
        self.truncated = False
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
                    room = self.cap - len(self.stdout)
                    self.truncated = self.truncated or len(chunk) > room
                    self.stdout += chunk[: max(room, 0)]
                elif len(self.value) < self.value_cap:
                    self.value += chunk

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
                return "crashed" if os.WIFSIGNALED(status) else "exited"
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
