"""The process boundary: what the grader asks of a submission, and the plain data it gets back.

The grading process never imports student code. It sends a `HarnessRequest` (JSON frames,
`HarnessRequest.to_stream`) to the harness (`grader/sandbox/harness/`), which runs inside the
sandbox, and reads back one `ProbeOutcome` per probe.
Everything read back is validated here: only JSON scalars, lists and string-keyed dicts of
bounded size survive; NaN and infinities are kept as the strings "nan"/"inf" so that no
comparison can be fooled by them.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Literal

ProbeKind = Literal["value", "call", "return"]  # read a name; call: what it prints / returns
# "stopped": a call ended by its budget (Probe.max_iterations...), before its time limit
ProbeStatus = Literal["ok", "missing", "error", "timeout", "stopped", "crashed", "load_error",
                      "bad_value"]
STATUSES = ("ok", "missing", "error", "timeout", "stopped", "crashed", "load_error", "bad_value")

# Visibilities (Gradescope's), from the soonest shown to the student to the never shown
EXPOSURE = ("visible", "after_due_date", "after_published", "hidden")
MAX_DEPTH = 6
MAX_ITEMS = 10_000
MAX_TEXT = 1 << 20
MAX_INT = 1 << 63


@dataclass(frozen=True)
class Probe:
    """Read one name from the student's module, or call it with arguments and capture stdout
    (`call`), and for `return` also what it returns."""

    id: str
    kind: ProbeKind
    name: str
    args: tuple[float, ...] = ()
    timeout: float = 2.0
    # who sees the case's output, and when (a spec's visibility): see HarnessRequest.to_stream
    visibility: str = "visible"
    # A call's budget (0: none), known from the reference trace before the student's code
    # runs (grader.kinds.function.budget): the harness stops the call once it prints more
    # iterations (lines holding every one of `trace_keys`) or lines than this, or a trace key
    # whose value is nan/inf; the outcome is then "stopped", its stdout cut at that line.
    max_iterations: int = 0
    max_lines: int = 0
    trace_keys: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        plain = {"id": self.id, "kind": self.kind, "name": self.name,
                 "args": list(self.args), "timeout": self.timeout}
        if self.max_iterations or self.max_lines:
            plain.update(max_iterations=self.max_iterations, max_lines=self.max_lines,
                         trace_keys=list(self.trace_keys))
        return plain


@dataclass(frozen=True)
class HarnessRequest:
    module_file: str  # file name inside the scratch folder, e.g. "linear_backprop.py"
    probes: tuple[Probe, ...]
    memory_bytes: int = 1 << 30
    output_cap: int = 1 << 20
    processes: int = 64
    file_bytes: int = 16 << 20
    open_files: int = 256
    cpu_seconds: int = 10
    # A notebook's code cells, (name, source), each run on its own; empty: run module_file
    cells: tuple[tuple[str, str], ...] = ()

    def to_stream(self) -> bytes:
        """What the harness reads on stdin, frame by frame: this request without its probes,
        then one frame per process to run, in order: the name reads together, then each call,
        the cases shown soonest first (EXPOSURE). The harness reads a frame only when its turn
        comes, so no process holds the arguments of a probe that runs after it (freed memory
        is not scrubbed, and /tmp is shared: what ran before can be found), and a case's
        output, shown to the student, can only carry what is shown as soon or sooner."""
        header = {k: v for k, v in self.to_dict().items() if k != "probes"}
        calls = sorted((p for p in self.probes if p.kind != "value"), key=exposure_rank)
        groups = [[p for p in self.probes if p.kind == "value"], *([p] for p in calls)]
        frames = [header, *([p.to_dict() for p in group] for group in groups if group)]
        # UTF-8, not \u escapes: a notebook's cells can hold megabytes of text
        return b"".join(frame(json.dumps(f, ensure_ascii=False).encode("utf-8", "replace"))
                        for f in frames)

    def to_dict(self) -> dict[str, Any]:
        return {"module_file": self.module_file, "probes": [p.to_dict() for p in self.probes],
                "cells": [list(cell) for cell in self.cells],
                "memory_bytes": self.memory_bytes, "output_cap": self.output_cap,
                "processes": self.processes, "file_bytes": self.file_bytes,
                "open_files": self.open_files, "cpu_seconds": self.cpu_seconds}


def exposure_rank(probe: Probe) -> int:
    """Visible cases first, never-shown ones last; an unknown visibility counts as hidden."""
    return EXPOSURE.index(probe.visibility) if probe.visibility in EXPOSURE else len(EXPOSURE)


def frame(payload: bytes) -> bytes:
    """Its length in 10 ASCII digits, then the payload (harness.read_frame reads it back)."""
    return b"%010d" % len(payload) + payload


@dataclass(frozen=True)
class ProbeOutcome:
    """What one probe produced. `value` is sanitised JSON; `stdout` is text, capped."""

    id: str
    status: str
    value: Any = None
    stdout: str = ""
    error: str = ""
    truncated: bool = False
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "value": self.value,
                "stdout": self.stdout, "error": self.error, "truncated": self.truncated,
                "seconds": self.seconds}

    @classmethod
    def from_untrusted(cls, data: Any, probe_id: str) -> ProbeOutcome:
        """Build from data that came out of the sandbox; anything odd becomes `bad_value`."""
        if not isinstance(data, dict):
            return cls(probe_id, "crashed", error="the harness sent no result for this probe")
        status = data.get("status")
        if status not in STATUSES:
            return cls(probe_id, "crashed", error="the harness sent an unknown status")
        try:
            value = sanitise(data.get("value"))
        except ValueError as exc:
            return cls(probe_id, "bad_value", error=str(exc))
        return cls(
            id=probe_id,
            status=status,
            value=value,
            stdout=_text(data.get("stdout")),
            error=_text(data.get("error"))[:2000],
            truncated=bool(data.get("truncated") is True),
            seconds=_number(data.get("seconds")),
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProbeOutcome:
        return cls(id=data["id"], status=data["status"], value=data.get("value"),
                   stdout=data.get("stdout", ""), error=data.get("error", ""),
                   truncated=data.get("truncated", False), seconds=data.get("seconds", 0.0))


# Terminal control characters from student text would act on the grader's terminal (clear it,
# rewrite a line into a fake score): they cross the boundary as visible escapes instead.
_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7f, 0xa0)) if chr(c) not in "\n\t"}


def _text(value: Any) -> str:
    if type(value) is not str:
        return ""
    return value[:MAX_TEXT].replace("\r\n", "\n").translate(_CONTROLS)


def _number(value: Any) -> float:
    return float(value) if type(value) in (int, float) and math.isfinite(value) else 0.0


def sanitise(value: Any, depth: int = 0, budget: list[int] | None = None) -> Any:
    """Copy `value` keeping only exact JSON types; raise ValueError on anything else.

    Exact type checks (`type(x) is float`), never isinstance: a float subclass with a
    forged `__eq__` must not survive the boundary.
    """
    budget = budget if budget is not None else [MAX_ITEMS]
    budget[0] -= 1
    if budget[0] < 0:
        raise ValueError("the value is too large")
    if depth > MAX_DEPTH:
        raise ValueError("the value is nested too deeply")
    kind = type(value)
    if value is None or kind is bool:
        return value
    if kind is int:
        if abs(value) > MAX_INT:
            raise ValueError("a number in the value is absurdly large")
        return value
    if kind is float:
        return value if math.isfinite(value) else str(value)
    if kind is str:
        if len(value) > MAX_TEXT:
            raise ValueError("a string in the value is too long")
        return value.translate(_CONTROLS)
    if kind is list:
        return [sanitise(v, depth + 1, budget) for v in value]
    if kind is dict:
        if not all(type(k) is str for k in value):
            raise ValueError("a dict in the value has keys that are not strings")
        return {k.translate(_CONTROLS): sanitise(v, depth + 1, budget) for k, v in value.items()}
    raise ValueError(f"the value holds a {kind.__name__}, which is not plain data")

