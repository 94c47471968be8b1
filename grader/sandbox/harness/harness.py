# ruff: noqa: SIM105 -- contextlib costs ~4 ms of every sandbox start; try/except is free
"""Runs inside the sandbox: loads the student's module and answers the grader's probes.

Standalone on purpose (standard library only, nothing from the `grader` package): this folder
is the only grader code the sandbox sees. Protocol: stdin holds frames (10 ASCII digits of
length, then JSON): the request, then one group of probes per child, in the order they run
(grader.sandbox.protocol.HarnessRequest.to_stream); one JSON line per probe goes to the result file
descriptor given as argv[1], as soon as its child is done. argv[2], when not 0, is the uid
to drop to (the grader ran as root); argv[3] and argv[4], when given, the folders (":"-separated)
and the top-level modules (","-separated) of the packages the assignment lets students
import (grader.sandbox.packages).

The submission is compiled once, before any child (compiling runs none of its code); each
group then runs in a forked child that executes it, so the parent never runs a line of
student code: a student cannot reach the result channel (the child closes it before running
anything), cannot forge another probe's result, and an infinite loop or a crash costs one
group only. The name reads share one child (if it fails, each runs again alone); every call
has a child of its own. A frame is read only when its child is about to start, so no child
holds the arguments of a probe that runs after it (the calls shown soonest run first).
The parent is not dumpable (no ptrace, no /proc/<pid>/mem), is PID 1 under bwrap (signals from
inside are ignored), and after every child kills whatever the student left running.

Start-up is most of a sandbox's cost, so only cheap modules are imported: JSON goes through
the C half of `json` (the package imports `re`), and `ctypes` only where prctl is needed.
The grading process compiles these files to .pyc once (`grader.sandbox.probing.harness_folder`).
Files: this one (the request, the uid, one child per group), harness_child.py (where
student code runs), harness_compile.py (compiling, in a child too), harness_watch.py (a
child's pipes, end and limits), harness_os.py (prctl, limits, strays), harness_json.py.
"""

import _signal as signal  # `signal` imports enum: ~6 ms of CPU of every sandbox start
import os
import resource
import sys
import time

sys.path.append(os.path.dirname(os.path.abspath(__file__)))  # -I leaves our folder off the path
from harness_child import child  # noqa: E402 - found through the line above
from harness_compile import compile_submission  # noqa: E402
from harness_json import dumps, loads  # noqa: E402
from harness_os import (  # noqa: E402
    PID_NAMESPACE,
    PR_SET_CHILD_SUBREAPER,
    PR_SET_DUMPABLE,
    PR_SET_NO_NEW_PRIVS,
    kill_strays,
    prctl,
    send,
    set_limit,
)
from harness_watch import run_forked  # noqa: E402


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # as PID 1, SIG_DFL signals are ignored
    result_fd = int(sys.argv[1])
    os.set_inheritable(result_fd, False)
    if len(sys.argv) > 3 and sys.argv[3]:
        sys.path.extend(sys.argv[3].split(":"))
    request = loads((read_frame() or b"{}").decode("utf-8"))
    dropped = drop_privileges(int(sys.argv[2]) if len(sys.argv) > 2 else 0)
    harden()
    set_tree_limits(request, dropped)
    program = compile_submission(request)
    preload(program, set(sys.argv[4].split(",")) if len(sys.argv) > 4 else set())
    # One frame per child, read when its turn comes
    # (grader.sandbox.protocol.HarnessRequest.to_stream).
    # No local keeps an earlier outcome alive: the next child must not find it in memory.
    while (frame := read_frame()) is not None:
        send(result_fd, run_group(loads(frame.decode("utf-8")), program, request, result_fd))
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


def harden() -> None:
    """No privilege gain, no ptrace or memory reads of us, orphans come back to us. bwrap
    already sets no-new-privileges; a uid change already made us non-dumpable, which shows
    as /proc files not our own (in a user namespace they show as ours either way, and then
    prctl runs: the test can only err towards it); as PID 1, orphans are ours anyway."""
    if not no_new_privs():
        prctl(PR_SET_NO_NEW_PRIVS, 1, required=PID_NAMESPACE)
    if dumpable():
        prctl(PR_SET_DUMPABLE, 0, required=PID_NAMESPACE)
    if not PID_NAMESPACE:
        prctl(PR_SET_CHILD_SUBREAPER, 1)


def no_new_privs() -> bool:
    try:
        with open("/proc/self/status", "rb") as status:
            return b"\nNoNewPrivs:\t1\n" in status.read()
    except OSError:
        return False


def dumpable() -> bool:
    try:
        return os.stat("/proc/self/stat").st_uid == os.geteuid()
    except OSError:
        return True  # cannot tell: make sure


def set_tree_limits(request: dict, own_uid: bool) -> None:
    # Compiling happens here, so its memory is bounded too (children set their own limit).
    memory = max(int(request.get("memory_bytes") or 1 << 30), 256 << 20)
    limits = [(resource.RLIMIT_FSIZE, request.get("file_bytes", 16 << 20)),
              (resource.RLIMIT_NOFILE, request.get("open_files", 256)),
              (resource.RLIMIT_CORE, 0), (resource.RLIMIT_AS, memory)]
    # NPROC counts every process of the uid: only sane for a uid of our own. Where the
    # sandbox has a cgroup, its pids.max (the same number, bwrap included) is reached first.
    if own_uid:
        limits.append((resource.RLIMIT_NPROC, request.get("processes", 64)))
    for which, value in limits:
        set_limit(which, int(value))


