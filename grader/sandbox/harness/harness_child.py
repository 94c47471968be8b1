# ruff: noqa: SIM105 -- contextlib costs ~4 ms of every sandbox start; try/except is free
"""A probe child: the only process where student code runs. It executes the compiled
submission, answers its probes, and writes them as one JSON line on its value pipe."""

import _signal as signal  # not `signal`, which imports enum (harness.py)
import builtins
import math
import os
import resource
import sys

from harness_json import dumps
from harness_os import (
    PID_NAMESPACE,
    PR_SET_PDEATHSIG,
    drop_output,
    prctl,
    restore_output,
    send,
    set_limit,
)

# the harness's folder, as its code names it: frames from there are not the student's
HERE = os.path.dirname(sys._getframe().f_code.co_filename)


def child(group: list, program: list, request: dict, out_w: int, val_w: int) -> None:
    module_file = request["module_file"]
    memory = int(request.get("memory_bytes") or 1 << 30)
    timeout = max(float(p["timeout"]) for p in group)
    cpu = min(int(request.get("cpu_seconds", 10)), math.ceil(timeout) + 1)
    cap = int(request.get("output_cap", 1 << 20))
    # what this child asks, and nothing of the harness's bookkeeping past this point
    jobs = tuple((p["id"], p["kind"], p["name"], tuple(p.get("args", ()))) for p in group)
    group.clear()
    request.clear()
    try:
        os.nice(10)  # the harness must win the CPU against a fork bomb, to end it on time
    except OSError:
        pass
    if not PID_NAMESPACE:  # under bwrap, our end ends the namespace and all in it
        prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL))
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
    answers = answer_group(jobs, program, module_file)
    try:
        sys.stdout.flush()
    except BaseException:
        pass
    send(val_w, b"\n" + to_json(answers, cap) + b"\n")
    os._exit(0)


def to_json(answers: dict, cap: int) -> bytes:
    """One line: each answer as JSON, or why it cannot cross (not plain data, too large)."""
    parts = []
    for key, answer in answers.items():
        try:
            text = dumps(answer)
        except (TypeError, ValueError, RecursionError):
            text = dumps({"status": "bad_value", "error": "the value is not plain data "
                          "(numbers, strings, lists, dicts)"})
        if len(text.encode("utf-8", "replace")) > cap:
            text = dumps({"status": "bad_value", "error": f"the value is too large to read "
                          f"(over {cap >> 10} KiB as JSON)"})
        parts.append(dumps(key) + ": " + text)
    return ("{" + ", ".join(parts) + "}").encode("utf-8", "replace")


def answer_group(jobs: tuple, program: list, module_file: str) -> dict:
    namespace = {"__name__": "submission", "__file__": module_file}
    saved = dict(builtins.__dict__)
    failure = load(program, namespace, saved)
    if failure is not None:
        return {job[0]: failure for job in jobs}
    return {job[0]: answer_probe(job, namespace, saved) for job in jobs}


def load(program: list, namespace: dict, saved: dict) -> dict | None:
    """Run the submission's code (what it prints meanwhile is dropped: the trace is what the
    probed call prints, not a student testing their solver at the bottom of the file)."""
    output = drop_output()
    try:
        for code, as_kernel in program:
            try:
                exec(code, namespace)
            except (Exception, SystemExit):
                if not as_kernel:  # a notebook's next cell still runs after an error
                    raise
    except BaseException as exc:  # the student's module crashed while loading
        return {"status": "load_error", "error": "loading the module failed: " + brief(exc)}
    finally:
        restore_output(output)
        restore_builtins(saved)
    return None


def answer_probe(job: tuple, namespace: dict, saved: dict) -> dict:
    _, kind, name, args = job
    if name not in namespace:
        return {"status": "missing", "error": f"the module defines no `{name}`"}
    target = namespace[name]
    if kind == "value":
        try:
            return {"status": "ok", "value": plain(target)}
        except BaseException as exc:  # e.g. a key whose __str__ raises
            return {"status": "bad_value", "error": "the value cannot be read: " + brief(exc)}
        finally:
            restore_builtins(saved)
    try:
        result = target(*args)
        value = returned(result) if kind == "return" else None
    except BaseException as exc:
        return {"status": "error", "error": brief(exc)}
    finally:
        restore_builtins(saved)
    return {"status": "ok", "value": value}


def returned(result) -> dict:
    """What a call returned, as plain data with its type (a numpy array by its parts)."""
    kind = type(result)
    if kind.__name__ == "ndarray" and kind.__module__ == "numpy":
        return {"kind": "ndarray", "shape": [int(n) for n in result.shape],
                "dtype": str(result.dtype.kind), "value": plain(result.tolist())}
    return {"kind": kind.__name__, "value": plain(result)}


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
        line, tb = None, exc.__traceback__
        while tb is not None:
            if os.path.dirname(tb.tb_frame.f_code.co_filename) != HERE:  # not ours
                line = tb.tb_lineno
            tb = tb.tb_next
        where = f" (line {line})" if line is not None else ""
        return f"{type(exc).__name__}: {exc}"[:500] + where
    except BaseException:
        return "an exception that could not be described"
