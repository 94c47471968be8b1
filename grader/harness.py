"""Runs inside the sandbox: loads the student's module and answers the grader's probes.

Standalone on purpose (standard library only, nothing from the `grader` package): it is
the only grader code the sandbox sees. Protocol: a request as JSON on stdin; one JSON line per
probe written to the result file descriptor given as argv[1], as soon as the probe is done.
argv[2], when not 0, is the uid to drop to (the grader ran as root).

Each probe runs in a forked child, so the parent never executes a line of student code:
a student cannot reach the result channel (the child closes it before importing anything),
cannot forge another probe's result, and an infinite loop or a crash costs one probe only.
The parent is not dumpable (no ptrace, no /proc/<pid>/mem), is PID 1 under bwrap (signals from
inside are ignored), and after every probe kills whatever the student left running.
"""

import builtins
import contextlib
import ctypes
import json
import math
import os
import resource
import select
import signal
import sys
import time
import traceback

WALL_FACTOR = 2  # a probe may take this many times its CPU limit in wall time, plus the grace
WALL_GRACE = 0.5
CPU_EVERY = 5  # read the CPU time every 5th pass of the 20 ms loop: /proc is scanned for it
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS = 1, 4, 36, 38


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # as PID 1, SIG_DFL signals are ignored
    result_fd = int(sys.argv[1])
    os.set_inheritable(result_fd, False)
    request = json.loads(sys.stdin.read())
    dropped = drop_privileges(int(sys.argv[2]) if len(sys.argv) > 2 else 0)
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    prctl(PR_SET_DUMPABLE, 0)
    prctl(PR_SET_CHILD_SUBREAPER, 1)  # orphans come back to us, so we can kill them
    set_tree_limits(request, dropped)
    for probe in request["probes"]:
        # no local keeps an earlier outcome alive: the next child must not find it in memory
        send(result_fd, encode(run_probe(probe, request, result_fd)))
        kill_strays()
    os.close(result_fd)


def drop_privileges(uid: int) -> bool:
    """Root → the throwaway uid, for good (no way back, no capabilities left)."""
    if uid <= 0 or os.getuid() != 0:
        return False
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    return True


def prctl(option: int, value: int) -> None:
    with contextlib.suppress(OSError, AttributeError):  # not Linux: the fallback does without
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)


def set_tree_limits(request: dict, own_uid: bool) -> None:
    limits = [(resource.RLIMIT_FSIZE, request.get("file_bytes", 16 << 20)),
              (resource.RLIMIT_NOFILE, request.get("open_files", 256)),
              (resource.RLIMIT_CORE, 0)]
    if own_uid:  # NPROC counts every process of the uid: only sane for a uid of our own
        limits.append((resource.RLIMIT_NPROC, request.get("processes", 64)))
    for which, value in limits:
        set_limit(which, int(value))


def set_limit(which: int, value: int, hard: int | None = None) -> None:
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(which, (value, value if hard is None else hard))


def encode(outcome: dict) -> bytes:
    return json.dumps(outcome, ensure_ascii=False).encode("utf-8", "replace") + b"\n"


def send(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def run_probe(probe: dict, request: dict, result_fd: int) -> dict:
    started = time.monotonic()
    out_r, out_w = os.pipe()
    val_r, val_w = os.pipe()
    pid = fork_after_strays()
    if pid == 0:  # the child: student code runs here and only here
        try:
            os.close(result_fd)
            os.close(out_r)
            os.close(val_r)
            child(probe, request, out_w, val_w)  # never returns
        finally:
            os._exit(70)
    os.close(out_w)
    os.close(val_w)
    # The limit is the child's CPU time, so a loaded machine cannot fail a correct answer;
    # the wall-clock backstop catches code that sleeps or blocks instead of computing.
    cpu_limit = float(probe["timeout"])
    deadline = started + cpu_limit * WALL_FACTOR + WALL_GRACE
    cap = int(request.get("output_cap", 1 << 20))
    pipes = Pipes(out_r, val_r, cap)
    status = watch(pid, pipes, deadline, cpu_limit)
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)  # the child's group, wherever kill_strays cannot look
    outcome = decode_value(bytes(pipes.value), status)
    outcome.update(id=probe["id"], stdout=bytes(pipes.stdout).decode("utf-8", "replace"),
                   truncated=pipes.truncated, seconds=round(time.monotonic() - started, 4))
    return outcome


def fork_after_strays() -> int:
    """fork(), once more after killing strays if the process limit is still used up."""
    try:
        return os.fork()
    except OSError:
        kill_strays()
        return os.fork()


class Pipes:
    """The child's stdout (capped; the rest is read and dropped) and its value pipe."""

    def __init__(self, out_r: int, val_r: int, cap: int) -> None:
        self.out_r, self.cap = out_r, cap
        self.open = {out_r, val_r}
        self.stdout, self.value = bytearray(), bytearray()
        self.truncated = False
        for fd in self.open:
            os.set_blocking(fd, False)

    def read(self, wait: float) -> None:
        ready, _, _ = select.select(list(self.open), [], [], max(wait, 0))
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
                elif len(self.value) < self.cap:
                    self.value += chunk

    def close(self, fd: int | None = None) -> None:
        for each in [fd] if fd is not None else list(self.open):
            self.open.discard(each)
            os.close(each)


def watch(pid: int, pipes: Pipes, deadline: float, cpu_limit: float) -> str:
    """Read until the child ends, uses up its CPU time or passes the deadline; say how it ended.

    The child's end, not the pipes' EOF, decides: a process it forked may hold the pipes open.
    """
    passes = 0
    while True:
        pipes.read(min(deadline - time.monotonic(), 0.02))
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


