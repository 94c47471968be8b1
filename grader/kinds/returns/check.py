"""`returns` answers graded in the grading process: the value the sandboxed call returned,
against the reference function's, case by case (`compare.first_difference`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from grader.kinds.cases import probe_id
from grader.kinds.returns.compare import envelope, first_difference
from grader.results import CheckResult
from grader.sandbox.probe_failure import explain
from grader.sandbox.protocol import Probe, ProbeOutcome
from grader.spec import reference

if TYPE_CHECKING:
    from grader.kinds.returns.model import ReturnsExercise
    from grader.spec.loader import Assignment
    from grader.spec.models import Case


def probes(exercise: ReturnsExercise) -> list[Probe]:
    return [Probe(probe_id(exercise, case), "return", exercise.name,
                  tuple(case.args.values()), exercise.time_limit, visibility=case.visibility)
            for case in exercise.cases]


def expected_value(assignment: Assignment, exercise: ReturnsExercise, case: Case
                   ) -> dict[str, Any]:
    return envelope(reference.returned_value(assignment.solution_path, exercise.reference,
                                             tuple(case.args.values())))


def check_case(assignment: Assignment, exercise: ReturnsExercise, case: Case,
               outcome: ProbeOutcome) -> CheckResult:
    call = f"{exercise.name}({', '.join(f'{k}={v:g}' for k, v in case.args.items())})"
    expected = expected_value(assignment, exercise, case)
    got = outcome.value if outcome.ok and isinstance(outcome.value, dict) else None
    difference = first_difference(got, expected, exercise.tolerance) if got is not None else ""
    passed = got is not None and not difference
    if got is None:
        output, detail = explain(outcome, exercise.name), {}
    else:
        output = difference or "it returns the reference's value."
        detail = {"returned": got, "expected": expected}
    return CheckResult(f"{exercise.id}: {case.name}", exercise.id,
                       case.points if passed else 0.0, case.points, passed, f"{call}: {output}",
                       case.visibility, "", {"case": case.name, **detail})
