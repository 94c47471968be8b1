"""Diagnosis: a departing trace is matched against the spec's known wrong variants, by name.

Through the real CLI for the example submissions (the sandboxed run, timeouts and all), and
in-process for the matching rules themselves, on real traces and the real variants module.
"""

from __future__ import annotations

import functools
import json
import shutil
import time
from pathlib import Path

import pytest
from conftest import ROOT, SUBMISSIONS, run_grader

from grader.errors import SpecError
from grader.kinds.expression.check import check_answer
from grader.kinds.function import diagnosis
from grader.kinds.function.check import check_case
from grader.kinds.function.model import Variant
from grader.kinds.table.check import check_row
from grader.sandbox.protocol import ProbeOutcome
from grader.spec.loader import load_assignment

ASSIGNMENT = load_assignment(ROOT / "exercises" / "linear-backprop")
SOLVER = ASSIGNMENT.by_id["two-variable-solver"]
CASES = {case.name: case for case in SOLVER.cases}
ALL_CASES = tuple(CASES)


@functools.cache
def graded(name: str) -> dict:
    proc = run_grader("check", "--json", str(SUBMISSIONS / name))
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def solver_tests(name: str) -> dict[str, dict]:
    return {t["detail"]["case"]: t for t in graded(name)["tests"]
            if t["exercise"] == "two-variable-solver"}


@pytest.mark.parametrize(("name", "variant", "cases"), [
    ("fixed_factors.py", "fixed factors 63 and 18", ALL_CASES),
    ("not_halved.py", "delta_z not halved", ALL_CASES),
    ("wrong_sign.py", "update with the wrong sign", ALL_CASES),
    ("stop_at_1e-4.py", "stop at 1e-4", ("chapter-example",)),
    ("no_abs.py", "no abs() in the stop test", ("target-above-start",)),
    ("w_updated_first.py", "w updated before delta_b is computed", ALL_CASES),
    ("infinite_loop.py", "w and b never updated", ALL_CASES),
])
def test_each_classic_mistake_is_named_with_its_fix(name, variant, cases):
    tests = solver_tests(name)
    hint = next(v.hint for v in SOLVER.variants if v.name == variant)
    for case in cases:
        test = tests[case]
        assert test["status"] == "failed"
        assert test["diagnosis"].startswith(variant), (case, test["diagnosis"])
        assert hint in test["diagnosis"]
        # JSON and Gradescope readers only see `output`: the diagnosis is there, plain text
        assert f"Likely cause: {variant}" in test["output"]
        assert test["detail"]["variant"]["name"] == variant
    for case in set(ALL_CASES) - set(cases):
        assert tests[case]["status"] == "passed" and tests[case]["diagnosis"] == ""


def test_a_timed_out_run_is_diagnosed_from_what_it_printed():
    test = solver_tests("wrong_sign.py")["chapter-example"]
    assert "time limit" in test["output"]
    assert "recognised from the first" in test["diagnosis"]
    assert test["detail"]["variant"]["iterations"] >= 2
    assert test["detail"]["student"]["iterations"][0]["delta_z"] == 12.0
    assert test["detail"]["departure"]["iteration"] == 2  # w and b move the wrong way


def test_a_correct_submission_gets_no_diagnosis():
    assert all(t["diagnosis"] == "" for t in graded("correct_fstrings.py")["tests"])


def test_expression_and_table_mistakes_are_named():
    assert "two paths" in graded("one_path_missing.py")["tests"][0]["diagnosis"]
    rows = [t for t in graded("hand_fixed_63.py")["tests"] if t["exercise"] == "iterate-by-hand"]
    assert any("fixed factor 63" in t["diagnosis"] for t in rows)


@pytest.mark.parametrize(("answer", "words"), [
    ("3y", "two paths"),
    ("2*y", "is ∂z/∂w"),
    ("3x + 2y", "swapped"),
    ("2x", "through x"),
])
def test_wrong_derivatives_get_their_hint(answer, words):
    exercise = ASSIGNMENT.by_id["derive-dz-db"]
    result = check_answer(exercise, ProbeOutcome("derive-dz-db", "ok", value=answer))
    assert result.score == 0 and words in result.diagnosis and words in result.output


