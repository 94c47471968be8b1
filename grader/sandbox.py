"""Run a command on untrusted files: under bubblewrap when present, else a limited subprocess.

`run_sandboxed` is the one door through which student code is executed. It returns a
`SandboxRun` (plain data). The result channel is a pipe of its own (its fd number is passed in argv),
separate from stdout, so nothing a student prints can be taken for a result.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path



@dataclass(frozen=True)
class Limits:
    wall_seconds: float = 20.0
    memory_bytes: int = 1 << 30
    output_cap: int = 1 << 20


@dataclass(frozen=True)
class SandboxRun:
    returncode: int | None
    channel: bytes
    stderr: str
    timed_out: bool
    isolated: bool
    seconds: float


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def run_sandboxed(
    argv: list[str],
    *,
    scratch: Path,
    stdin: bytes,
    limits: Limits,
    ro_binds: tuple[tuple[str, str], ...] = (),
) -> SandboxRun:
    """Run `argv` in `scratch`; `{result_fd}` in argv names the result channel's fd."""
    started = time.monotonic()
    read_fd, write_fd = os.pipe()
    bwrap = bwrap_path()
    argv = [arg.replace("{result_fd}", str(write_fd)) for arg in argv]
    command = argv if bwrap is None else _bwrap_argv(bwrap, scratch, argv, ro_binds)
    proc = subprocess.Popen(
        command, cwd=scratch, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, pass_fds=(write_fd,), start_new_session=True,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"},
    )
    os.close(write_fd)
    channel = bytearray()
    reader = threading.Thread(target=_drain, args=(read_fd, channel, limits.output_cap))
    reader.start()
    timed_out = False
    try:
        _, err = proc.communicate(stdin, timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(proc.pid, signal.SIGKILL)
        _, err = proc.communicate()
    reader.join()
    return SandboxRun(proc.returncode, bytes(channel), err.decode("utf-8", "replace")[-4000:],
                      timed_out, bwrap is not None, time.monotonic() - started)


def _drain(fd: int, sink: bytearray, cap: int) -> None:
    """Read a pipe to its end, keeping at most `cap` bytes and dropping the rest unbuffered."""
    with os.fdopen(fd, "rb", buffering=0) as reader:
        while chunk := reader.read(65536):
            if len(sink) < cap:
                sink += chunk[: cap - len(sink)]


def _bwrap_argv(
    bwrap: str, scratch: Path, argv: list[str], ro_binds: tuple[tuple[str, str], ...]
) -> list[str]:
    prefix = Path(sys.base_prefix)
    binds: list[str] = []
    for path in ("/usr", str(prefix)):
        binds += ["--ro-bind", path, path]
    for source, target in ro_binds:
        binds += ["--ro-bind", source, target]
    return [
        bwrap, "--unshare-all", "--die-with-parent", "--new-session",
        *binds,
        "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
        "--symlink", "usr/bin", "/bin",
        "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
        "--bind", str(scratch), "/work", "--chdir", "/work",
        "--uid", "65534", "--gid", "65534",
        "--as-pid-1",
        *argv,
    ]
