"""Every example submission gets the score it must get, exercise by exercise, through the CLI."""

import pytest
from conftest import SUBMISSIONS, exercise_scores

FULL = {"derive-dz-db": 2.0, "iterate-by-hand": 2.0, "two-variable-solver": 6.0}

EXPECTED = {
    "correct_chapter_style.py": FULL,
    "correct_fstrings.py": FULL,
    "correct_with_debug_prints.py": FULL,
    "correct_with_top_level_call.py": FULL,
    "fixed_factors.py": {**FULL, "two-variable-solver": 0.0},
    "not_halved.py": {**FULL, "two-variable-solver": 0.0},
    "wrong_sign.py": {**FULL, "two-variable-solver": 0.0},
    "stop_at_1e-4.py": {**FULL, "two-variable-solver": 3.0},  # the chapter case only
    "no_abs.py": {**FULL, "two-variable-solver": 5.0},  # the target-above case only
    "value_instead_of_expression.py": {**FULL, "derive-dz-db": 0.5},
    "one_path_missing.py": {**FULL, "derive-dz-db": 0.0},
    "hand_row_slip.py": {**FULL, "iterate-by-hand": 1.0},
    "hand_fixed_63.py": {**FULL, "iterate-by-hand": 0.0},
    "syntax_error.py": dict.fromkeys(FULL, 0.0),
    "missing_name.py": {**FULL, "derive-dz-db": 0.0},
    "solver_crashes.py": {**FULL, "two-variable-solver": 0.0},
    "infinite_loop.py": {**FULL, "two-variable-solver": 0.0},
    "w_updated_first.py": {**FULL, "two-variable-solver": 0.0},
    "html_injection.py": {"derive-dz-db": 0.0, "iterate-by-hand": 1.0, "two-variable-solver": 0.0},
}


def test_every_example_has_an_expected_score():
    assert sorted(p.name for p in SUBMISSIONS.glob("*.py")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_submission_scores(name, check_json):
    code, report = check_json(SUBMISSIONS / name)
    assert exercise_scores(report) == EXPECTED[name]
    assert report["score"] == sum(EXPECTED[name].values())
    assert report["max_score"] == 10.0
    assert code == (0 if report["score"] == 10.0 else 1)


@pytest.mark.parametrize(("name", "words"), [
    ("fixed_factors.py", "recomputed"),
    ("value_instead_of_expression.py", "value at the start"),
    ("one_path_missing.py", "two paths"),
    ("hand_fixed_63.py", "fixed factor 63"),
    ("syntax_error.py", "SyntaxError on line"),
    ("missing_name.py", "defines no `DZ_DB`"),
    ("infinite_loop.py", "time limit"),
    ("stop_at_1e-4.py", "stops after 3 iteration"),
])
def test_feedback_names_the_mistake(name, words, check_json):
    _, report = check_json(SUBMISSIONS / name)
    failed = " ".join(t["output"] for t in report["tests"] if t["status"] == "failed")
    assert words in failed


def test_departure_shows_the_student_beside_the_reference(check_json):
    _, report = check_json(SUBMISSIONS / "fixed_factors.py")
    chapter = next(t for t in report["tests"] if t["name"].endswith("chapter-example"))
    assert "iteration 2" in chapter["output"]
    assert "yours:" in chapter["output"] and "reference:" in chapter["output"]
    assert chapter["detail"]["departure"]["iteration"] == 2


def test_ignored_lines_are_reported(check_json):
    _, report = check_json(SUBMISSIONS / "correct_with_debug_prints.py")
    chapter = next(t for t in report["tests"] if t["name"].endswith("chapter-example"))
    assert "ignored" in chapter["output"] and "good luck" in chapter["output"]
