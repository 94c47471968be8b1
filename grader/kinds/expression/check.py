"""Expression answers: the student's string judged by exact values at random points where that
is certain (kinds.expression.quick), else symbolically by sympy (kinds.expression.parse)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from grader.errors import SpecError
from grader.kinds.expression.notation import ExpressionVerdict
from grader.kinds.expression.quick import quick_judge
from grader.results import CheckResult
from grader.sandbox.probe_failure import explain
from grader.sandbox.protocol import ProbeOutcome

if TYPE_CHECKING:  # the check path imports no pydantic (grader.spec.snapshot)
    from grader.kinds.expression.model import ExpressionExercise



def check_answer(exercise: ExpressionExercise, outcome: ProbeOutcome) -> CheckResult:
    def result(score: float, output: str, diagnosis: str = "", **detail: object) -> CheckResult:
        return CheckResult(f"{exercise.id}: answer", exercise.id, score, exercise.points,
                           score >= exercise.points, output, exercise.visibility, diagnosis,
                           dict(detail))

    if not outcome.ok:
        return result(0.0, explain(outcome, exercise.name))
    text = outcome.value
    if type(text) is not str:
        return result(0.0, f"`{exercise.name}` must be a string holding an expression, like "
                      f"\"{exercise.example}\"; it is {text!r:.80}.")
    verdict = judge(exercise, text)
    detail = {"answer_given": text[:500], "verdict": verdict.status, "parsed": verdict.parsed}
    if verdict.status == "equivalent":
        return result(exercise.points, verdict.message, **detail)
    if verdict.status == "value_only":
        return result(round(exercise.points * exercise.value_only_credit, 6), verdict.message,
                      **detail)
    return result(0.0, verdict.message, verdict.hint, **detail)


def judge(exercise: ExpressionExercise, text: str) -> ExpressionVerdict:
    """The quick check's verdict where it is certain; sympy's (imported only then) else."""
    mistakes = [(m.answer, m.hint) for m in exercise.mistakes]
    if text.strip():
        verdict = quick_judge(text, answer=exercise.answer, names=exercise.variables,
                              definitions=exercise.definitions, point=exercise.start,
                              mistakes=mistakes)
        if verdict is not None:
            return verdict
    from grader.kinds.expression.parse import InstructorExpressionError, judge_expression

    try:  # sympy only here
        return judge_expression(text, answer=exercise.answer, allowed_names=exercise.variables,
                                definitions=exercise.definitions, point=exercise.start,
                                mistakes=mistakes, time_limit=exercise.time_limit)
    except InstructorExpressionError as exc:  # the spec's answer or mistakes do not parse
        raise SpecError(f"exercise {exercise.id}: answer: {exc}") from None
