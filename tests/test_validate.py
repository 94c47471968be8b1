"""`grader validate` proves an assignment cannot mislead: every known mistake is caught and
named, nothing a student receives holds an answer, spec typos are one line at the spec line."""

from __future__ import annotations

import shutil

import pytest
from conftest import ROOT, run_grader

SHIPPED = ROOT / "exercises" / "linear-backprop"
NONLINEAR = ROOT / "tests" / "fixtures" / "nonlinear-course"


@pytest.fixture
def course(tmp_path):
    shutil.copytree(SHIPPED, tmp_path / "exercises" / "linear-backprop")
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    return tmp_path


def edit(course, name, old, new):
    path = course / "exercises" / "linear-backprop" / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def line_of(path, needle):
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_the_shipped_course_catches_and_names_every_known_mistake():
    proc = run_grader("validate")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "linear-backprop: ok"
    assert lines[1].split() == ["exercise", "check", "points", "reference", "stub"]
    assert any(line.split()[:5] == ["two-variable-solver", "chapter-example", "3", "3", "0"]
               for line in lines)
    mistakes = [line for line in lines if " yes " in line]
    # 5 expression answers, 2 table rows x 2 mistakes, and every variant on some case
    assert len(mistakes) >= 5 + 4 + 8, proc.stdout
    assert " NO " not in proc.stdout and "problem" not in proc.stdout
    for name in ("3*x + 2*y", "delta_b added", "w and b never updated", "stop at 1e-4"):
        assert any(line.strip().startswith(name) and " yes " in line for line in lines), name


def test_validate_works_on_several_assignments(tmp_path):
    """Both hidden suites are `test_hidden.py`; one process grades both."""
    shutil.copytree(ROOT / "exercises", tmp_path / "exercises")
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    shutil.copytree(NONLINEAR, tmp_path, dirs_exist_ok=True)
    proc = run_grader("--course", str(tmp_path), "validate")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "linear-backprop: ok" in proc.stdout and "nonlinear-backprop: ok" in proc.stdout


@pytest.mark.parametrize(("old", "new", "where", "key", "says"), [
    ("    function: fixed_factors", "    function: fixed_factor", "function: fixed_factor",
     "variants.0.function", "linear_backprop_variants.py defines no function 'fixed_factor'"),
    ("iteration_keys: [w, b, z, delta_z]", "iteration_keys: [w, b, z, delta_zz]",
     "iteration_keys:", "trace.iteration_keys", "the reference never prints 'delta_zz' (it prints "
     "b, delta_b, delta_w, delta_z, factor_b, factor_w, w, z)"),
    ("reference: double_variable_new", "reference: double_variable_neu", "reference:",
     "reference", "linear_backprop.py defines no function 'double_variable_neu'"),
])
def test_names_the_code_lacks_are_one_line_at_the_spec_line(course, old, new, where, key, says):
    path = edit(course, "two-variable-solver.yaml", old, new)
    proc = run_grader("--course", str(course), "validate")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == ""
    assert proc.stderr == f"grader: {path}:{line_of(path, where)}: {key}: {says}\n"


def test_problems_of_a_sloppy_assignment_are_each_reported(course):
    solver = edit(course, "two-variable-solver.yaml", "  - name: stop at 1e-4\n",
                  "  - name: the reference again\n    function: double_variable\n"
                  "    hint: nothing is wrong\n  - name: stop at 1e-4\n")
    edit(course, "two-variable-solver.yaml", "  stop when abs(delta_z)",
         "  (try double_variable_new(2, -3, 20) too)\n  stop when abs(delta_z)")
    edit(course, "derive-dz-db.yaml", "variables: [w, b, x, y]",
         'example: "3y + 2x"\nvariables: [w, b, x, y]')
    edit(course, "derive-dz-db.yaml", "  - answer: x + y\n",
         "  - answer: y*3 + 2*x\n    hint: not a mistake at all\n  - answer: x + y\n")
    edit(course, "iterate-by-hand.yaml", "How small does the error get?",
         "Your first factor_b should be 60.714287. How small does the error get?")
    edit(course, "iterate-by-hand.yaml", "  - name: delta_b added\n",
         "  - name: sixty-three again\n    columns: {factor_b: \"63\"}\n    hint: same\n"
         "  - name: delta_b added\n")
    proc = run_grader("--course", str(course), "validate")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout
    assert out.startswith("linear-backprop: ")
    problems = [line.strip() for line in out.splitlines() if line.startswith("  problem: ")]
    expected = [
        "derive-dz-db / answer: the known mistake 'y*3 + 2*x' keeps full marks",
        "iterate-by-hand / row-1: the known mistake 'sixty-three again' loses points but the "
        "diagnosis does not name it",
        "two-variable-solver: the known mistake 'the reference again' gives the reference's "
        "result on every check",
        # evaluated, not grepped: "3y + 2x" is written nowhere in the answer's form
        "derive-dz-db: linear_backprop.",
        "iterate-by-hand: linear_backprop.",
        "two-variable-solver: linear_backprop.",
    ]
    for start in expected:
        assert any(p.removeprefix("problem: ").startswith(start) for p in problems), (start, out)
    assert any("shows '3y + 2x', which is the answer (set `example:`" in p for p in problems)
    assert any("shows 60.7143, which is the table's factor_b of row 1" in p for p in problems)
    assert any("shows the arguments of the hidden case 'negative-b'" in p for p in problems)
    assert f"{solver}" not in out  # problems name what the student gets, not temp paths


def test_the_default_example_is_caught_when_it_is_the_answer(tmp_path):
    """The stub shows `example:` (default: twice the last variable); here that is the answer."""
    folder = tmp_path / "exercises" / "dz-dw"
    folder.mkdir(parents=True)
    (folder / "assignment.yaml").write_text(
        "id: dz-dw\ntitle: dz/dw\nmodule: dzdw\nsolution: ../../solutions/dzdw.py\n"
        "exercises: [derive-dz-dw]\n")
    (folder / "derive-dz-dw.yaml").write_text(
        "id: derive-dz-dw\nkind: expression\ntitle: dz/dw\npoints: 1\nname: DZ_DW\n"
        "prompt: Derive dz/dw for z = x*y, x = 2w + 3b.\nvariables: [w, b, x, y]\n"
        "definitions: {x: 2*w + 3*b}\nanswer: 2*y\n")
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "dzdw.py").write_text('DZ_DW = "2y"\n')
    proc = run_grader("--course", str(tmp_path), "validate")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "problem: derive-dz-dw: dzdw.ipynb:" in proc.stdout
    assert "shows '2*y', which is the answer (set `example:` in the spec" in proc.stdout
    assert run_grader("--course", str(tmp_path), "generate", "--out",
                      str(tmp_path / "out")).returncode == 0
    stub = (tmp_path / "out" / "release" / "dz-dw" / "dzdw.py").read_text()
    assert '"2*y"' in stub  # what validate read is what the student gets
