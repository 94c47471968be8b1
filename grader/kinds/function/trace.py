"""Printed traces: read `key=value` lines into iterations, and compare two traces.

Lines are read by name: order of keys, spacing and float notation are free. A line with
every one of the format's `iteration_keys` opens an iteration; later lines add their values
to it; `final b=...` lines (the format's `final_prefix`) hold the result. Anything else is
ignored and reported.

Stdlib only: shipped verbatim to students as their public checks' trace reader, so the
checks they run and the grader read a trace by the same rules.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf)"
_PAIR = re.compile(rf"([A-Za-z_]\w*)\s*[=:]\s*({_NUMBER})(?![\w.])", re.IGNORECASE)
_PREFIX = re.compile(r"^\s*([A-Za-z_]\w*)\s+[A-Za-z_]\w*\s*[=:]")


@dataclass(frozen=True)
class Part:
    """Some of a trace's keys, worth a share of a case's points."""

    name: str
    keys: tuple[str, ...]
    share: float


@dataclass(frozen=True)
class Format:
    """How a trace is printed: what starts an iteration, the finals' prefix, quiet lines."""

    iteration_keys: tuple[str, ...]
    final_prefix: str = "final"
    quiet_lines: tuple[str, ...] = (r"^done!$", r"-----$")
    parts: tuple[Part, ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Format:
        parts = tuple(Part(p["name"], tuple(p["keys"]), float(p["share"]))
                      for p in data.get("parts") or ())
        return cls(tuple(data["iteration_keys"]), data.get("final_prefix", "final"),
                   tuple(data.get("quiet_lines", cls.quiet_lines)), parts)

    def to_dict(self) -> dict[str, Any]:
        return {"iteration_keys": list(self.iteration_keys), "final_prefix": self.final_prefix,
                "quiet_lines": list(self.quiet_lines),
                "parts": [{"name": p.name, "keys": list(p.keys), "share": p.share}
                          for p in self.parts]}


@dataclass(frozen=True)
class Trace:
    """A trace as plain data: iterations (key -> value), finals, and lines not understood."""

    iterations: tuple[dict[str, float], ...]
    finals: dict[str, float]
    ignored: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        # NaN and infinities as strings: strict JSON readers (browsers, Gradescope) reject them
        return {"iterations": [_json_numbers(i) for i in self.iterations],
                "finals": _json_numbers(self.finals), "ignored": list(self.ignored)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Trace:
        return cls(tuple(_floats(i) for i in data["iterations"]), _floats(data["finals"]),
                   tuple(data.get("ignored", ())))

    def head(self, count: int) -> Trace:
        """The first `count` iterations only, without the finals (a run cut short has none)."""
        return Trace(self.iterations[:count], {}, self.ignored)


def _json_numbers(values: dict[str, float]) -> dict[str, float | str]:
    return {k: v if math.isfinite(v) else str(v) for k, v in values.items()}


def _floats(values: dict[str, Any]) -> dict[str, float]:
    return {str(k): float(v) for k, v in values.items()}


@dataclass(frozen=True)
class Departure:
    """Where a trace first leaves the reference; `None` fields where not applicable."""

    message: str
    iteration: int | None = None  # 1-based
    key: str | None = None


def parse_trace(text: str, fmt: Format, max_ignored: int = 20) -> Trace:
    iterations: list[dict[str, float]] = []
    finals: dict[str, float] = {}
    ignored: list[str] = []
    starts = set(fmt.iteration_keys)
    for raw in text.splitlines():
        line = raw.strip()
        pairs = {key: _to_float(value) for key, value in _PAIR.findall(line)}
        prefix = _PREFIX.match(line)
        if pairs and prefix and prefix.group(1).lower() == fmt.final_prefix.lower():
            finals.update(pairs)
        elif pairs and (starts <= pairs.keys() or not iterations):
            iterations.append(dict(pairs))
        elif pairs:
            iterations[-1].update(pairs)
        elif (line and len(ignored) < max_ignored
              and not any(re.search(pattern, line) for pattern in fmt.quiet_lines)):
            ignored.append(line[:200])
    return Trace(tuple(iterations), finals, tuple(ignored))


def _to_float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.nan


def parse_cut_trace(text: str, fmt: Format) -> Trace:
    """The trace of a run that was cut short (killed, crashed): its last line may be half
    written, so it is dropped, and so is the last iteration, which may lack its step line."""
    whole = text[: text.rfind("\n") + 1]
    trace = parse_trace(whole, fmt)
    return Trace(trace.iterations[:-1], trace.finals, trace.ignored)


def first_departure(student: Trace, reference: Trace, tolerance: float,
                    relative: float = 0.0) -> Departure | None:
    """The first place the student's trace differs from the reference, or None.

    `relative` widens the tolerance for large numbers (diagnosis of diverging runs only)."""
    for index, expected in enumerate(reference.iterations):
        if index >= len(student.iterations):
            return Departure(f"the trace stops after {len(student.iterations)} iteration(s); "
                             f"the reference runs {len(reference.iterations)}", index + 1)
        got = student.iterations[index]
        stopped = index == len(student.iterations) - 1 < len(reference.iterations) - 1
        for key, value in expected.items():
            if key not in got and stopped and key not in reference.iterations[-1]:
                return Departure(f"the trace stops after {index + 1} iteration(s); the "
                                 f"reference runs {len(reference.iterations)}: check the stop "
                                 f"test", index + 1, key)
            if key not in got:
                return Departure(f"iteration {index + 1} has no `{key}`", index + 1, key)
            if not close(got[key], value, tolerance + relative * abs(value)):
                return Departure(f"iteration {index + 1}: {key} is {got[key]:.6f}, the "
                                 f"reference has {value:.6f}", index + 1, key)
    if len(student.iterations) > len(reference.iterations):
        return Departure(f"the trace runs {len(student.iterations)} iterations; the reference "
                         f"stops after {len(reference.iterations)}",
                         len(reference.iterations) + 1)
    for key, value in reference.finals.items():
        if key not in student.finals:
            return Departure(f"no `{reference_final_label(key)}` line at the end", key=key)
        if not close(student.finals[key], value, tolerance):
            return Departure(f"final {key} is {student.finals[key]:.6f}, the reference has "
                             f"{value:.6f}", key=key)
    return None


def reference_final_label(key: str) -> str:
    return f"final {key}=..."


def close(got: float, expected: float, tolerance: float) -> bool:
    """Within tolerance; NaN and infinities never match anything."""
    return math.isfinite(got) and abs(got - expected) <= tolerance


def format_iteration(values: dict[str, float]) -> str:
    return ", ".join(f"{key}={value:.6f}" for key, value in values.items())


@dataclass(frozen=True)
class Judgement:
    """A case's verdict: the share of its points earned, and what to tell the student."""

    fraction: float
    departure: Departure | None
    message: str

    @property
    def full(self) -> bool:
        return self.departure is None


def judge(student: Trace, reference: Trace, fmt: Format, tolerance: float) -> Judgement:
    """The student's trace against the reference: full marks, or where it first departs."""
    departure = first_departure(student, reference, tolerance)
    if departure is None:
        return Judgement(1.0, None, f"the trace matches the reference "
                                    f"({len(reference.iterations)} iterations).")
    return Judgement(0.0, departure, departure.message)