def test_hand_table_with_63_kept_is_named_in_row_one():
    exercise = ASSIGNMENT.by_id["iterate-by-hand"]
    b = 3.809524
    z = (6 + 3 * b) * (2 * b + 1)
    delta_b = (z - 150) / 63
    row = {"factor_b": 63.0, "delta_b": delta_b, "b": b - delta_b}
    b = row["b"]
    row["z"] = (6 + 3 * b) * (2 * b + 1)
    row["delta_z"] = row["z"] - 150
    result = check_row(exercise, [row, row], 1)
    assert not result.passed and result.diagnosis.startswith("fixed factor 63: factor_b must")
    assert f"Likely cause: {result.diagnosis}" in result.output


def _outcome(text: str, status: str = "ok") -> ProbeOutcome:
    return ProbeOutcome("two-variable-solver/chapter-example", status, stdout=text)


def _variant_text(case: str, **parameters: object) -> str:
    path = ASSIGNMENT.variants_path
    return diagnosis.variant_output(path, "double_variable", tuple(CASES[case].args.values()),
                                    tuple(sorted(parameters.items())))


def test_a_correct_start_that_never_stops_is_not_blamed_on_a_variant():
    reference = _variant_text("chapter-example")
    loop = reference[: reference.index("done!")]
    hang = loop + (loop.splitlines()[-1] + "\n") * 500 + "w=2.6"  # repeats; cut mid-line
    result = check_case(ASSIGNMENT, SOLVER, CASES["chapter-example"], _outcome(hang, "timeout"))
    assert not result.passed and "time limit" in result.output
    assert result.diagnosis == ""


