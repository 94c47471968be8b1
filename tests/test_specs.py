"""A broken spec is one line `path:line: key: what is wrong`, exit 2, and nothing written."""

import shutil

import pytest
from conftest import ROOT, run_grader

SHIPPED = ROOT / "exercises" / "linear-backprop"


@pytest.fixture
def course(tmp_path):
    """A copy of the shipped course to break."""
    shutil.copytree(SHIPPED, tmp_path / "exercises" / "linear-backprop")
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    return tmp_path


def break_file(course, name, old, new):
    path = course / "exercises" / "linear-backprop" / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def line_of(path, needle):
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


@pytest.mark.parametrize(("name", "old", "new", "where", "key"), [
    ("two-variable-solver.yaml", "points: 6", "points: six", "points: six", "points"),
    ("two-variable-solver.yaml", "    points: 3\n", "    points: 2\n", "cases:", "cases"),
    ("two-variable-solver.yaml", "args: {w: 3, b: 4, t: 170}", "args: {w: 3, b: 4}",
     "cases:", "cases"),
    ("derive-dz-db.yaml", "kind: expression", "kind: essay", "kind: essay", "kind"),
    ("iterate-by-hand.yaml", "rows: 2", "rows: 0", "rows: 0", "rows"),
    ("iterate-by-hand.yaml", "tolerance: 1.0e-4", "tolerance: 1.0e-4\ncolour: red",
     "colour: red", "colour"),
    ("derive-dz-db.yaml", "name: DZ_DB", "name: DZ DB", "name: DZ DB", "name"),
])
def test_broken_spec_is_one_line_naming_file_line_and_key(course, name, old, new, where, key):
    path = break_file(course, name, old, new)
    out = course / "out"
    proc = run_grader("--course", str(course), "generate", "--out", str(out))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert proc.stdout == ""
    line = line_of(path, where)
    assert f"{path}:{line}: {key}:" in lines[0]
    assert not out.exists()  # nothing half-written


def test_invalid_yaml_names_the_line(course):
    path = break_file(course, "iterate-by-hand.yaml", "rows: 2", "rows: [2")
    proc = run_grader("--course", str(course), "validate")
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"grader: {path}:")
    assert "not valid YAML" in proc.stderr and "Traceback" not in proc.stderr


def test_missing_exercise_file_is_named(course):
    (course / "exercises" / "linear-backprop" / "iterate-by-hand.yaml").unlink()
    proc = run_grader("--course", str(course), "check", str(ROOT / "solutions" /
                                                             "linear_backprop.py"))
    assert proc.returncode == 2
    assert "assignment.yaml:1: exercises: no file iterate-by-hand.yaml" in proc.stderr


def test_broken_spec_keeps_previous_output(course):
    out = course / "out"
    assert run_grader("--course", str(course), "generate", "--out", str(out)).returncode == 0
    stub = out / "release" / "linear-backprop" / "linear_backprop.py"
    before = stub.read_text()
    break_file(course, "derive-dz-db.yaml", "points: 2", "points: -2")
    proc = run_grader("--course", str(course), "generate", "--out", str(out))
    assert proc.returncode == 2
    assert stub.read_text() == before


def test_broken_reference_is_exit_2(course):
    (course / "solutions" / "linear_backprop.py").write_text("raise RuntimeError('oops')\n")
    proc = run_grader("--course", str(course), "validate")
    assert proc.returncode == 2
    assert "the reference module fails to load" in proc.stderr


def test_an_answer_that_does_not_parse_is_the_instructors_error(course):
    break_file(course, "derive-dz-db.yaml", "answer: 2*x + 3*y", "answer: 2*x + 3*q")
    proc = run_grader("--course", str(course), "validate")
    assert proc.returncode == 2
    assert "exercise derive-dz-db: answer: instructor expression '2*x + 3*q'" in proc.stderr


@pytest.mark.parametrize(("name", "old", "new", "where", "key"), [
    # a table formula naming something that does not exist, or not a formula at all
    ("iterate-by-hand.yaml", "  delta_b: delta_z / factor_b", "  delta_b: delta_z / factr_b",
     "delta_b: delta_z / factr_b", "columns.delta_b"),
    ("iterate-by-hand.yaml", "  delta_b: delta_z / factor_b", "  delta_b: delta_z /* factor_b",
     "delta_b: delta_z /* factor_b", "columns.delta_b"),
    ("iterate-by-hand.yaml", "columns: {b: b + delta_b}", "columns: {bb: b + delta_b}",
     "columns: {bb:", "mistakes.1.columns.bb"),
    # two cases of one name: one check would silently replace the other
    ("two-variable-solver.yaml", "  - name: negative-b", "  - name: chapter-example",
     "  - name: chapter-example\n    args: {w: 2", "cases.2.name"),
    # a key given twice: YAML keeps the last one without a word
    ("iterate-by-hand.yaml", "rows: 2\n", "rows: 2\nprompt: again\n", "prompt: again", "prompt"),
    ("derive-dz-db.yaml", "  x: 2*w + 3*b\n", "  x: 2*w + 3*b\n  x: 2*w\n", "  x: 2*w\n", "x"),
    ("assignment.yaml", "intro:", "exercises: [derive-dz-db]\nintro:", "exercises: [derive-dz-db]",
     "exercises"),
])
def test_spec_mistakes_are_one_line_at_the_spec_line(course, name, old, new, where, key):
    path = break_file(course, name, old, new)
    text = path.read_text(encoding="utf-8")
    line = text[: text.index(where)].count("\n") + 1
    for verb in ("validate", "generate"):
        proc = run_grader("--course", str(course), verb)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1, proc.stderr
        assert lines[0].startswith(f"grader: {path}:{line}: {key}:"), (lines[0], line)


def test_an_empty_exercises_folder_is_exit_2(course):
    shutil.rmtree(course / "exercises" / "linear-backprop")
    proc = run_grader("--course", str(course), "validate")
    assert proc.returncode == 2
    assert proc.stderr.strip() == (f"grader: {course / 'exercises'}: no assignment here: each "
                                   "assignment is a folder holding assignment.yaml")


def test_due_is_an_optional_iso_date_time(course):
    break_file(course, "assignment.yaml", "title:", "due: 2026-12-24T12:00:00+01:00\ntitle:")
    assert run_grader("--course", str(course), "validate").returncode == 0
    path = break_file(course, "assignment.yaml", "due: 2026-12-24T12:00:00+01:00",
                      "due: Christmas")
    proc = run_grader("--course", str(course), "validate")
    assert proc.returncode == 2 and f"{path}:{line_of(path, 'due:')}: due:" in proc.stderr
