"""Function answers: the student's printed trace against the reference's, case by case.

The reference trace is computed here, in the grading process, from the instructor's module;
the student's trace is the plain text its sandboxed run printed. They are compared key by
key within the spec's tolerance, iteration by iteration, with the same number of iterations.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grader.kinds.function.budget import stopped_message, with_budget
from grader.kinds.function.diagnosis import Diagnosis, diagnose
from grader.kinds.function.trace import (
    Departure,
    Trace,
    first_departure,
    format_iteration,
    parse_cut_trace,
    parse_trace,
)
from grader.results import CheckResult
from grader.sandbox.probe_failure import explain
from grader.sandbox.protocol import Probe, ProbeOutcome
from grader.spec import reference
from grader.spec.loader import Assignment
from grader.spec.models import Case, FunctionExercise


def probe_id(exercise: FunctionExercise, case: Case) -> str:
    return f"{exercise.id}/{case.name}"


def probes(exercise: FunctionExercise, assignment: Assignment | None = None) -> list[Probe]:
    found = [Probe(probe_id(exercise, case), "call", exercise.name, tuple(case.args.values()),
                   exercise.time_limit, visibility=case.visibility)
             for case in exercise.cases]
    if assignment is None:  # no reference to measure against: no budget, the time limit only
        return found
    return [with_budget(p, assignment, exercise, c) for p, c in zip(found, exercise.cases,
                                                                     strict=True)]


def reference_trace(assignment: Assignment, exercise: FunctionExercise, case: Case) -> Trace:
    text = reference.printed_output(assignment.solution_path, exercise.reference,
                                    tuple(case.args.values()))
    return parse_trace(text, exercise.trace)


CUT_READ = 1 << 16  # of a cut run's output: its first iterations are what tell
MAX_SHOWN = 200  # iterations of a student's trace kept for reports; a runaway prints thousands


def check_case(
    assignment: Assignment, exercise: FunctionExercise, case: Case, outcome: ProbeOutcome
) -> CheckResult:
    call = f"{exercise.name}({', '.join(f'{k}={v:g}' for k, v in case.args.items())})"

    def result(passed: bool, output: str, diagnosis: str = "", **detail: Any) -> CheckResult:
        return CheckResult(f"{exercise.id}: {case.name}", exercise.id,
                           case.points if passed else 0.0, case.points, passed,
                           f"{call}: {output}", case.visibility, diagnosis,
                           {"case": case.name, "args": dict(case.args), **detail})

    if not outcome.ok:
        return _unfinished(assignment, exercise, case, outcome, result)
    expected = reference_trace(assignment, exercise, case)
    student = parse_trace(outcome.stdout, exercise.trace)
    departure = first_departure(student, expected, exercise.tolerance)
    notes = _notes(student, outcome)
    detail = _traces(student, expected, departure, exercise.tolerance)
    if departure is None:
        return result(True, f"the trace matches the reference ({len(expected.iterations)} "
                      f"iterations).{notes}", **detail)
    found = diagnose(assignment.variants_path, exercise, case, student, expected,
                     cut=outcome.truncated)
    output = departure.message + _side_by_side(departure, student, expected) + notes
    return result(False, output + _likely(found), found.text if found else "",
                  **detail, **_found(found))


def _unfinished(assignment: Assignment, exercise: FunctionExercise, case: Case,
                outcome: ProbeOutcome, result: Callable[..., CheckResult]) -> CheckResult:
    """No complete trace (time limit, crash): what it printed until then still tells why."""
    message = explain(outcome, exercise.name)
    student = parse_cut_trace(outcome.stdout[:CUT_READ], exercise.trace)
    if not student.iterations:
        return result(False, message, stdout=outcome.stdout[:4000])
    expected = reference_trace(assignment, exercise, case)
    departure = first_departure(student, expected, exercise.tolerance)
    if outcome.status == "stopped":  # by its budget (kinds.function.budget): and where it parted
        message = stopped_message(exercise, outcome, student, expected)
        if departure is not None and (departure.iteration or 0) <= len(expected.iterations):
            message += f"\n  {departure.message}" + _side_by_side(departure, student, expected)
    found = diagnose(assignment.variants_path, exercise, case, student, expected, cut=True)
    traces = _traces(student, expected, departure, exercise.tolerance)
    return result(False, message + _likely(found), found.text if found else "",
                  stdout=outcome.stdout[:4000], **traces, **_found(found))


def _traces(student: Trace, expected: Trace, departure: Departure | None, tolerance: float
            ) -> dict[str, Any]:
    """Report data: both traces (the student's capped) and where they part."""
    shown = Trace(student.iterations[:MAX_SHOWN], student.finals, student.ignored)
    detail: dict[str, Any] = {"student": shown.to_dict(), "reference": expected.to_dict(),
                              "student_iterations": len(student.iterations),
                              "tolerance": tolerance}
    if departure is not None:
        detail["departure"] = {"iteration": departure.iteration, "key": departure.key,
                               "message": departure.message}
    return detail


def _likely(found: Diagnosis | None) -> str:
    return f"\n  Likely cause: {found.text}" if found else ""


def _found(found: Diagnosis | None) -> dict[str, Any]:
    return {"variant": found.to_dict()} if found else {}


def _notes(student: Trace, outcome: ProbeOutcome) -> str:
    notes = ""
    if not student.iterations:
        notes += " Nothing was printed in the form `w=...,b=...,z=...,delta_z=...`."
    if student.ignored:
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
