"""`grader generate` and `grader validate` on the shipped assignment."""

import ast
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, run_grader


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen") / "out"
    proc = run_grader("generate", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


def test_release_holds_the_stub_and_public_checks_only(generated):
    release = generated / "release" / "linear-backprop"
    assert sorted(p.name for p in release.iterdir()) == [  # the contract's three, and the
        "grader_rules", "linear_backprop.ipynb", "linear_backprop.py",  # grader's own rules
        "test_public.py"]  # that test_public.py runs


SECRETS = [
    "2*x + 3*y", "2x + 3y", "3*y + 2*x", "4*w + 12*b", "4w + 12b",  # the derivative
    "2*(2*w + 3*b)", "60.714", "60.671", "3.805938", "3.805937",  # the hand table's answers
    "t=170", "170", "-3", "small-start", "negative-b", "target-above",  # hidden cases
    "fixed_factors", "factor_of_b", "HAND_ITERATIONS = [\n    {\"factor_b\": 6",
]


def test_release_gives_nothing_away(generated):
    text = "\n".join(p.read_text(encoding="utf-8")
                     for p in (generated / "release").rglob("*") if p.is_file())
    for secret in SECRETS:
        assert secret not in text, secret


def test_stub_defines_every_name_and_raises_in_the_solver(generated):
    stub = generated / "release" / "linear-backprop" / "linear_backprop.py"
    tree = ast.parse(stub.read_text(encoding="utf-8"))
    names = {t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets}
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert names == {"DZ_DB", "HAND_ITERATIONS"}
    assert [a.arg for a in functions["double_variable_new"].args.args] == ["w", "b", "t"]
    assert "raise NotImplementedError" in ast.unparse(functions["double_variable_new"])
    assert "Exercise 1" in stub.read_text() and "∂z/∂b" in stub.read_text()


def test_hidden_checks_are_real_pytest_tests_one_per_check(generated):
    hidden = generated / "autograder" / "linear-backprop" / "tests" / "test_hidden.py"
    tree = ast.parse(hidden.read_text(encoding="utf-8"))
    tests = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert tests == [
        "test_derive_dz_db__answer", "test_iterate_by_hand__row_1", "test_iterate_by_hand__row_2",
        "test_two_variable_solver__chapter_example",
        "test_two_variable_solver__target_above_start", "test_two_variable_solver__negative_b",
        "test_two_variable_solver__small_start",
    ]


def run_public_checks(folder, module_source):
    (folder / "linear_backprop.py").write_text(module_source, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "test_public.py"], cwd=folder, capture_output=True, text=True)


def test_public_checks_pass_for_the_reference_and_fail_for_the_stub(generated, tmp_path):
    release = generated / "release" / "linear-backprop"
    shutil.copy(release / "test_public.py", tmp_path)
    shutil.copytree(release / "grader_rules", tmp_path / "grader_rules")
    stub = (release / "linear_backprop.py").read_text(encoding="utf-8")
    blank = run_public_checks(tmp_path, stub)
    assert blank.returncode == 1 and "3 failed" in blank.stdout, blank.stdout
    reference = (ROOT / "solutions" / "linear_backprop.py").read_text(encoding="utf-8")
    good = run_public_checks(tmp_path, reference)
    assert good.returncode == 0 and "3 passed" in good.stdout, good.stdout


def test_autograder_folder_is_a_course_of_its_own(generated):
    """The instructor's folder grades by itself: `grader --course` pointed at it works."""
    course = generated / "autograder" / "linear-backprop"
    proc = run_grader("--course", str(course), "check", "--json",
                      str(ROOT / "tests" / "submissions" / "correct_chapter_style.py"))
    assert proc.returncode == 0, proc.stderr


def test_validate_passes_on_the_shipped_assignment():
    proc = run_grader("validate")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "linear-backprop: ok" in proc.stdout


def test_validate_fails_when_the_reference_is_wrong(tmp_path):
    shutil.copytree(ROOT / "exercises", tmp_path / "exercises")
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    reference = tmp_path / "solutions" / "linear_backprop.py"
    text = reference.read_text()
    reference.write_text(text.replace('DZ_DB = "2*x + 3*y"', 'DZ_DB = "2*x"'))
    proc = run_grader("--course", str(tmp_path), "validate")
    assert proc.returncode == 1
    assert "the reference scores 0/2 on derive-dz-db" in proc.stdout
