"""Notebooks: what `grader generate` renders, and `grader check` grading an .ipynb.

The helpers here (`answered`, `write_notebook`) also build the submissions of the real
nbgrader round trip in test_nbgrader.py.
"""

from __future__ import annotations

import ast
import copy
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, SUBMISSIONS, exercise_scores, run_grader
from nbgrader.nbgraderformat import MetadataValidator
from nbgrader.preprocessors import CheckCellMetadata

from grader.notebooks.build import all_graded_cells
from grader.notebooks.source import NotebookCode, is_instructors, notebook_code, without_magics
from grader.spec.loader import load_assignment
from grader.submission import Submission

ASSIGNMENT = load_assignment(ROOT / "exercises" / "linear-backprop")
POINTS = {"derive-dz-db": 2.0, "iterate-by-hand": 2.0, "two-variable-solver": 6.0}
NAMES = {"DZ_DB": "answer-derive-dz-db", "HAND_ITERATIONS": "answer-iterate-by-hand"}
SOLVER_CELL = "answer-two-variable-solver"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("notebooks") / "out"
    proc = run_grader("generate", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out


def source_path(out: Path) -> Path:
    return out / "nbgrader" / "source" / "linear-backprop" / "linear_backprop.ipynb"


def release_path(out: Path) -> Path:
    return out / "release" / "linear-backprop" / "linear_backprop.ipynb"


def cell(notebook: dict, grade_id: str) -> dict:
    return next(c for c in notebook["cells"]
                if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)


def text(c: dict) -> str:
    return "".join(c["source"]) if isinstance(c["source"], list) else c["source"]


def answered(release: Path, module_source: str) -> dict:
    """The release notebook with a .py submission's code put into the answer cells, by name."""
    notebook = json.loads(release.read_text(encoding="utf-8"))
    parts: dict[str, list[str]] = {grade_id: [] for grade_id in [*NAMES.values(), SOLVER_CELL]}
    tree = ast.parse(module_source)
    lines = module_source.splitlines()
    for node in tree.body:
        targets = [t.id for t in getattr(node, "targets", []) if isinstance(t, ast.Name)]
        where = next((NAMES[t] for t in targets if t in NAMES), SOLVER_CELL)
        parts[where].append("\n".join(lines[node.lineno - 1: node.end_lineno]))
    for grade_id, code in parts.items():
        cell(notebook, grade_id)["source"] = "\n\n".join(code)
    return notebook


def write_notebook(notebook: dict, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "linear_backprop.ipynb"
    path.write_text(json.dumps(notebook, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def graded(path: Path) -> tuple[int, dict]:
    proc = run_grader("check", "--json", str(path))
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


# --- what generate renders -------------------------------------------------------------


def test_source_notebook_passes_nbformat_and_nbgrader_checks(generated):
    notebook = nbformat.read(str(source_path(generated)), as_version=4)
    nbformat.validate(notebook)
    MetadataValidator().validate_nb(notebook)
    CheckCellMetadata().preprocess(notebook, {})
    tests = [c for c in notebook.cells if c.metadata.nbgrader["grade"]]
    for c in tests:
        meta = c.metadata.nbgrader
        assert meta["schema_version"] == 3 and meta["locked"] and not meta["solution"]
        assert c.cell_type == "code" and meta["points"] > 0
    per_exercise: dict[str, float] = {}
    for graded_cell in all_graded_cells(ASSIGNMENT):
        per_exercise[graded_cell.exercise] = per_exercise.get(graded_cell.exercise, 0) + \
            cell(notebook, graded_cell.grade_id).metadata.nbgrader["points"]
    assert per_exercise == POINTS
    assert len(tests) == len(all_graded_cells(ASSIGNMENT))


def test_solution_cells_hold_the_reference(generated):
    notebook = json.loads(source_path(generated).read_text(encoding="utf-8"))
    answers = {grade_id: text(cell(notebook, grade_id)) for grade_id in
               [*NAMES.values(), SOLVER_CELL]}
    for source in answers.values():
        assert source.count("### BEGIN SOLUTION") == source.count("### END SOLUTION") == 1
    assert 'DZ_DB = "2*x + 3*y"' in answers["answer-derive-dz-db"]
    assert "60.714286" in answers["answer-iterate-by-hand"]
    solver = answers[SOLVER_CELL]
    assert solver.startswith("def double_variable_new(w, b, t):")
    assert "def factor_of_b(x: float, y: float) -> float:" in solver  # helpers it calls
    namespace: dict = {}
    exec(solver, namespace)  # the cell alone reproduces the reference's trace
    assert namespace["double_variable_new"].__code__.co_argcount == 3


def hidden_blocks(source: str) -> tuple[str, str]:
    """(outside, inside) the HIDDEN TESTS markers."""
    inside = re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", source, re.S)
    outside = re.sub(r"### BEGIN HIDDEN TESTS\n.*?### END HIDDEN TESTS", "", source,
                     flags=re.S)
    return outside, "".join(inside)


def test_hidden_cases_are_only_inside_hidden_blocks(generated):
    notebook = json.loads(source_path(generated).read_text(encoding="utf-8"))
    hidden = [c for c in ASSIGNMENT.by_id["two-variable-solver"].cases
              if c.visibility != "visible"]
    for graded_cell in all_graded_cells(ASSIGNMENT):
        outside, inside = hidden_blocks(text(cell(notebook, graded_cell.grade_id)))
        for case in hidden:
            args = json.dumps(list(case.args.values()))
            assert args not in outside and case.name not in outside
        if "hidden" in graded_cell.grade_id:
            assert "_function.case_score(double_variable_new" in inside
    outside, inside = hidden_blocks(text(cell(notebook, "test-derive-dz-db")))
    assert "2*x + 3*y" in inside and "2*x + 3*y" not in outside


def test_release_notebook_is_stripped_and_ends_with_the_public_checks(generated):
    notebook = json.loads(release_path(generated).read_text(encoding="utf-8"))
    whole = release_path(generated).read_text(encoding="utf-8")
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "factor_of_b"):
        assert marker not in whole
    assert "raise NotImplementedError()" in text(cell(notebook, SOLVER_CELL))
    last = [text(c) for c in notebook["cells"][-3:]]
    assert last == ["check('derive-dz-db')", "check('iterate-by-hand')",
                    "check('two-variable-solver')"]
    assert (release_path(generated).parent / "test_public.py").is_file()


# --- grader check on notebooks -----------------------------------------------------------


def test_the_source_notebook_scores_full_marks_and_the_release_zero(generated):
    code, report = graded(source_path(generated))
    assert code == 0 and exercise_scores(report) == POINTS
    code, report = graded(release_path(generated))
    assert code == 1 and exercise_scores(report) == dict.fromkeys(POINTS, 0.0)


def test_a_new_assignments_notebooks_need_no_grader_code(tmp_path):
    """Chapter 2.2's fixture course (math.log in the reference, its own trace format)."""
    course, out = tmp_path / "course", tmp_path / "out"
    shutil.copytree(ROOT / "tests" / "fixtures" / "nonlinear-course", course)
    assert run_grader("--course", str(course), "generate", "--out", str(out)).returncode == 0
    source = next((out / "nbgrader" / "source").glob("*/*.ipynb"))
    MetadataValidator().validate_nb(nbformat.read(str(source), as_version=4))
    release = next((out / "release").glob("*/*.ipynb"))
    for path, code in ((source, 0), (release, 1)):
        proc = run_grader("--course", str(course), "check", "--json", str(path))
        report = json.loads(proc.stdout)
        assert proc.returncode == code
        assert report["score"] == (report["max_score"] if code == 0 else 0), report


@pytest.mark.parametrize("name", ["fixed_factors.py", "value_instead_of_expression.py"])
def test_a_notebook_scores_as_the_same_answers_in_a_py(name, generated, tmp_path):
    source = (SUBMISSIONS / name).read_text(encoding="utf-8")
    path = write_notebook(answered(release_path(generated), source), tmp_path)
    _, from_notebook = graded(path)
    _, from_py = graded(SUBMISSIONS / name)
    assert exercise_scores(from_notebook) == exercise_scores(from_py)
    assert [t["status"] for t in from_notebook["tests"]] == \
        [t["status"] for t in from_py["tests"]]


CORRECT_SOLVER = (SUBMISSIONS / "correct_chapter_style.py").read_text(encoding="utf-8")


def test_an_edited_test_cell_cannot_change_the_score(generated, tmp_path):
    fixed = (SUBMISSIONS / "fixed_factors.py").read_text(encoding="utf-8")
    notebook = answered(release_path(generated), fixed)
    _, before = graded(write_notebook(notebook, tmp_path / "plain"))
    edited = copy.deepcopy(notebook)  # the correct solver typed into the locked test cells
    for c in edited["cells"]:
        if c["metadata"].get("nbgrader", {}).get("grade"):
            c["source"] = CORRECT_SOLVER
    _, after = graded(write_notebook(edited, tmp_path / "edited"))
    assert exercise_scores(after) == exercise_scores(before)
    assert exercise_scores(before)["two-variable-solver"] == 0.0
    # Control: the same code in a cell of the student's own does count.
    own = copy.deepcopy(notebook)
    own["cells"].append(nbformat.v4.new_code_cell(CORRECT_SOLVER))
    _, counted = graded(write_notebook(own, tmp_path / "own"))
    assert exercise_scores(counted)["two-variable-solver"] == 6.0


def test_cells_run_one_by_one_quietly_with_magics_skipped(generated, tmp_path):
    notebook = answered(release_path(generated), CORRECT_SOLVER)
    extra = [nbformat.v4.new_code_cell(source) for source in (
        "raise RuntimeError('a broken cell stops only itself')",
        "def half_typed(:\n    pass  # a cell that does not compile stops only itself too",
        "%matplotlib inline\n!pip install nothing\nimport math",
        "%%bash\necho this is not Python",
        "double_variable_new(3, 4, 150)  # looking at the trace: not part of the answer",
        "display(math.pi)\nprint('debugging')",
    )]
    notebook["cells"][1:1] = extra[:2]
    notebook["cells"] += extra[2:]
    notebook["cells"].append(nbformat.v4.new_markdown_cell("**not code** `x = (`"))
    code, report = graded(write_notebook(notebook, tmp_path))
    assert code == 0 and exercise_scores(report) == POINTS
    for test in report["tests"]:
        assert "ignored" not in test["output"]  # nothing the cells printed reached a trace


@pytest.mark.parametrize(("content", "words"), [
    ("not json at all", "it is not JSON"),
    ('{"cells": "none"}', "not a Jupyter notebook"),
    ('[1, 2, 3]', "not a Jupyter notebook"),
    ('{"worksheets": [], "nbformat": 3}', "old notebook format 3"),
    ('{"cells": [{"source": "x = 1"}]}', "cell 1 is not a notebook cell"),
])
def test_a_file_that_is_no_notebook_is_a_graded_failure(content, words, tmp_path):
    path = tmp_path / "linear_backprop.ipynb"
    path.write_text(content, encoding="utf-8")
    code, report = graded(path)
    assert code == 1 and report["score"] == 0
    assert all("not a valid .ipynb" in t["output"] and words in t["output"]
               for t in report["tests"])


def test_instructor_cells_and_magic_lines_are_told_apart():
    def meta(**flags: bool) -> dict:
        return {"metadata": {"nbgrader": flags}}

    assert is_instructors(meta(grade=True, solution=False, locked=True))
    assert is_instructors(meta(grade=False, solution=False, locked=True))
    assert not is_instructors(meta(grade=True, solution=True, locked=False))
    assert not is_instructors({"metadata": {}}) and not is_instructors({})
    kept = without_magics("print('%f'\n      % 1.0)\nok = 1 != 2\n%time x = 1")
    assert kept == "print('%f'\n      % 1.0)\nok = 1 != 2\n# %time x = 1"
    assert without_magics("%%writefile a.txt\nhello") is None
    code = notebook_code(json.dumps({"cells": [
        {"cell_type": "code", "metadata": {}, "source": ["x = 'é😀'\n", "y = x"]}]}))
    assert code.cells[-1] == ("<cell 1>", "x = 'é😀'\ny = x")
    namespace: dict = {}
    exec(compile(code.script, "m", "exec"), namespace)
    assert namespace["y"] == "é😀"


def test_a_lone_surrogate_in_a_cell_is_graded_not_a_crash(generated, tmp_path):
    """JSON can spell a lone surrogate ("\\ud800"); no file or hash can hold one."""
    notebook = answered(release_path(generated), CORRECT_SOLVER)
    notebook["cells"].append(nbformat.v4.new_code_cell("note = 'broken \ud800 text'"))
    path = tmp_path / "linear_backprop.ipynb"
    path.write_text(json.dumps(notebook), encoding="ascii")  # the surrogate as an escape
    code, report = graded(path)
    assert code == 0 and exercise_scores(report) == POINTS


def test_the_digest_tells_cells_apart_from_the_script_they_make(tmp_path):
    """Rerunning skips a submission whose digest is unchanged: one cell holding what looks
    like two must not pass for two cells, which run each on its own."""
    def code(*sources: str) -> NotebookCode:
        return notebook_code(json.dumps({"cells": [
            {"cell_type": "code", "metadata": {}, "source": s} for s in sources]}))

    one, two = code("A = 0\n\n\n# In[2]:\n\nA = 1"), code("A = 0", "A = 1")
    assert one.script == two.script
    path = tmp_path / "linear_backprop.ipynb"
    digests = {Submission(path, c.script, cells=c.cells).digest for c in (one, two)}
    assert len(digests) == 2