def test_a_cut_run_is_matched_on_its_first_iterations_only():
    text = _variant_text("chapter-example", sign=1.0)
    cut = text[: len(text) // 3]  # the kill lands mid-line
    result = check_case(ASSIGNMENT, SOLVER, CASES["chapter-example"], _outcome(cut, "timeout"))
    assert result.diagnosis.startswith("update with the wrong sign (recognised from the first")


def test_variant_traces_are_computed_once_and_cached():
    text = _variant_text("chapter-example", share=1.0)
    diagnosis.variant_output.cache_clear()
    for _ in range(3):
        check_case(ASSIGNMENT, SOLVER, CASES["chapter-example"], _outcome(text))
    info = diagnosis.variant_output.cache_info()
    assert info.misses == len(SOLVER.variants) and info.hits == 2 * len(SOLVER.variants)


def test_variants_run_only_when_the_trace_departs():
    text = _variant_text("chapter-example")
    diagnosis.variant_output.cache_clear()
    assert check_case(ASSIGNMENT, SOLVER, CASES["chapter-example"], _outcome(text)).passed
    assert diagnosis.variant_output.cache_info().misses == 0


@pytest.mark.parametrize("variant", SOLVER.variants, ids=lambda v: v.name)
def test_every_declared_variant_is_bounded_and_differs_from_the_reference(variant):
    from grader.kinds.function.check import reference_trace

    differs = False
    for case in SOLVER.cases:
        started = time.monotonic()
        trace = diagnosis.variant_trace(ASSIGNMENT.variants_path, SOLVER, variant, case)
        assert time.monotonic() - started < 1.0
        assert 1 <= len(trace.iterations) <= 100
        expected = reference_trace(ASSIGNMENT, SOLVER, case)
        differs = differs or trace.iterations != expected.iterations
    assert differs, "a variant that reproduces the reference would name a correct solution"


def test_a_variant_the_module_lacks_is_a_spec_error():
    broken = Variant(name="nope", function="no_such_function", hint="-")
    with pytest.raises(SpecError, match="no_such_function"):
        diagnosis.variant_trace(ASSIGNMENT.variants_path, SOLVER, broken, SOLVER.cases[0])


def test_an_instructor_adds_a_variant_in_yaml_alone(tmp_path: Path):
    course = tmp_path / "course"
    shutil.copytree(ROOT / "exercises", course / "exercises")
    shutil.copytree(ROOT / "solutions", course / "solutions")
    spec_file = course / "exercises" / "linear-backprop" / "two-variable-solver.yaml"
    text = spec_file.read_text(encoding="utf-8")
    assert "\nvariants:\n" in text
    spec_file.write_text(text.replace("\nvariants:\n", """
variants:
  - name: stop at 1e-2
    function: double_variable
    parameters: {threshold: 1.0e-2}
    hint: "use the chapter's threshold, 1e-5."
"""), encoding="utf-8")
    student = tmp_path / "linear_backprop.py"
    student.write_text((SUBMISSIONS / "stop_at_1e-4.py").read_text().replace("1e-4", "1e-2"))
    proc = run_grader("--course", str(course), "check", "--json", str(student))
    assert proc.returncode == 1, proc.stderr
    chapter = next(t for t in json.loads(proc.stdout)["tests"]
                   if t["name"].endswith("chapter-example"))
    assert chapter["diagnosis"] == "stop at 1e-2: use the chapter's threshold, 1e-5."


CHAPTER = (ROOT / "solutions" / "linear_backprop.py").read_text(encoding="utf-8")


@functools.cache
def solver_from_chapter(tmp: Path, loop: str) -> dict[str, dict]:
    """One of the chapter's own loops (the reference module's code) handed in as the solver."""
    student = tmp / loop / "linear_backprop.py"
    student.parent.mkdir(parents=True, exist_ok=True)
    student.write_text(CHAPTER.split('if __name__ == "__main__":')[0]
                       + f"\ndouble_variable_new = {loop}\n", encoding="utf-8")
    proc = run_grader("check", "--json", str(student))
    assert proc.returncode == 1, proc.stderr
    return {t["detail"]["case"]: t for t in json.loads(proc.stdout)["tests"]
            if t["exercise"] == "two-variable-solver"}


@pytest.fixture(scope="module")
def chapter_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("chapter")


@pytest.mark.parametrize(("loop", "variant"), [
    ("double_variable", "fixed factors 63 and 18"),  # prints delta_b/delta_w, no factors
    ("single_variable", "only b moves (single-variable loop)"),
    ("single_variable_new", "only b moves (single-variable loop)"),
])
def test_the_chapters_own_loops_as_the_solver_are_named_on_every_case(chapter_dir, loop,
                                                                      variant):
    tests = solver_from_chapter(chapter_dir, loop)
    for case in ALL_CASES:
        assert tests[case]["status"] == "failed"
        assert tests[case]["diagnosis"].startswith(variant), (case, tests[case]["output"])
        assert tests[case]["score"] == 0.0  # a wrong method: no part matches throughout


def test_the_first_wrong_number_is_reported_before_a_missing_key(chapter_dir):
    chapter = solver_from_chapter(chapter_dir, "single_variable_new")["chapter-example"]
    assert chapter["output"].split(": ", 1)[1].startswith(
        "iteration 1: delta_b is 0.190476, the reference has 0.095238")
    fixed = solver_from_chapter(chapter_dir, "double_variable")["chapter-example"]
    assert "iteration 1 has no `factor_b`" not in fixed["output"].split(".")[0]
    # its states agree through iteration 2, where its delta_w (18, not 17.62) first differs
    assert fixed["detail"]["departure"] == {
        "iteration": 2, "key": "delta_w",
        "message": "iteration 2: delta_w is 0.005039, the reference has 0.005148"}


def _reference_text(case: str) -> str:
    from grader.spec import reference

    return reference.printed_output(ASSIGNMENT.solution_path, "double_variable_new",
                                    tuple(CASES[case].args.values()))


def test_a_correct_threshold_without_its_last_line_is_not_stop_at_1e_4():
    text = _reference_text("chapter-example")
    last = text.rindex("\nw=") + 1
    missing_last = text[:last] + text[text.index("done!"):]
    result = check_case(ASSIGNMENT, SOLVER, CASES["chapter-example"], _outcome(missing_last))
    assert not result.passed and "stops after 3 iteration" in result.output
    assert result.diagnosis == ""  # stop at 1e-4 stops there too, but prints no step line


def test_a_trace_that_only_leaves_things_out_gets_no_diagnosis():
    text = "\n".join(line for line in _reference_text("chapter-example").splitlines()
                     if not line.startswith("factor_b"))
    result = check_case(ASSIGNMENT, SOLVER, CASES["chapter-example"], _outcome(text))
    assert result.score == 3 * 0.75 and result.diagnosis == ""


def test_variants_are_compared_on_what_the_student_prints():
    text = _variant_text("chapter-example", share=1.0)
    bare = "\n".join(line.split(", delta_b")[0].replace("factor_b=", "fb=") for line in
                     text.splitlines())  # only the states and finals remain comparable
    result = check_case(ASSIGNMENT, SOLVER, CASES["chapter-example"], _outcome(bare))
    assert result.diagnosis.startswith("delta_z not halved")
