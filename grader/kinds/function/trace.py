"""Printed traces: read them as people print them, compare them, and judge them in parts.

Standard library only, no grader imports: this file is shipped verbatim to students as the
public checks' trace reader, so a public check and the grader judge a trace the same way.

Reading. A line is scanned once into tokens; a key is a whole name (`Δz=` is not `z`,
`2w+3b=17` holds no `b`) followed by `=`, `:` or whitespace and a number (any float
notation, `nan`, `inf`). An iteration starts at each line holding the state key that begins
it (the first of the format's `iteration_keys` that the trace prints at all, normally `w`);
later lines add their keys to it, the first value of a key winning. Lines whose first key is
preceded by the word `final` hold the result (`final b=1`, `final b: 1`, `final b=1,
final w=2`; `final b is 1` is prose, not read). Everything else, and every key=value line
before the first iteration, is ignored and reported. Work is linear and bounded: lines
longer than MAX_LINE are not read; at most MAX_KEYS ungraded keys per line and per iteration
(graded keys always) and MAX_ITERATIONS iterations are kept.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from typing import Any

MAX_LINE = 4096  # characters: a trace line is under 300; a longer one is not read
MAX_KEYS = 32  # keys kept per line and per iteration
MAX_ITERATIONS = 1000  # iterations kept; a runaway loop prints millions
MAX_RECORDS = 8 * MAX_ITERATIONS  # key=value lines kept before grouping them
MAX_IGNORED = 20  # ignored lines kept for the feedback
SHOWN = 200  # characters of an ignored line kept

# One pass, no backtracking across tokens: every alternative consumes what it matches.
_TOKEN = re.compile(
    r"(?P<num>[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|(?:nan|inf(?:inity)?))(?!\w|\.\d))"
    r"|(?P<wrap>(?:np|numpy)\.float\d*\()"  # numpy 2 reprs: np.float64(3.0)
    r"|(?P<word>\w+)|(?P<sep>[=:])|(?P<space>\s+)|(?P<other>.)",
    re.IGNORECASE)

_BOUNDARIES = ",;([{|'\"<>"  # may stand right before a key: `(w=1)`, `'w': 1`, `<b>w=1`


@dataclass
class Work:
    """Work done by the reader, counted (for tests that prove it bounded without a clock)."""

    lines: int = 0
    chars: int = 0  # characters handed to regular expressions
    tokens: int = 0


@dataclass(frozen=True)
class Part:
    """A share of a case's points, earned when these keys match at every iteration.

    A key `final b` (the format's final prefix, a space, a name) is the final value of b."""

    name: str
    keys: tuple[str, ...]
    share: float


@dataclass(frozen=True)
class Format:
    iteration_keys: tuple[str, ...]
    final_prefix: str = "final"
    quiet_lines: tuple[str, ...] = (r"^done!$", r"-----$")  # neither read nor reported
    parts: tuple[Part, ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Format:
        return cls(tuple(data["iteration_keys"]), str(data.get("final_prefix", "final")),
                   tuple(data.get("quiet_lines", cls.quiet_lines)),
                   tuple(Part(str(p["name"]), tuple(p["keys"]), float(p["share"]))
                         for p in data.get("parts", ())))

    def to_dict(self) -> dict[str, Any]:
        return {"iteration_keys": list(self.iteration_keys), "final_prefix": self.final_prefix,
                "quiet_lines": list(self.quiet_lines),
                "parts": [{"name": p.name, "keys": list(p.keys), "share": p.share}
                          for p in self.parts]}

    def known_keys(self) -> frozenset[str]:
        """The keys the format grades: always kept, however many other keys a line holds."""
        return frozenset(self.iteration_keys) | {
            self.final_key(key) or key for part in self.parts for key in part.keys}

    def final_key(self, key: str) -> str | None:
        """`b` for a part key `final b`, else None."""
        words = key.split()
        return words[1] if len(words) == 2 and words[0] == self.final_prefix else None


@dataclass(frozen=True)
class Trace:
    """A trace as plain data: iterations (key -> value), finals, and lines not understood.

    `more` is set when the trace went on past MAX_ITERATIONS (those were not kept)."""

    iterations: tuple[dict[str, float], ...]
    finals: dict[str, float]
    ignored: tuple[str, ...] = ()
    more: bool = False

    def to_dict(self) -> dict[str, Any]:
        # NaN and infinities as strings: strict JSON readers (browsers, Gradescope) reject them
        return {"iterations": [_json_numbers(i) for i in self.iterations],
                "finals": _json_numbers(self.finals), "ignored": list(self.ignored),
                "more": self.more}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Trace:
        return cls(tuple(_floats(i) for i in data["iterations"]), _floats(data["finals"]),
                   tuple(data.get("ignored", ())), bool(data.get("more", False)))

    def head(self, count: int) -> Trace:
        """The first `count` iterations only, without the finals (a run cut short has none)."""
        return Trace(self.iterations[:count], {}, self.ignored)

    def only(self, keys: set[str] | frozenset[str], finals: set[str] | frozenset[str]) -> Trace:
        """The same trace showing only these iteration keys and these finals."""
        return Trace(tuple({k: v for k, v in i.items() if k in keys} for i in self.iterations),
                     {k: v for k, v in self.finals.items() if k in finals}, self.ignored,
                     self.more)

    def printed_keys(self) -> set[str]:
        return {key for values in self.iterations for key in values}


def _json_numbers(values: dict[str, float]) -> dict[str, float | str]:
    return {k: v if math.isfinite(v) else str(v) for k, v in values.items()}


def _floats(values: dict[str, Any]) -> dict[str, float]:
    return {str(k): float(v) for k, v in values.items()}


def parse_trace(text: str, fmt: Format, work: Work | None = None) -> Trace:
    """The trace `text` holds."""
    work = work if work is not None else Work()
    quiet = [re.compile(pattern) for pattern in fmt.quiet_lines]
    known = fmt.known_keys()
    records: list[tuple[dict[str, float], str]] = []  # a state/step line's keys, and the line
    finals: dict[str, float] = {}
    ignored: list[str] = []
    starts = 0  # lines holding the first iteration key: each starts an iteration
    for raw in io.StringIO(text, newline=None):  # lazily, \r\n and \r too: it may stop early
        work.lines += 1
        line = raw.strip().lstrip("\ufeff")
        if not line or len(line) > MAX_LINE:
            _ignore(ignored, line)
            continue
        pairs, final = _read_line(line, fmt.final_prefix, known, work)
        if len(records) == MAX_RECORDS or starts > MAX_ITERATIONS:
            break  # a runaway loop: what is kept already shows it runs too long
        starts += fmt.iteration_keys[0] in pairs and not final
        if final:
            for key, value in pairs.items():
                if key in known or _unknown(finals, known) < MAX_KEYS:
                    finals.setdefault(key, value)
        elif pairs:
            records.append((pairs, line))
        else:
            work.chars += len(line) * len(quiet)
            if not any(pattern.search(line) for pattern in quiet):
                _ignore(ignored, line)
    iterations, more = _group(records, fmt.iteration_keys, known, ignored)
    return Trace(tuple(iterations), finals, tuple(ignored), more or len(records) == MAX_RECORDS)


def _ignore(ignored: list[str], line: str) -> None:
    if line and len(ignored) < MAX_IGNORED:
        ignored.append(line[:SHOWN] + ("…" if len(line) > SHOWN else ""))


def _read_line(line: str, final_prefix: str, known: frozenset[str], work: Work
               ) -> tuple[dict[str, float], bool]:
    """The line's key=value pairs (first value wins), and whether it is a `final` line."""
    work.chars += len(line)
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(line)]
    work.tokens += len(tokens)
    pairs: dict[str, float] = {}
    final = seen_final = False
    index = unknown = 0
    while index < len(tokens):
        kind, text = tokens[index]
        before = tokens[index - 1] if index else ("space", "")
        index += 1
        if kind != "word" or text[0].isdigit() or not _opens_name(before):
            continue
        if text.lower() == final_prefix.lower():
            seen_final = True
            continue
        value, index = _value_after(tokens, index)
        if value is None or text in pairs or (text not in known and unknown == MAX_KEYS):
            continue
        final = final or (not pairs and seen_final)
        pairs[text] = value
        unknown += text not in known
    return pairs, final


def _unknown(values: dict[str, float], known: frozenset[str]) -> int:
    return sum(key not in known for key in values)


def _opens_name(token: tuple[str | None, str]) -> bool:
    """Whether a name may start after this token: `∂w`, `2*w`, `x+b` hold no key w or b."""
    kind, text = token
    return kind == "space" or kind == "other" and text in _BOUNDARIES


def _value_after(tokens: list[tuple[str | None, str]], index: int
                 ) -> tuple[float | None, int]:
    """The number after a key (`k=1`, `k: 1`, `k 1`, `'k': 1`, `k= [1.]`; not `k is 1`: prose)
    and where to read on: past the number, or at the token that is not a separator."""
    separated = named = False
    for at in range(index, min(len(tokens), index + 8)):  # a separator is a few tokens
        kind, text = tokens[at]
        if kind == "num":
            return (_to_float(text), at + 1) if separated else (None, at)
        if kind in ("space", "wrap"):
            separated = True
        elif kind == "sep" and not named:
            separated = named = True
        elif not (kind == "other" and text in "'\"[("):
            return None, at
    return None, index


def _to_float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.nan


def _group(records: list[tuple[dict[str, float], str]], starts: tuple[str, ...],
           known: frozenset[str], ignored: list[str]) -> tuple[list[dict[str, float]], bool]:
    """Iterations: each starts at a line holding the start key; lines before the first are
    not trace lines (`start: t=150`), so they are ignored, never an iteration of their own."""
    printed = {key for pairs, _ in records for key in pairs}
    start = next((key for key in starts if key in printed), None)
    iterations: list[dict[str, float]] = []
    for pairs, line in records:
        if start in pairs:
            if len(iterations) == MAX_ITERATIONS:
                return iterations, True
            iterations.append(dict(pairs))
        elif iterations:
            current = iterations[-1]
            for key, value in pairs.items():
                if key in known or _unknown(current, known) < MAX_KEYS:
                    current.setdefault(key, value)
        else:
            _ignore(ignored, line)
    return iterations, False


def parse_cut_trace(text: str, fmt: Format) -> Trace:
    """The trace of a run that was cut short (killed, crashed): its last line may be half
    written, so it is dropped, and so is the last iteration, which may lack its step line."""
    whole = text[: text.rfind("\n") + 1]
    trace = parse_trace(whole, fmt)
    return Trace(trace.iterations[:-1], trace.finals, trace.ignored)


@dataclass(frozen=True)
class Departure:
    """Where a trace first leaves the reference; `None` fields where not applicable."""

    message: str
    iteration: int | None = None  # 1-based
    key: str | None = None


def first_departure(student: Trace, reference: Trace, tolerance: float,
                    relative: float = 0.0) -> Departure | None:
    """The first place the student's trace differs from the reference, or None.

    On an iteration, a wrong number is reported before a missing key. `relative` widens the
    tolerance for large numbers (diagnosis of diverging runs only)."""
    mine, theirs = len(student.iterations), len(reference.iterations)
    for index, expected in enumerate(reference.iterations):
        if index >= mine:
            return Departure(f"the trace stops after {mine} iteration(s); the reference runs "
                             f"{theirs}", index + 1)
        got = student.iterations[index]
        for key, value in expected.items():
            if key in got and not close(got[key], value, tolerance + relative * abs(value)):
                return Departure(f"iteration {index + 1}: {key} is {got[key]:.6f}, the "
                                 f"reference has {value:.6f}", index + 1, key)
        missing = next((key for key in expected if key not in got), None)
        if missing is None:
            continue
        if index == mine - 1 < theirs - 1 and missing not in reference.iterations[-1]:
            return Departure(f"the trace stops after {mine} iteration(s); the reference "
                             f"runs {theirs}: check the stop test", index + 1, missing)
        return Departure(f"iteration {index + 1} has no `{missing}`", index + 1, missing)
    if mine > theirs or student.more:
        runs = f"over {mine}" if student.more else f"{mine}"
        return Departure(f"the trace runs {runs} iterations; the reference stops after "
                         f"{theirs}", theirs + 1)
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


def expected_form(fmt: Format) -> str:
    return ",".join(f"{key}=..." for key in fmt.iteration_keys)


@dataclass(frozen=True)
class PartResult:
    name: str
    share: float
    credited: bool
    why: str = ""  # where the part departs, when not credited


@dataclass(frozen=True)
class Judgement:
    """A trace judged against the reference: `fraction` of the case's points earned."""

    fraction: float
    full: bool
    parts: tuple[PartResult, ...]
    departure: Departure | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"fraction": self.fraction, "full": self.full, "message": self.message,
                "parts": [vars(p) for p in self.parts],
                "departure": vars(self.departure) if self.departure else None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Judgement:
        gone = data.get("departure")
        return cls(float(data["fraction"]), bool(data["full"]),
                   tuple(PartResult(**p) for p in data.get("parts", ())),
                   Departure(**gone) if gone else None, str(data["message"]))


def judge(student: Trace, reference: Trace, fmt: Format, tolerance: float) -> Judgement:
    """Full marks when everything matches; else the shares of the parts that match at every
    iteration, with the same number of iterations. Keys no part names count with the first.

    The departure reported is the first wrong number the student printed, if any; else the
    first thing missing (a trace without factor lines that goes wrong at iteration 3 is told
    about iteration 3, not that iteration 1 has no factor_b)."""
    departure = first_departure(*shared(student, reference), tolerance) \
        or first_departure(student, reference, tolerance)
    if departure is None:
        return Judgement(1.0, True, tuple(PartResult(p.name, p.share, True)
                                          for p in fmt.parts),
                         None, f"the trace matches the reference "
                               f"({len(reference.iterations)} iterations).")
    results = tuple(_judge_part(student, reference, fmt, tolerance, keys, part)
                    for part, keys in _part_keys(reference, fmt))
    fraction = min(1.0, sum(r.share for r in results if r.credited))
    sentences = [departure.message]
    if not student.iterations:
        sentences.append(f"Nothing was read as a trace: expected lines like "
                         f"`{expected_form(fmt)}` (key=value, key: value or key value)")
        sentences.append(f"The output began with {student.ignored[0]!r}" if student.ignored
                         else "Nothing was printed")
    if fmt.parts:
        sentences.append(f"Partial credit, {fraction:.0%} of the points: "
                         + "; ".join(_earned(r) for r in results))
    message = ". ".join(sentences) + "."
    return Judgement(fraction, False, results if fmt.parts else (), departure, message)


def shared(student: Trace, other: Trace) -> tuple[Trace, Trace]:
    """Both traces showing only what both print (iteration keys, and finals)."""
    keys = student.printed_keys() & other.printed_keys()
    finals = set(student.finals) & set(other.finals)
    return student.only(keys, finals), other.only(keys, finals)


def _part_keys(reference: Trace, fmt: Format) -> list[tuple[Part, tuple[set[str], set[str]]]]:
    """Each part's iteration keys and final keys; what no part names goes to the first."""
    parts = fmt.parts or (Part("trace", (), 1.0),)
    named = []
    for part in parts:
        finals = {f for f in map(fmt.final_key, part.keys) if f is not None}
        named.append((part, ({k for k in part.keys if fmt.final_key(k) is None}, finals)))
    used = set().union(*(keys for _, (keys, _f) in named))
    used_finals = set().union(*(finals for _, (_k, finals) in named))
    named[0][1][0].update(reference.printed_keys() - used)
    named[0][1][1].update(set(reference.finals) - used_finals)
    return named


def _judge_part(student: Trace, reference: Trace, fmt: Format, tolerance: float,
                keys: tuple[set[str], set[str]], part: Part) -> PartResult:
    gone = first_departure(student.only(*keys), reference.only(*keys), tolerance)
    return PartResult(part.name, part.share, gone is None, gone.message if gone else "")


def _earned(result: PartResult) -> str:
    share = f"{result.name} ({result.share:.0%})"
    return f"{share} earned" if result.credited else f"{share} not earned, {result.why}"
