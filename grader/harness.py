"""Runs inside the sandbox: loads the student's module and answers the grader's probes.

Standalone on purpose (standard library only, nothing from the `grader` package): it is
the only grader code the sandbox sees. Protocol: a `HarnessRequest` as JSON on stdin; one
JSON document `{"outcomes": [...]}` written to the result file descriptor given as argv[1].

Each probe runs in a forked child, so the parent never executes a line of student code:
a student cannot reach the result channel (the child closes it before importing anything),
cannot forge another probe's result, and an infinite loop or a crash costs one probe only.
"""

import json
import os
import resource
import select
import signal
import sys
import time
import traceback


def main() -> None:
    result_fd = int(sys.argv[1])
    request = json.loads(sys.stdin.read())
    os.set_inheritable(result_fd, False)
    outcomes = [run_probe(probe, request, result_fd) for probe in request["probes"]]
    payload = json.dumps({"outcomes": outcomes}).encode()
    with os.fdopen(result_fd, "wb") as channel:
        channel.write(payload)


def run_probe(probe: dict, request: dict, result_fd: int) -> dict:
    started = time.monotonic()
    out_r, out_w = os.pipe()
    val_r, val_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: student code runs here and only here
        os.close(result_fd)
        os.close(out_r)
        os.close(val_r)
        child(probe, request, out_w, val_w)  # never returns
    os.close(out_w)
    os.close(val_w)
    deadline = started + float(probe["timeout"])
    cap = int(request.get("output_cap", 1 << 20))
    stdout, value_bytes, truncated, timed_out = collect(out_r, val_r, cap, deadline)
    status = reap(pid, timed_out)
    outcome = decode_value(value_bytes, status)
    outcome.update(id=probe["id"], stdout=stdout.decode("utf-8", "replace"),
                   truncated=truncated, seconds=round(time.monotonic() - started, 4))
    return outcome


def collect(out_r: int, val_r: int, cap: int, deadline: float):
    """Read the child's stdout (capped; the rest is drained and dropped) and its value pipe."""
    stdout, value = bytearray(), bytearray()
    truncated = False
    open_fds = {out_r, val_r}
    while open_fds:
        left = deadline - time.monotonic()
        if left <= 0:
            for fd in open_fds:
                os.close(fd)
            return bytes(stdout), bytes(value), truncated, True
        ready, _, _ = select.select(list(open_fds), [], [], left)
        for fd in ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                open_fds.discard(fd)
                os.close(fd)
            elif fd == out_r:
                room = cap - len(stdout)
                truncated = truncated or len(chunk) > room
                stdout += chunk[: max(room, 0)]
            elif len(value) < cap:
                value += chunk
    return bytes(stdout), bytes(value), truncated, False


def reap(pid: int, timed_out: bool) -> str:
    """Wait for the child; kill its whole process group if it overran or lingers."""
    if timed_out:
        kill_group(pid)
    deadline = time.monotonic() + 0.5
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            kill_group(pid)
            _, status = os.waitpid(pid, 0)
            break
        time.sleep(0.002)
    kill_group(pid)  # anything the student left running in its group goes too
    if timed_out:
        return "timeout"
    return "crashed" if os.WIFSIGNALED(status) else "exited"


def kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def decode_value(value_bytes: bytes, status: str) -> dict:
    if status == "timeout":
        return {"status": "timeout", "error": "it did not finish within the time limit"}
    try:
        outcome = json.loads(value_bytes.decode("utf-8"))
        if isinstance(outcome, dict) and "status" in outcome:
            return {k: outcome.get(k) for k in ("status", "value", "error")}
    except ValueError:
        pass
    reason = "the process was killed" if status == "crashed" else "the process exited early"
    return {"status": "crashed", "error": f"{reason} before it could answer (out of memory, "
            "a crash of the interpreter, or an exit() call)"}


def child(probe: dict, request: dict, out_w: int, val_w: int) -> None:
    os.setpgid(0, 0)
    limit_memory(int(request.get("memory_bytes", 1 << 30)))
    os.dup2(out_w, 1)
    os.dup2(out_w, 2)
    os.close(out_w)
    sys.stdout = os.fdopen(1, "w", buffering=1, encoding="utf-8", errors="replace")
    sys.stderr = sys.stdout
    sys.stdin = open(os.devnull)
    answer = answer_probe(probe, request["module_file"])
    try:
        sys.stdout.flush()
    except Exception:
        pass
    os.write(val_w, to_json(answer))
    os._exit(0)


def limit_memory(limit: int) -> None:
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        pass


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
    try:
        exec(code, namespace)
    except BaseException as exc:  # the student's module crashed while loading
        return {"status": "load_error", "error": "loading the module failed: " + brief(exc)}
    if probe["name"] not in namespace:
        return {"status": "missing", "error": f"the module defines no `{probe['name']}`"}
    target = namespace[probe["name"]]
    if probe["kind"] == "value":
        return {"status": "ok", "value": plain(target)}
    try:
        target(*probe["args"])
    except BaseException as exc:
        return {"status": "error", "error": brief(exc)}
    return {"status": "ok", "value": None}


def plain(value, depth: int = 0):
    """Copy into exact JSON types; anything else is shown by its repr for the message."""
    if depth > 6:
        raise_bad("nested too deeply")
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return value if value == value and abs(value) != float("inf") else str(value)
    if kind in (list, tuple):
        return [plain(v, depth + 1) for v in value]
    if kind is dict:
        return {str(k): plain(v, depth + 1) for k, v in value.items()}
    try:
        return float(value) if kind.__name__ in ("float64", "float32", "Float") else repr(value)
    except Exception:
        return "<unreadable>"


def raise_bad(why: str) -> None:
    raise ValueError(why)


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
