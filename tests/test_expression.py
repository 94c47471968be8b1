"""grader.kinds.expression.parse against real sympy: equivalence over the domain, hostile input."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from grader.kinds.expression.parse import (
    ExpressionError,
    ExpressionVerdict,
    judge_expression,
    parse_expression,
)

NAMES = ("w", "b", "x", "y")
MISTAKES = (
    ("3*y", "∂z/∂b has two paths, through x and through y: add both"),
    ("2*y", "that is ∂z/∂w"),
)
CHAPTER = {
    "answer": "2*x + 3*y",
    "allowed_names": NAMES,
    "definitions": {"x": "2*w + 3*b", "y": "2*b + 1"},
    "point": {"w": 3, "b": 4},
    "mistakes": MISTAKES,
}


def judge(text: str | None, **overrides: object) -> ExpressionVerdict:
    return judge_expression(text, **{**CHAPTER, **overrides})  # type: ignore[arg-type]


@pytest.mark.parametrize("text", [
    "2*x + 3*y", "3y+2x", "2x+3y", "4w+12b+3", "4*w + 12*b + 3", "(2*w+3*b)*2 + 3*(2*b+1)",
    "2*(2w+3b)+3(2b+1)", "x*2+y^1*3", "2·x + 3×y", "2x − (−3y)", "２ｘ＋３ｙ", "0.5*(4x+6y)",
    "(x+y)(x-y)/(x-y) + x + 2y", "2.x+3y", "2 x + 3 y",
])
def test_equivalent_forms(text: str) -> None:
    verdict = judge(text)
    assert verdict.status == "equivalent", verdict
    assert verdict.parsed


@pytest.mark.parametrize("text", ["63", "2*18 + 3*9", "63.0"])
def test_value_at_the_start_is_not_the_expression(text: str) -> None:
    verdict = judge(text)
    assert verdict.status == "value_only"
    assert "w=3, b=4" in verdict.message


@pytest.mark.parametrize(("text", "hint"), [
    ("3*y", MISTAKES[0][1]), ("3y", MISTAKES[0][1]), ("6b+3", MISTAKES[0][1]),
    ("2*y", MISTAKES[1][1]), ("4b+2", MISTAKES[1][1]),
])
def test_recognised_mistakes_carry_their_hint(text: str, hint: str) -> None:
    verdict = judge(text)
    assert (verdict.status, verdict.hint) == ("mistake", hint)
    assert hint in verdict.message


@pytest.mark.parametrize("text", ["2*x", "x*y", "2x+3y+1", "62", "x^2", "2x+3y+(w-w+1)/1000000"])
def test_not_equivalent(text: str) -> None:
    assert judge(text).status == "not_equivalent"


def test_not_equivalent_reports_its_value_at_the_start() -> None:
    assert "it gives 36" in judge("2*x").message


def test_agreeing_at_the_start_only_is_not_enough() -> None:
    # 63 at w=3, b=4, but not ∂z/∂b elsewhere.
    assert judge("7*x - 63").status == "not_equivalent"


@pytest.mark.parametrize("text", [None, "", "   \n"])
def test_no_answer(text: str | None) -> None:
    assert judge(text) == ExpressionVerdict("invalid", "no answer given")


@pytest.mark.parametrize(("text", "reason"), [
    ("q + x", "unknown name `q`: use w, b, x, y"),
    ("import os", "`import` is not allowed in an expression"),
    ("xy", "x*y"),
    ("dz/db = 2x+3y", "without `=`"),
    ("(2x+3y", "unbalanced"),
    ("2x+3y)", "unbalanced"),
    ("2 3", "could not read"),
    ("w**w", "exponents must be plain numbers"),
    ("1/(x-2w-3b)", "divides by zero"),
    ("1/(w-w)", "divides by zero"),
])
def test_invalid_with_a_reason(text: str, reason: str) -> None:
    verdict = judge(text)
    assert verdict.status == "invalid"
    assert reason in verdict.message
    assert verdict.parsed == ""


HOSTILE = [
    "__import__('os').system('touch {marker}')", "x.__class__", "lambda: 1",
    "exec(\"open('{marker}', 'w')\")", "[x for x in ()]", "open('{marker}', 'w')", '"a"',
    "x if y else b", "1e999999", "(w+b)**999999", "(w+b)**99999", "9**16**16",
    "((((w+b)**16)**16)**16)", "x" * 10_000, "(" * 300 + "x" + ")" * 300,
    "eval('1')", "x; open('{marker}', 'w')", "x\nopen('{marker}', 'w')", "{{}}", "x[0]",
    "b'a'", "f'{{x}}'", "x @ y", "x // y", "not x", "0x10", "2j", "True", "x#c", "$(touch m)",
]


@pytest.mark.parametrize("template", HOSTILE)
def test_hostile_input_is_rejected_without_running(template: str, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    text = template.format(marker=marker)
    verdict = judge(text)
    assert verdict.status == "invalid", verdict
    assert not marker.exists()
    with pytest.raises(ExpressionError):
        parse_expression(text, NAMES)


SLOW = "(x-y)**16*(2x+3y)/(x**2-2x*y+y**2)**8"  # allowed, but costly for sympy to prove equal


@pytest.fixture
def sympy_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip the exact-evaluation pre-check, to put sympy's own time limit to the test."""
    monkeypatch.setattr("grader.kinds.expression.quick.quick_equivalent", lambda *args: None)


