"""Name a student's mistake: run the spec's known wrong variants from the same start.

Variants are instructor code (the assignment's variants module), trusted and bounded, so
they run here in the grading process; each (variant, case) trace is computed once per
process and cached. They are only run when a trace has already departed from the reference.

Traces are compared on what the student printed: the keys (and finals) both the student's
trace and the variant's show, so the chapter's `double_variable`, which prints no factors, is
still recognised. A variant is named only when the student's trace departs from the reference
on what it shows (a trace that only leaves things out explains no mistake) and reproduces the
variant's there: the same numbers, the same number of iterations, and no key printed on an
iteration where the variant has none (a correct loop that omits its last line is not one that
stops early). A run that was cut short (time limit, crash) or that never settles is matched by
its first iterations: a diverging student loop and its bounded variant agree there, and
nowhere else can.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.errors import SpecError
from grader.kinds.function import kept
from grader.kinds.function.trace import Format, Trace, first_departure, parse_trace, shared
from grader.spec import reference
from grader.spec.captured import captured_stdout
from grader.spec.snapshot import fields

if TYPE_CHECKING:  # the check path imports no pydantic (grader.spec.snapshot)
    from grader.kinds.function.model import FunctionExercise, Variant
    from grader.spec.models import Case


PREFIX_LIMIT = 30  # iterations compared for a cut run; later ones of a divergence are noise
LONG_RUN = 20  # a run this long has not converged (a correct solver needs a handful)
RELATIVE = 1e-9  # extra slack for the huge numbers of a divergence: rounding, not method
MAX_OUTPUT = 1 << 20  # a variant printing more than this is a broken spec, not a diagnosis
REFERENCE, VARIANTS = "reference", "variants"  # the groups traces are kept in (kept.py)


@dataclass(frozen=True)
class Diagnosis:
    """The recognised mistake; `iterations` > 0 when judged from the first iterations only."""

    name: str
    hint: str
    iterations: int = 0

    @property
    def text(self) -> str:
        judged = (f" (recognised from the first {self.iterations} iterations)"
                  if self.iterations else "")
        return f"{self.name}{judged}: {self.hint}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Diagnosis:
        return cls(str(data["name"]), str(data["hint"]), int(data.get("iterations", 0)))


@reference.once
def variant_output(path: Path, function: str, args: tuple[float, ...],
                   parameters: tuple[tuple[str, Any], ...]) -> str:
    """What the variant prints for `args`; cached, like the reference's traces."""
    target = getattr(reference.load_module(path), function, None)
    if not callable(target):
        raise SpecError(f"{path}:1: defines no function {function!r} (a variant)")
    try:
        with captured_stdout() as buffer:
            target(*args, **dict(parameters))
    except Exception as exc:  # the instructor's variant is broken: exit 2, not a score
        raise SpecError(f"{path}:1: variant {function}{dict(parameters)} fails: "
                        f"{type(exc).__name__}: {exc}") from None
    text = buffer.getvalue()
    if len(text) > MAX_OUTPUT:
        raise SpecError(f"{path}:1: variant {function}{dict(parameters)} prints over "
                        f"{MAX_OUTPUT} characters: bound its loop")
    return text


@cache
def parsed(text: str, form: Format, group: str) -> Trace:
    """A reference's or a variant's printed trace, read once per process (every check of
    every submission asks for them again) and kept across processes in `group`
    (grader.kinds.function.kept). Traces are never changed once read."""
    found = kept.lookup(text, form, group)
    if found is None:
        found = parse_trace(text, form)
        kept.remember(text, form, group, found)
    return found


_FORMATS: dict[int, tuple[FunctionExercise, Format]] = {}  # by id, the exercise held alive


