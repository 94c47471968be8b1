"""One memory and process budget for a whole submission: a child cgroup per sandbox.

rlimits are per process: eight processes of 900 MiB each stay under an RLIMIT_AS of 1 GiB
apiece and still take 7 GiB of the host. A cgroup counts the whole sandbox: bwrap, the
harness, every probe child and whatever they fork, and the private /tmp (tmpfs pages are
charged to the cgroup that writes them).

Where: under the grading process's own cgroup (so any limit the machine puts on the grader
still holds), in cgroup v2 when the memory and pids controllers can be enabled there, else
in the v1 hierarchies of those controllers (mounted e.g. at /sys/fs/cgroup/memory and
/sys/fs/cgroup/pids, writable by root). The sandbox's first process joins it before it
executes bwrap (`join_files`, written by the launcher), so nothing of the sandbox ever runs
outside it. Nothing inside can leave: there is no /sys in the sandbox, no capability, and
the seccomp filter denies mount.

Fallback (not root, no controllers, a read-only /sys): `SubmissionCgroup.create` returns
None and only the rlimits hold: RLIMIT_AS per process, RLIMIT_NPROC for the sandbox's own
uid as root; the bound on the whole is then processes x memory.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path

_serial = itertools.count()
_V1_FIRST = threading.Event()  # set while v1 is what last made a cgroup (sandbox threads share it)


@dataclass(frozen=True)
class Usage:
    """What the submission used at most, and how often it hit the budget."""

    peak_memory: int = 0  # bytes; 0 when unknown (v2 before Linux 5.19)
    memory_events: int = 0  # allocations refused or processes killed at the memory limit
    pids_refused: int = 0  # forks refused by pids.max


@dataclass(frozen=True)
class SubmissionCgroup:
    version: int  # 1 or 2
    folders: tuple[Path, ...]  # v1: (memory, pids); v2: one folder

    @property
    def join_files(self) -> tuple[str, ...]:
        """Where the launcher writes `0` (itself) to join. v1: `tasks`, which moves only the
        writing thread (the launcher has no other) and so skips the global lock a whole
        process's move takes, whose RCU grace period costs ~8 ms of sleep per hierarchy
        after a quiet spell. v2 has no such file for a domain cgroup: `cgroup.procs`."""
        name = "tasks" if self.version == 1 else "cgroup.procs"
        return tuple(str(folder / name) for folder in self.folders)

    @staticmethod
    def create(memory_bytes: int, processes: int) -> SubmissionCgroup | None:
        """A fresh cgroup with these limits, or None where the grader cannot make one."""
        if os.geteuid() != 0:
            return None
        name = f"grader-{os.getpid()}-{next(_serial)}"
        # where v2 cannot be used (the grader's own cgroup holds processes), start at v1
        order = (_make_v1, _make_v2) if _V1_FIRST.is_set() else (_make_v2, _make_v1)
        for make in order:
            with contextlib.suppress(OSError):
                made = make(name, memory_bytes, processes)
                if made is not None:
                    if made.version == 1:
                        _V1_FIRST.set()
                    else:
                        _V1_FIRST.clear()
                    return made
        return None

    def usage(self) -> Usage:
        if self.version == 2:
            folder = self.folders[0]
            return Usage(_number(folder / "memory.peak"),
                         _event(folder / "memory.events", "max")
                         + _event(folder / "memory.events", "oom_kill"),
                         _event(folder / "pids.events", "max"))
        memory, pids = self.folders
        return Usage(_number(memory / "memory.max_usage_in_bytes"),
                     _number(memory / "memory.failcnt")
                     + _event(memory / "memory.oom_control", "oom_kill"),
                     _event(pids / "pids.events", "max"))

    def remove(self) -> None:
        """Kill what is left in it (only the sandbox's processes can be there) and remove it."""
        for attempt in range(100):
            left = False
            for folder in self.folders:
                if not folder.exists():
                    continue
                for pid in _pids(folder):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                try:
                    folder.rmdir()
                except OSError:  # busy while its last processes exit
                    left = True
            if not left:
                return
            time.sleep(0.002 * (attempt + 1))


def _make_v2(name: str, memory_bytes: int, processes: int) -> SubmissionCgroup | None:
    mount = _mount_point("cgroup2", None)
    own = _own_path("")
    if mount is None or own is None:
        return None
    parent = mount / own.lstrip("/")
    enabled = (parent / "cgroup.subtree_control").read_text().split()
    if not {"memory", "pids"} <= set(enabled):
        # fails (EBUSY) when the parent holds processes itself, as a grader's own cgroup does
        # unless it was delegated: then v1, or the rlimits
        (parent / "cgroup.subtree_control").write_text("+memory +pids")
    folder = parent / name
    folder.mkdir(mode=0o755)
    try:
        (folder / "memory.max").write_text(str(memory_bytes))
        if (folder / "memory.swap.max").exists():  # swap must not widen it
            (folder / "memory.swap.max").write_text("0")
        (folder / "pids.max").write_text(str(processes))
    except OSError:
        folder.rmdir()
        raise
    return SubmissionCgroup(2, (folder,))


def _make_v1(name: str, memory_bytes: int, processes: int) -> SubmissionCgroup | None:
    memory_mount, pids_mount = _mount_point("cgroup", "memory"), _mount_point("cgroup", "pids")
    memory_own, pids_own = _own_path("memory"), _own_path("pids")
    if None in (memory_mount, pids_mount, memory_own, pids_own):
        return None
    assert memory_mount and pids_mount and memory_own is not None and pids_own is not None
    memory = memory_mount / memory_own.lstrip("/") / name
    pids = pids_mount / pids_own.lstrip("/") / name
    made: list[Path] = []
    try:
        for folder in (memory, pids):
            folder.mkdir(mode=0o755)
            made.append(folder)
        (memory / "memory.limit_in_bytes").write_text(str(memory_bytes))
        if (memory / "memory.memsw.limit_in_bytes").exists():  # swap must not widen it
            (memory / "memory.memsw.limit_in_bytes").write_text(str(memory_bytes))
        (pids / "pids.max").write_text(str(processes))
    except OSError:
        for folder in reversed(made):
            folder.rmdir()
        raise
    return SubmissionCgroup(1, (memory, pids))


def _mount_point(fstype: str, controller: str | None) -> Path | None:
    """Where the hierarchy is mounted, its root being the root."""
    for kind, options, point in _hierarchies():
        if kind == fstype and (controller is None or controller in options):
            return Path(point)
    return None


@functools.cache
def _hierarchies() -> tuple[tuple[str, tuple[str, ...], str], ...]:
    """The cgroup mounts of /proc/self/mountinfo whose root is the hierarchy's root, read
    once per process (each submission asks three times): (type, options, mount point)."""
    found = []
    with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as table:
        for line in table:
            fields = line.split()
            dash = fields.index("-")
            if fields[dash + 1] in ("cgroup", "cgroup2") and fields[3] == "/":
                found.append((fields[dash + 1], tuple(fields[dash + 3].split(",")), fields[4]))
    return tuple(found)


def _own_path(controller: str) -> str | None:
    """The grading process's cgroup in that hierarchy ("" names v2's)."""
    with open("/proc/self/cgroup", encoding="utf-8") as table:
        for line in table:
            _, names, path = line.rstrip("\n").split(":", 2)
            if names.split(",") == [controller] or (controller and controller in names.split(",")):
                return path
    return None


def _pids(folder: Path) -> list[int]:
    with contextlib.suppress(OSError):
        return [int(p) for p in (folder / "cgroup.procs").read_text().split()]
    return []


def _number(path: Path) -> int:
    with contextlib.suppress(OSError, ValueError):
        return int(path.read_text().strip())
    return 0


def _event(path: Path, key: str) -> int:
    with contextlib.suppress(OSError):
        for line in path.read_text().splitlines():
            name, _, count = line.partition(" ")
            if name == key and count.strip().isdigit():
                return int(count)
    return 0