def kill_quietly(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)


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


def decode_value(value_bytes: bytes, status: str) -> dict:
    if status == "timeout":
        return {"status": "timeout", "error": "it did not finish within the time limit"}
    try:  # the last line is ours: whatever the student wrote to the pipe comes before it
        lines = value_bytes.rstrip(b"\n").rsplit(b"\n", 1)
        outcome = json.loads(lines[-1].decode("utf-8"))
        if isinstance(outcome, dict) and "status" in outcome:
            return {k: outcome.get(k) for k in ("status", "value", "error")}
    except (ValueError, RecursionError):
        pass
    reason = "the process was killed" if status == "crashed" else "the process exited early"
    return {"status": "crashed", "error": f"{reason} before it could answer (out of memory, "
            "a crash of the interpreter, or an exit() call)"}


def child(probe: dict, request: dict, out_w: int, val_w: int) -> None:
    module_file = request["module_file"]
    memory = int(request.get("memory_bytes") or 1 << 30)
    cpu = min(int(request.get("cpu_seconds", 10)), math.ceil(float(probe["timeout"])) + 1)
    request["probes"].clear()  # this copy only: the other probes are none of the student's
    request.clear()  # business, and the loop over them never resumes in this process
    os.setpgid(0, 0)
    with contextlib.suppress(OSError):
        os.nice(10)  # the harness must win the CPU against a fork bomb, to end it on time
    prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL))  # the fallback has no PID namespace to do it
    set_limit(resource.RLIMIT_AS, memory)
    set_limit(resource.RLIMIT_CPU, max(cpu, 1), max(cpu, 1) + 1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out_w, 1)
    os.dup2(out_w, 2)
    os.closerange(3, val_w)
    os.closerange(val_w + 1, 1 << 16)
    sys.stdout = os.fdopen(1, "w", buffering=1, encoding="utf-8", errors="replace")
    sys.stderr = sys.stdout
    sys.stdin = os.fdopen(0, "r")
    answer = answer_probe(probe, module_file)
    with contextlib.suppress(BaseException):
        sys.stdout.flush()
    send(val_w, b"\n" + to_json(answer) + b"\n")
    os._exit(0)


def to_json(answer: dict) -> bytes:
    try:
        return json.dumps(answer, allow_nan=True).encode()
    except (TypeError, ValueError, RecursionError):
        return json.dumps({"status": "bad_value",
                           "error": "the value is not plain data (numbers, strings, lists, "
                           "dicts)"}).encode()


def answer_probe(probe: dict, module_file: str) -> dict:
    namespace = {"__name__": "submission", "__file__": module_file}
    try:
        with open(module_file, encoding="utf-8") as handle:
            source = handle.read()
        code = compile(source, module_file, "exec")
    except SyntaxError as exc:
        return {"status": "load_error",
                "error": f"SyntaxError on line {exc.lineno}: {exc.msg}"}
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return {"status": "load_error", "error": f"cannot read the file: {exc}"}
    saved = dict(builtins.__dict__)
    try:
        with output_dropped():
            exec(code, namespace)
    except BaseException as exc:  # the student's module crashed while loading
        return {"status": "load_error", "error": "loading the module failed: " + brief(exc)}
    finally:
        restore_builtins(saved)
    if probe["name"] not in namespace:
        return {"status": "missing", "error": f"the module defines no `{probe['name']}`"}
    target = namespace[probe["name"]]
    if probe["kind"] == "value":
        return {"status": "ok", "value": plain(target)}
    try:
        target(*probe["args"])
    except BaseException as exc:
        return {"status": "error", "error": brief(exc)}
    finally:
        restore_builtins(saved)
    return {"status": "ok", "value": None}


@contextlib.contextmanager
def output_dropped():
    """Drop what the module prints while it loads (a student testing their solver at the
    bottom of the file): the probe's trace is what the probed call prints, nothing else."""
    ours = sys.stdout, sys.stderr
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    kept = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
        sys.stdout, sys.stderr = ours
        with contextlib.suppress(Exception):
            ours[0].flush()  # what the module left in our buffer goes to /dev/null too
        os.dup2(kept, 1)
        os.dup2(kept, 2)
        os.close(kept)
        os.close(null)


def restore_builtins(saved: dict) -> None:
    """Undo the student's patches to builtins, so that reporting its answers still works."""
    builtins.__dict__.clear()
    builtins.__dict__.update(saved)


def plain(value, depth: int = 0):
    """Copy into exact JSON types; anything else is shown by its repr for the message."""
    if depth > 6:
        raise ValueError("nested too deeply")
    kind = type(value)
    if value is None or kind is bool or kind is int or kind is str:
        return value
    if kind is float:
        return value if math.isfinite(value) else str(value)
    if kind is list or kind is tuple:
        return [plain(v, depth + 1) for v in value]
    if kind is dict:
        return {str(k): plain(v, depth + 1) for k, v in value.items()}
    try:
        return str(repr(value))[:200]
    except BaseException:
        return "<unreadable>"


def brief(exc: BaseException) -> str:
    """The exception and the line of the student's file it came from."""
    try:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename != __file__]
        where = f" (line {frames[-1].lineno})" if frames else ""
        return f"{type(exc).__name__}: {exc}"[:500] + where
    except BaseException:
        return "an exception that could not be described"


if __name__ == "__main__":
    main()
