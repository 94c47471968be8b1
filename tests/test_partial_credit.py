"""Partial credit within a case: the spec's `trace.parts`, judged on real reference traces.

In-process with the real spec and reference module (judge and check_case), and once through
the real CLI and sandbox for a correct method that prints no factor values.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, run_grader

from grader.errors import SpecError
from grader.kinds.function.check import check_case, reference_trace
from grader.kinds.function.diagnosis import trace_format
from grader.kinds.function.trace import Format, Judgement, judge, parse_trace
from grader.sandbox.protocol import ProbeOutcome
from grader.spec import reference
from grader.spec.loader import load_assignment

ASSIGNMENT = load_assignment(ROOT / "exercises" / "linear-backprop")
SOLVER = ASSIGNMENT.by_id["two-variable-solver"]
CASES = {case.name: case for case in SOLVER.cases}
FMT = trace_format(SOLVER)


def printed(case: str, function: str = "double_variable_new") -> str:
    return reference.printed_output(ASSIGNMENT.solution_path, function,
                                    tuple(CASES[case].args.values()))


def judged(text: str, case: str = "chapter-example") -> Judgement:
    expected = reference_trace(ASSIGNMENT, SOLVER, CASES[case])
    return judge(parse_trace(text, FMT), expected, FMT, SOLVER.tolerance)


def credited(verdict: Judgement) -> dict[str, bool]:
    return {part.name: part.credited for part in verdict.parts}


def without(text: str, word: str) -> str:
    return "\n".join(line for line in text.splitlines() if word not in line)


def test_the_shipped_split_is_states_half_steps_and_finals_a_quarter():
    assert [(p.name, p.share) for p in FMT.parts] == [
        ("states", 0.5), ("steps", 0.25), ("finals", 0.25)]


def test_everything_right_is_full_marks():
    verdict = judged(printed("chapter-example"))
    assert verdict.full and verdict.fraction == 1.0 and verdict.departure is None
    assert all(credited(verdict).values())


def test_a_correct_method_without_factor_values_loses_only_the_steps():
    text = printed("chapter-example").replace("factor_b=", "fb=").replace("factor_w=", "fw=")
    verdict = judged(text)
    assert not verdict.full and verdict.fraction == 0.75
    assert credited(verdict) == {"states": True, "steps": False, "finals": True}
    assert "steps (25%) not earned, iteration 1 has no `factor_b`" in verdict.message
    assert "states (50%) earned" in verdict.message


def test_finals_worded_otherwise_lose_only_the_finals():
    text = printed("chapter-example").replace("final b=", "b_end=").replace("final w=", "w_end=")
    verdict = judged(text)
    assert verdict.fraction == 0.5 + 0.25
    assert credited(verdict) == {"states": True, "steps": True, "finals": False}
    assert "no `final b=...` line" in verdict.message


def test_final_b_is_wording_is_prose_and_loses_only_the_finals():
    text = printed("chapter-example").replace("final b=", "final b is ")
    verdict = judged(text)
    assert verdict.fraction == 0.75 and "no `final b=...` line at the end" in verdict.message


def test_a_wrong_method_earns_only_the_parts_it_really_matches():
    fixed = printed("chapter-example", "double_variable")  # the chapter's 63 and 18
    assert judged(fixed).fraction == 0.0  # states differ at iteration 3, 5 iterations not 4
    one_wrong_final = printed("chapter-example").replace("final w=2.661517", "final w=2.7")
    verdict = judged(one_wrong_final)
    assert credited(verdict) == {"states": True, "steps": True, "finals": False}
    assert "final w is 2.700000" in verdict.message


def test_a_part_needs_the_same_number_of_iterations():
    text = printed("chapter-example")
    cut = text[: text.rindex("\nw=") + 1] + "done!\nfinal b=3.903263\nfinal w=2.661517\n"
    verdict = judged(cut)  # the last state is missing: every part is short of iteration 4
    assert verdict.fraction == 0.0 and "stops after 3 iteration" in verdict.message


def test_nothing_recognisable_says_what_was_printed_and_what_was_expected():
    verdict = judged("hello\nb is now 3.9\n")
    assert verdict.fraction == 0.0
    assert "expected lines like `w=...,b=...,z=...,delta_z=...`" in verdict.message
    assert "'hello'" in verdict.message


def test_without_parts_a_case_is_all_or_nothing():
    plain = Format(FMT.iteration_keys, FMT.final_prefix, FMT.quiet_lines)
    expected = reference_trace(ASSIGNMENT, SOLVER, CASES["chapter-example"])
    text = printed("chapter-example").replace("factor_b=", "fb=")
    verdict = judge(parse_trace(text, plain), expected, plain, SOLVER.tolerance)
    assert verdict.fraction == 0.0 and verdict.parts == ()


def test_a_judgement_round_trips_through_strict_json():
    verdict = judged(printed("chapter-example").replace("final b=", "b="))
    data = json.loads(json.dumps(verdict.to_dict(), allow_nan=False))
    assert Judgement.from_dict(data) == verdict


def test_the_check_scores_points_times_the_fraction_and_passes_only_when_full():
    text = without(printed("chapter-example"), "factor_b")
    result = check_case(ASSIGNMENT, SOLVER, CASES["chapter-example"],
                        ProbeOutcome("two-variable-solver/chapter-example", "ok", stdout=text))
    assert result.score == 3 * 0.5 + 3 * 0.25 and not result.passed
    assert result.detail["fraction"] == 0.75
    assert [p["credited"] for p in result.detail["parts"]] == [True, False, True]
    assert "Partial credit, 75% of the points" in result.output


def course_with(tmp_path: Path, old: str, new: str) -> Path:
    course = tmp_path / "course"
    shutil.copytree(ROOT / "exercises", course / "exercises")
    shutil.copytree(ROOT / "solutions", course / "solutions")
    spec = course / "exercises" / "linear-backprop" / "two-variable-solver.yaml"
    text = spec.read_text(encoding="utf-8")
    assert old in text
    spec.write_text(text.replace(old, new), encoding="utf-8")
    return course


@pytest.mark.parametrize(("old", "new", "words"), [
    ("share: 0.25}\n    - {name: finals", "share: 0.2}\n    - {name: finals",
     "trace.parts: the shares add up to 0.95, not 1"),
    ("keys: [final b, final w]", "keys: [final b, final w, w]", "'w' is in two parts"),
    ("keys: [final b, final w]", "keys: [last b, final w]", "a final value is written `final b`"),
])
def test_a_broken_split_is_one_spec_error_naming_the_file_and_key(tmp_path, old, new, words):
    course = course_with(tmp_path, old, new)
    with pytest.raises(SpecError) as caught:
        load_assignment(course / "exercises" / "linear-backprop")
    assert "two-variable-solver.yaml:" in str(caught.value) and words in str(caught.value)


def test_a_part_key_the_reference_never_prints_is_a_spec_error(tmp_path):
    course = course_with(tmp_path, "keys: [factor_b, factor_w,", "keys: [factor_c, factor_w,")
    broken = load_assignment(course / "exercises" / "linear-backprop")
    exercise = broken.by_id["two-variable-solver"]
    with pytest.raises(SpecError, match=r"two-variable-solver.yaml:\d+: trace.parts: "
                                        r"'factor_c' \(part 'steps'\) is never printed"):
        reference_trace(broken, exercise, exercise.cases[0])
    proc = run_grader("--course", str(course), "validate")
    assert proc.returncode == 2 and "factor_c" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


NO_FACTORS = '''DZ_DB = "2*x + 3*y"
HAND_ITERATIONS = [
    {"factor_b": 60.714286, "delta_b": 0.003585, "b": 3.805938, "z": 150.000077,
     "delta_z": 0.000077},
    {"factor_b": 60.671261, "delta_b": 0.000001, "b": 3.805937, "z": 150.0, "delta_z": 0.0},
]


def double_variable_new(w, b, t):
    while True:
        x, y = 2 * w + 3 * b, 2 * b + 1
        z = x * y
        delta_z = z - t
        print("w=%f,b=%f,z=%f,delta_z=%f" % (w, b, z, delta_z))
        if abs(delta_z) < 1e-5:
            break
        delta_b = delta_z / (2 * x + 3 * y) / 2
        delta_w = delta_z / (2 * y) / 2
        print("delta_b=%f, delta_w=%f" % (delta_b, delta_w))
        b, w = b - delta_b, w - delta_w
    print("done!")
    print("final b=%f, final w=%f" % (b, w))
'''


def test_through_the_cli_a_correct_method_without_factors_gets_three_quarters(tmp_path):
    student = tmp_path / "linear_backprop.py"
    student.write_text(NO_FACTORS, encoding="utf-8")
    proc = run_grader("check", "--json", str(student))
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    solver = [t for t in report["tests"] if t["exercise"] == "two-variable-solver"]
    assert sum(t["score"] for t in solver) == 6 * 0.75 and report["score"] == 8.5
    assert all(t["status"] == "failed" and t["diagnosis"] == "" for t in solver)
    assert all("steps (25%) not earned" in t["output"] for t in solver)
