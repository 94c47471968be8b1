"""Function answers: the student's printed trace against the reference's, case by case.

The reference trace is computed here, in the grading process, from the instructor's module;
the student's trace is the plain text its sandboxed run printed. They are judged by
`trace.judge` (the public checks' own reader): key by key within the spec's tolerance,
iteration by iteration, with the same number of iterations; a case's points are split over
the spec's `trace.parts`, and the score is the shares of the parts that match.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.errors import SpecError
from grader.kinds.cases import probe_id
from grader.kinds.function import kept
from grader.kinds.function.budget import stopped_message, with_budget
from grader.kinds.function.diagnosis import (
    REFERENCE,
    Diagnosis,
    diagnose,
    parsed,
    trace_format,
)
from grader.kinds.function.trace import (
    Departure,
    Judgement,
    Trace,
    first_departure,
    format_iteration,
    judge,
    parse_cut_trace,
    parse_trace,
)
from grader.results import CheckResult
from grader.sandbox.probe_failure import explain
from grader.sandbox.protocol import Probe, ProbeOutcome
from grader.spec import reference

if TYPE_CHECKING:  # the check path imports no pydantic (grader.spec.snapshot)
    from grader.kinds.function.model import FunctionExercise
    from grader.spec.loader import Assignment
    from grader.spec.models import Case



def probes(exercise: FunctionExercise, assignment: Assignment | None = None) -> list[Probe]:
    found = [Probe(probe_id(exercise, case), "call", exercise.name, tuple(case.args.values()),
                   exercise.time_limit, visibility=case.visibility)
             for case in exercise.cases]
    if assignment is None:  # no reference to measure against: no budget, the time limit only
        return found
    budgeted = [with_budget(p, assignment, exercise, c) for p, c in zip(found, exercise.cases,
                                                                         strict=True)]
    kept.save(trace_format(exercise), REFERENCE)  # before the sandbox: the check waits anyway
    return budgeted


def reference_trace(assignment: Assignment, exercise: FunctionExercise, case: Case) -> Trace:
    trace = _printed_trace(assignment, exercise, case)
    if any(_unprinted(key, exercise, trace) for part in exercise.trace.parts for key in part.keys):
        _check_parts(assignment, exercise)
    return trace


def _printed_trace(assignment: Assignment, exercise: FunctionExercise, case: Case) -> Trace:
    text = reference.printed_output(assignment.solution_path, exercise.reference,
                                    tuple(case.args.values()))
    return parsed(text, trace_format(exercise), REFERENCE)


def _unprinted(key: str, exercise: FunctionExercise, trace: Trace) -> bool:
    final = trace_format(exercise).final_key(key)
    return final not in trace.finals if final else key not in trace.printed_keys()


def _check_parts(assignment: Assignment, exercise: FunctionExercise) -> None:
    """A part's key must be printed by the reference (in some case; a case that starts on
    target prints no step line), or that part could never be earned: a spec error."""
    traces = [_printed_trace(assignment, exercise, case) for case in exercise.cases]
    for part in exercise.trace.parts:
        for key in part.keys:
            if all(_unprinted(key, exercise, trace) for trace in traces):
                path = assignment.folder / f"{exercise.id}.yaml"
                raise SpecError(f"{path}:{_line_of(path, 'parts:')}: trace.parts: {key!r} (part "
                                f"{part.name!r}) is never printed by the reference "
                                f"{exercise.reference}")


def _line_of(path: Path, text: str) -> int:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 1
    return next((number for number, line in enumerate(lines, 1) if text in line), 1)


CUT_READ = 1 << 16  # of a cut run's output: its first iterations are what tell
MAX_SHOWN = 200  # iterations of a student's trace kept for reports; a runaway prints thousands
MAX_OTHER = 8  # keys the reference does not print, kept for reports (`Δz`, `x`, ...)


def check_case(
    assignment: Assignment, exercise: FunctionExercise, case: Case, outcome: ProbeOutcome
) -> CheckResult:
    call = f"{exercise.name}({', '.join(f'{k}={v:g}' for k, v in case.args.items())})"

    def result(earned: float, output: str, diagnosis: str = "", **detail: Any
               ) -> CheckResult:
        full = earned == 1.0  # judge() gives exactly 1.0 for a full match, and only then
        return CheckResult(f"{exercise.id}: {case.name}", exercise.id,
                           case.points * earned, case.points, full,
                           f"{call}: {output}", case.visibility, diagnosis,
                           {"case": case.name, "args": dict(case.args), **detail})

    if not outcome.ok:
        return _unfinished(assignment, exercise, case, outcome, result)
    expected = reference_trace(assignment, exercise, case)
    student = parse_trace(outcome.stdout, trace_format(exercise))
    verdict = judge(student, expected, trace_format(exercise), exercise.tolerance)
    notes = _notes(student, outcome)
    detail = {**_traces(student, expected, verdict.departure, exercise.tolerance),
              **_credit(verdict)}
    if verdict.full:
        return result(1.0, verdict.message + notes, **detail)
    found = diagnose(assignment.variants_path, exercise, case, student, expected,
                     cut=outcome.truncated)
    departure = verdict.departure or Departure(verdict.message)
    output = verdict.message + _side_by_side(departure, student, expected) + notes
    return result(verdict.fraction, output + _likely(found), found.text if found else "",
                  **detail, **_found(found))


def _credit(verdict: Judgement) -> dict[str, Any]:
    """What earned what, for reports: the parts and the fraction of the case's points."""
    return {"fraction": verdict.fraction,
            "parts": [{"name": p.name, "share": p.share, "credited": p.credited, "why": p.why}
                      for p in verdict.parts]}