def test_time_limit_turns_slow_checks_into_timeout(sympy_only: None) -> None:
    assert judge(SLOW, time_limit=0.05).status == "timeout"


def test_the_quick_check_proves_what_sympy_finds_slow_without_importing_sympy() -> None:
    code = ("import sys\nfrom grader.kinds.expression.parse import judge_expression\n"
            f"v = judge_expression({SLOW!r}, answer='2*x + 3*y', allowed_names=['w','b','x','y'],"
            " definitions={'x': '2*w + 3*b', 'y': '2*b + 1'}, point={'w': 3, 'b': 4},"
            " time_limit=0.05)\n"
            "assert v.status == 'equivalent', v\nassert 'sympy' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_wrong_answers_still_get_sympys_judgement() -> None:
    verdict = judge("2x + 3y + 1/1000000")
    assert verdict.status == "not_equivalent" and verdict.parsed  # sympy printed it


def test_time_limit_outside_the_main_thread(sympy_only: None) -> None:
    slow = SLOW
    out: list[ExpressionVerdict] = []
    worker = threading.Thread(target=lambda: out.append(judge(slow, time_limit=0.05)))
    worker.start()
    worker.join(30)
    assert out[0].status == "timeout"
    fine = threading.Thread(target=lambda: out.append(judge("3y+2x")))
    fine.start()
    fine.join(30)
    assert out[1].status == "equivalent"


def test_parse_builds_sympy_from_the_checked_tree() -> None:
    import sympy

    w, b, x, y = sympy.symbols("w b x y")
    assert parse_expression("2(x+y)^2 - (x)(y) + 0.5", NAMES) == \
        2 * (x + y) ** 2 - x * y + sympy.Rational(1, 2)
    assert parse_expression("x²", NAMES) == x**2


def test_verdict_round_trips_through_a_dict() -> None:
    verdict = judge("3*y")
    assert ExpressionVerdict.from_dict(verdict.to_dict()) == verdict
    with pytest.raises(ValueError):
        ExpressionVerdict.from_dict({"status": "maybe", "message": ""})


def test_broken_instructor_answer_is_not_a_student_fault() -> None:
    with pytest.raises(ValueError, match="instructor expression"):
        judge("2x+3y", answer="2*x + 3*q")


def test_importing_the_module_does_not_import_sympy() -> None:
    code = "import grader.kinds.expression.parse, sys; assert 'sympy' not in sys.modules"
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True)