def trace_format(exercise: FunctionExercise) -> Format:
    """The spec's trace format as the (standard-library) reader's own, made once per exercise
    (each check of each submission asks; a spec model is frozen but not hashable)."""
    held = _FORMATS.get(id(exercise))
    if held is None or held[0] is not exercise:
        if len(_FORMATS) >= 256:  # specs reloaded again and again (a server's regrades)
            _FORMATS.clear()
        held = _FORMATS[id(exercise)] = (exercise, Format.from_dict(fields(exercise.trace)))
    return held[1]


def variant_trace(path: Path, exercise: FunctionExercise, variant: Variant, case: Case
                  ) -> Trace:
    text = variant_output(path, variant.function, tuple(case.args.values()),
                          tuple(sorted(variant.parameters.items())))
    return parsed(text, trace_format(exercise), VARIANTS)


def warm(path: Path | None, exercise: FunctionExercise) -> Iterator[None]:
    """Compute every (variant, case) trace a diagnosis may need, one per step. A broken
    variant ends the warm-up quietly: it is reported where a diagnosis needs it, as before."""
    if path is None:
        return
    for case in exercise.cases:
        for variant in exercise.variants:
            try:
                variant_trace(path, exercise, variant, case)
            except SpecError:
                return
            yield
    kept.save(trace_format(exercise), VARIANTS)


def diagnose(path: Path | None, exercise: FunctionExercise, case: Case, student: Trace,
             expected: Trace, *, cut: bool) -> Diagnosis | None:
    """The first of the spec's variants the student's trace reproduces, or None."""
    if path is None or not exercise.variants or not student.iterations:
        return None
    tolerance = exercise.tolerance
    if not cut and first_departure(*shared(student, expected), tolerance) is None:
        return None  # what it printed agrees with the reference: it only leaves things out
    traces = [(v, variant_trace(path, exercise, v, case)) for v in exercise.variants]
    kept.save(trace_format(exercise), VARIANTS)  # the next process's check reads none again
    for variant, trace in traces:
        if not cut and agrees(student, trace, tolerance):
            return Diagnosis(variant.name, variant.hint)
    for variant, trace in traces:
        count = _prefix_match(student, trace, expected, tolerance, cut=cut)
        if count:
            return Diagnosis(variant.name, variant.hint, count)
    return None


def agrees(student: Trace, variant: Trace, tolerance: float, relative: float = 0.0) -> bool:
    """The same numbers on what both print, and no key on an iteration where the other has
    none: compared both ways, so neither trace holds anything that contradicts the other."""
    mine, theirs = shared(student, variant)
    return (first_departure(mine, theirs, tolerance, relative) is None
            and first_departure(theirs, mine, tolerance, relative) is None)


def _prefix_match(student: Trace, variant: Trace, expected: Trace, tolerance: float, *,
                  cut: bool) -> int:
    """How many first iterations the student shares with the variant (0: no match).

    Only for runs that did not settle, and only where the variant already differs from
    the reference: a correct start followed by a hang must not be blamed on a variant."""
    mine, theirs = len(student.iterations), len(variant.iterations)
    finite = _finite_count(variant)
    unsettled = theirs >= LONG_RUN or finite < theirs  # ran to its bound, or overflowed
    if not cut and not (unsettled and mine >= LONG_RUN):
        return 0
    # A cut trace lost its last iteration (see parse_cut_trace): the student got further.
    if not unsettled and (theirs <= mine if cut else theirs < mine):
        return 0  # the variant settles where the student did not
    count = min(mine, finite, PREFIX_LIMIT)
    if count < 2:
        return 0
    if first_departure(*shared(variant.head(count), expected.head(count)), tolerance) is None:
        return 0
    if not agrees(student.head(count), variant.head(count), tolerance, RELATIVE):
        return 0
    return count


def _finite_count(trace: Trace) -> int:
    """Leading iterations with finite numbers only: past an overflow nothing can match."""
    for index, values in enumerate(trace.iterations):
        if not all(math.isfinite(v) for v in values.values()):
            return index
    return len(trace.iterations)