def _unfinished(assignment: Assignment, exercise: FunctionExercise, case: Case,
                outcome: ProbeOutcome, result: Callable[..., CheckResult]) -> CheckResult:
    """No complete trace (time limit, crash): what it printed until then still tells why."""
    message = explain(outcome, exercise.name)
    student = parse_cut_trace(outcome.stdout[:CUT_READ], trace_format(exercise))
    if not student.iterations:
        return result(0.0, message, stdout=outcome.stdout[:4000])
    expected = reference_trace(assignment, exercise, case)
    departure = first_departure(student, expected, exercise.tolerance)
    if outcome.status == "stopped":  # by its budget (kinds.function.budget): and where it parted
        message = stopped_message(exercise, outcome, student, expected)
        if departure is not None and (departure.iteration or 0) <= len(expected.iterations):
            message += f"\n  {departure.message}" + _side_by_side(departure, student, expected)
    found = diagnose(assignment.variants_path, exercise, case, student, expected, cut=True)
    traces = _traces(student, expected, departure, exercise.tolerance)
    return result(0.0, message + _likely(found), found.text if found else "",
                  stdout=outcome.stdout[:4000], **traces, **_found(found))


def _traces(student: Trace, expected: Trace, departure: Departure | None, tolerance: float
            ) -> dict[str, Any]:
    """Report data: both traces (the student's capped) and where they part."""
    shown = _shown(student, expected)
    detail: dict[str, Any] = {"student": shown.to_dict(), "reference": expected.to_dict(),
                              "student_iterations": len(student.iterations),
                              "tolerance": tolerance}
    if departure is not None:
        detail["departure"] = {"iteration": departure.iteration, "key": departure.key,
                               "message": departure.message}
    return detail


def _shown(student: Trace, expected: Trace) -> Trace:
    """The student's trace as reports show it: the first MAX_SHOWN iterations, the keys the
    reference prints and at most MAX_OTHER others (a hostile trace holds thousands)."""
    head = student.iterations[:MAX_SHOWN]
    others = [k for k in dict.fromkeys(k for it in head for k in it)
              if k not in expected.printed_keys()][:MAX_OTHER]
    keys = expected.printed_keys() | set(others)
    return Trace(head, student.finals, student.ignored,
                 student.more or len(student.iterations) > MAX_SHOWN).only(
                     keys, set(student.finals))


def _likely(found: Diagnosis | None) -> str:
    return f"\n  Likely cause: {found.text}" if found else ""


def _found(found: Diagnosis | None) -> dict[str, Any]:
    return {"variant": found.to_dict()} if found else {}


def _notes(student: Trace, outcome: ProbeOutcome) -> str:
    notes = ""
    if student.ignored and student.iterations:
        notes += (f" {len(student.ignored)} line(s) were not trace lines and were ignored, "
                  f"e.g. {student.ignored[0]!r}.")
    if outcome.truncated:
        notes += " The output was cut: it was longer than the grader reads."
    return notes


def _side_by_side(departure: Departure, student: Trace, expected: Trace) -> str:
    index = (departure.iteration or 0) - 1
    if index < 0:
        return ""
    yours = format_iteration(student.iterations[index]) if index < len(student.iterations) \
        else "(no such iteration)"
    theirs = format_iteration(expected.iterations[index]) if index < len(expected.iterations) \
        else "(the reference had stopped)"
    return f"\n  yours:     {yours}\n  reference: {theirs}"
