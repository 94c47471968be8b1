"""The sympy-free quick check of expression answers: secret random points, known mistakes
decided by value, and sympy's verdict wherever the quick check decides at all."""

from __future__ import annotations

import random
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.kinds.expression import quick
from grader.kinds.expression.check import check_answer, judge
from grader.kinds.expression.model import ExpressionExercise
from grader.kinds.expression.parse import judge_expression
from grader.sandbox.protocol import ProbeOutcome
from grader.spec.loader import load_assignment

ROOT = Path(__file__).resolve().parents[1]
EXERCISE = load_assignment(ROOT / "exercises" / "linear-backprop").by_id["derive-dz-db"]
assert isinstance(EXERCISE, ExpressionExercise)
MISTAKES = [(m.answer, m.hint) for m in EXERCISE.mistakes]
SPEC = {"answer": EXERCISE.answer, "allowed_names": EXERCISE.variables,
        "definitions": EXERCISE.definitions, "point": EXERCISE.start, "mistakes": MISTAKES}


def old_public_points() -> list[dict[str, int]]:
    """The points the quick check used to use for everyone: a fixed seed, in the source."""
    chance = random.Random(20260227)
    return [{name: chance.randint(1 << 40, 1 << 41) for name in ("w", "b")} for _ in range(3)]


def exact(text: str, w: int, b: int) -> Fraction:
    x, y = 2 * w + 3 * b, 2 * b + 1
    return Fraction(eval(text, {}, {"w": w, "b": b, "x": x, "y": y}))  # our own text only


def attack() -> str:
    p1, p2, p3 = (point["w"] for point in old_public_points())
    return f"3*y + 2*x + (w-{p1})*(w-{p2})*(w-{p3})"


def test_the_attack_on_the_old_public_points_is_not_correct():
    text = attack()
    # it did fool the old points: equal to the answer at every one of them
    assert all(exact(text, **p) == exact("2*x + 3*y", **p) for p in old_public_points())
    assert judge(EXERCISE, text).status == "not_equivalent"  # the grading path
    assert judge_expression(text, **SPEC).status == "not_equivalent"  # and parse's own
    outcome = ProbeOutcome("derive-dz-db", "ok", value=text)
    assert check_answer(EXERCISE, outcome).score == 0.0


POINTS = "from grader.kinds.expression import quick; print(quick._coordinates(2))"


def test_the_points_are_drawn_afresh_for_each_grading_run_and_kept_within_it():
    runs = {subprocess.run([sys.executable, "-c", POINTS], capture_output=True, text=True,
                           check=True, cwd=ROOT).stdout for _ in range(2)}
    assert len(runs) == 2
    assert quick._coordinates(2) == quick._coordinates(2)
    assert max(abs(c) for point in quick._coordinates(2) for c in point) > 1 << 40


NO_SYMPY = '''
import sys
from pathlib import Path
from grader.kinds.expression.check import check_answer
from grader.sandbox.protocol import ProbeOutcome
from grader.spec.loader import load_assignment
exercise = load_assignment(Path(sys.argv[1])).by_id["derive-dz-db"]
for text, status in [("2x+3y", "equivalent"), ("3y", "mistake"), ("2*x", "mistake"),
                     ("63", "value_only"), ("x*y", "not_equivalent"), ("<b>", "invalid"),
                     ("x + y", "mistake"), ("62", "not_equivalent")]:
    result = check_answer(exercise, ProbeOutcome("derive-dz-db", "ok", value=text))
    assert result.detail["verdict"] == status, (text, result)
assert "sympy" not in sys.modules
'''


def test_known_mistakes_numbers_and_plain_wrong_answers_need_no_sympy():
    subprocess.run([sys.executable, "-c", NO_SYMPY, str(ROOT / "exercises/linear-backprop")],
                   check=True, cwd=ROOT)


def test_a_known_mistake_keeps_its_hint_and_sympys_spelling():
    verdict = judge(EXERCISE, "3y")
    assert verdict.status == "mistake" and verdict.hint == MISTAKES[0][1]
    assert verdict.message.startswith("`3*y` is a known wrong answer: ")


@pytest.mark.parametrize(("text", "status"), [
    ("x - 2w - 3b + 63", "value_only"),  # looks constant at every point: sympy decides
    ("1/(x-2w-3b)", "invalid"),  # divides by zero once x is written out
    ("x**(b-b+2)", "invalid"),  # an exponent that is not a plain number
    ("1/(w-3)", "not_equivalent"),  # no value at the start point
])
def test_what_the_quick_check_cannot_decide_goes_to_sympy(text: str, status: str):
    assert quick.quick_judge(text, answer=EXERCISE.answer, names=EXERCISE.variables,
                             definitions=EXERCISE.definitions, point=EXERCISE.start,
                             mistakes=MISTAKES) is None
    assert judge(EXERCISE, text).status == status


def sympy_only(text: str, monkeypatch: pytest.MonkeyPatch):
    with monkeypatch.context() as patch:
        patch.setattr(quick, "quick_equivalent", lambda *args: None)
        return judge_expression(text, **SPEC)


def agrees(text: str, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Where the quick check decides, it says what sympy says: status, hint, and the
    message itself where it does not quote the expression back."""
    fast = quick.quick_judge(text, answer=EXERCISE.answer, names=EXERCISE.variables,
                             definitions=EXERCISE.definitions, point=EXERCISE.start,
                             mistakes=MISTAKES)
    if fast is None:
        return False
    slow = sympy_only(text, monkeypatch)
    assert (fast.status, fast.hint) == (slow.status, slow.hint), (text, fast, slow)
    if fast.status == "invalid":
        assert fast.message == slow.message
    return True


@pytest.mark.parametrize("text", [
    "2*x + 3*y", "3y+2x", "4w+12b+3", "(x+y)(x-y)/(x-y) + x + 2y", "63", "2*18 + 3*9", "3y",
    "6b+3", "2*y", "4b+2", "3x+2y", "x*y", "2x+3y+1", "x^2", "7*x - 63", "q + x", "(2x+3y",
    "x²", "2x+3y+(w-w+1)/1000000", "__import__('os')", "2 3", "x·y",
])
def test_the_quick_check_agrees_with_sympy(text: str, monkeypatch: pytest.MonkeyPatch):
    assert agrees(text, monkeypatch)


ATOMS = st.sampled_from(["w", "b", "x", "y", "1", "2", "3", "0.5"])


def expressions(depth: int = 3) -> st.SearchStrategy[str]:
    if depth == 0:
        return ATOMS
    smaller = expressions(depth - 1)
    return st.one_of(ATOMS, st.builds(lambda a, op, c: f"({a}){op}({c})", smaller,
                                      st.sampled_from(["+", "-", "*", "/"]), smaller),
                     st.builds(lambda a, e: f"({a})**{e}", smaller, st.integers(-2, 3)))


@settings(max_examples=60, deadline=None)
@given(expressions())
def test_random_expressions_get_sympys_verdict_from_the_quick_check(text: str):
    with pytest.MonkeyPatch.context() as monkeypatch:
        agrees(text, monkeypatch)