PRELOAD_TRIES = 500  # a source naming thousands of things must not keep us importing


def preload(program: list | str, importable: set) -> None:
    """Import, once and before any child, the allowed packages the submission's code names,
    so that every probe child finds them loaded rather than importing them again: numpy is
    ~0.3 s of CPU, matplotlib's pyplot over 1 s. This is the packages' code, not the
    student's; a submission that names none of them pays nothing. `from numpy import linalg`
    names `numpy` and `linalg`: each such pair is tried as a submodule too."""
    if isinstance(program, str) or not importable:
        return
    names, codes = set(), [code for code, _ in program]
    while codes:
        code = codes.pop()
        names.update(code.co_names)
        codes.extend(c for c in code.co_consts if type(c) is type(code))
    wanted = sorted(n for n in names if n.split(".")[0] in importable)
    tried = wanted + [f"{w}.{n}" for w in wanted for n in sorted(names) if n.isidentifier()]
    for name in tried[:PRELOAD_TRIES]:
        try:
            __import__(name)
        except Exception:  # not a module, or broken: the child meets it in the student's code
            pass


def read_frame() -> bytes | None:
    """The next frame of stdin (its length in 10 ASCII digits, then that many bytes), read
    exactly: nothing of a later frame enters our memory early. None at the end."""
    size = read_exactly(10)
    return read_exactly(int(size)) if size else None


def read_exactly(count: int) -> bytes:
    chunks, missing = [], count
    while missing > 0:
        chunk = os.read(0, min(missing, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)  # once: a notebook's header frame can hold megabytes


def run_group(group: list, program: list | str, request: dict, result_fd: int) -> bytes:
    if isinstance(program, str):  # nothing to run: every probe gets the same load error
        return encode_outcomes(group, {"status": "load_error", "error": program}, {}, b"",
                               False, 0.0)
    started = time.monotonic()
    answers, failure, pipes = run_child(group, program, request, result_fd)
    if len(group) > 1 and any(probe["id"] not in answers for probe in group):
        # one name's value took the shared child down (a crash, a loop, a value too large
        # to cross): each name again, alone, so that it costs only its own exercise
        return b"".join(run_alone(probe, program, request, result_fd) for probe in group)
    return encode_outcomes(group, failure, answers, bytes(pipes.stdout), pipes.truncated,
                           time.monotonic() - started)


def run_alone(probe: dict, program: list, request: dict, result_fd: int) -> bytes:
    kill_strays()  # what the previous child left must not meet this one
    return run_group([probe], program, request, result_fd)


def run_child(group: list, program: list, request: dict, result_fd: int) -> tuple:
    """Run the child that answers `group`: (its answers by id, what the others get, pipes)."""
    cap = int(request.get("output_cap", 1 << 20))

    def answer(out_w: int, val_w: int) -> None:  # in the child: student code runs only here
        be_the_first_to_go()
        child(group, program, request, out_w, val_w)

    status, pipes = run_forked(answer, max(float(p["timeout"]) for p in group), cap,
                               cap * len(group) + (64 << 10), close=(result_fd,),
                               budget=group[0] if len(group) == 1 else None)
    if status == "stopped":  # past its budget (harness_watch.Budget): its trace cannot match
        return {}, {"status": "stopped", "error": pipes.stopped}, pipes
    return (*decode_answers(bytes(pipes.value), status), pipes)


def be_the_first_to_go() -> None:
    """At the submission's memory limit (its cgroup), the kernel kills a process of it: let
    that be a probe child, never the harness that reports for all. Raising one's own score
    needs no privilege, and the student cannot lower it again."""
    try:
        with open("/proc/self/oom_score_adj", "w") as score:
            score.write("1000")
    except OSError:
        pass


def encode_outcomes(group: list, failure: dict, answers: dict, stdout: bytes,
                    truncated: bool, seconds: float) -> bytes:
    lines = []
    for probe in group:
        outcome = answers.get(probe["id"]) or failure
        outcome.update(id=probe["id"], stdout=stdout.decode("utf-8", "replace"),
                       truncated=truncated, seconds=round(seconds, 4))
        lines.append(dumps(outcome).encode("utf-8", "replace") + b"\n")
    return b"".join(lines)


def decode_answers(value_bytes: bytes, status: str) -> tuple[dict, dict]:
    """The child's answers by probe id, and what a probe it did not answer gets instead."""
    if status == "timeout":
        return {}, {"status": "timeout", "error": "it did not finish within the time limit"}
    reason = "the process was killed" if status == "crashed" else "the process exited early"
    failure = {"status": "crashed", "error": f"{reason} before it could answer (out of "
               "memory, a crash of the interpreter, or an exit() call)"}
    try:  # the last line is ours: whatever the student wrote to the pipe comes before it
        lines = value_bytes.rstrip(b"\n").rsplit(b"\n", 1)
        answers = loads(lines[-1].decode("utf-8"))
    except Exception:  # not JSON, too deep, not UTF-8: whatever a hostile child wrote
        return {}, failure
    if not isinstance(answers, dict):
        return {}, failure
    return {key: {k: answer.get(k) for k in ("status", "value", "error")}
            for key, answer in answers.items()
            if isinstance(answer, dict) and "status" in answer}, failure


def leave() -> None:
    """End without the interpreter's teardown (freeing every module and object: ~3 ms of
    CPU of every sandbox). Nothing is lost: the results went out unbuffered, the harness
    registers nothing to run at exit, and our end as PID 1 ends whatever is left."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(0)


if __name__ == "__main__":
    main()
    leave()
