"""Function answers: the student's printed trace against the reference's, case by case.

The reference trace is computed here, in the grading process, from the instructor's module;
the student's trace is the plain text its sandboxed run printed. They are compared key by
key within the spec's tolerance, iteration by iteration, with the same number of iterations.
"""

from __future__ import annotations

from typing import Any

from grader import reference
from grader.probe_failure import explain
from grader.protocol import Probe, ProbeOutcome
from grader.results import CheckResult
from grader.spec import Case, FunctionExercise
from grader.spec_loader import Assignment
from grader.trace import Departure, Trace, first_departure, format_iteration, parse_trace


def probe_id(exercise: FunctionExercise, case: Case) -> str:
    return f"{exercise.id}/{case.name}"


def probes(exercise: FunctionExercise) -> list[Probe]:
    return [Probe(probe_id(exercise, case), "call", exercise.name,
                  tuple(case.args.values()), exercise.time_limit) for case in exercise.cases]


def reference_trace(assignment: Assignment, exercise: FunctionExercise, case: Case) -> Trace:
    text = reference.printed_output(assignment.solution_path, exercise.reference,
                                    tuple(case.args.values()))
    return parse_trace(text, exercise.trace)


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
        return result(False, explain(outcome, exercise.name, assignment.module_file),
                      stdout=outcome.stdout[:4000])
    expected = reference_trace(assignment, exercise, case)
    student = parse_trace(outcome.stdout, exercise.trace)
    departure = first_departure(student, expected, exercise.tolerance)
    notes = _notes(student, outcome)
    detail = {"student": student.to_dict(), "reference": expected.to_dict()}
    if departure is None:
        return result(True, f"the trace matches the reference ({len(expected.iterations)} "
                      f"iterations).{notes}", **detail)
    detail["departure"] = {"iteration": departure.iteration, "key": departure.key}
    diagnosis = _diagnose(assignment, exercise, case, student)
    output = departure.message + _side_by_side(departure, student, expected) + notes
    if diagnosis:
        output += f"\n  Likely cause: {diagnosis}"
    return result(False, output, diagnosis, **detail)


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


def _diagnose(
    assignment: Assignment, exercise: FunctionExercise, case: Case, student: Trace
) -> str:
    """The spec's known wrong method that reproduces the student's trace, if any."""
    path = assignment.variants_path
    if path is None:
        return ""
    for variant in exercise.variants:
        text = reference.printed_output(path, variant.function, tuple(case.args.values()))
        if first_departure(student, parse_trace(text, exercise.trace), exercise.tolerance) is None:
            return f"{variant.name}: {variant.hint}"
    return ""
