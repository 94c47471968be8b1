"""`grader generate`: render, from the specs, what students get and what the grader runs.

Per assignment: `release/<id>/` (the stub, the public checks) and `autograder/<id>/` (the
hidden pytest checks, with copies of the specs and reference modules they grade against).
Everything is rendered into a temporary folder first and moved into place at the end, so a
broken spec leaves the previous output untouched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import jinja2

from grader import TEMPLATES
from grader.checks import check_infos
from grader.errors import GraderError
from grader.kinds import NAMES, kind_of
from grader.kinds.shipped import ship
from grader.spec.assignment import Assignment

HIDDEN_TESTS = "test_hidden.py"


def main(*, course: Path, out: Path) -> list[Path]:
    """Render every assignment of `course` into `out`; return the folders written."""
    # here, not above: `grader grade` renders its hidden tests from the validated snapshot,
    # without pydantic, YAML or nbformat (grader.spec.snapshot)
    from grader.notebooks import nbgrader_course
    from grader.spec.loader import find_assignments, load_assignment

    assignments = [load_assignment(folder) for folder in find_assignments(course).values()]
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".grader-generate-", dir=out.parent) as staging:
        stage = Path(staging)
        written = []
        env, notebooks = environment(course), stage / "nbgrader"
        for assignment in assignments:
            release = render_release(assignment, stage / "release" / assignment.id)
            written.append(release)
            written.append(render_autograder(assignment, course, stage / "autograder" /
                                             assignment.id))
            # the release notebook, and the nbgrader course's source/<id>/
            written.append(nbgrader_course.render(assignment, release, notebooks, env))
        nbgrader_course.render_config(assignments, notebooks, env)
        for part in ("release", "autograder"):
            _replace(stage / part, out / part)
        nbgrader_course.publish(notebooks, out / "nbgrader")  # keeps the gradebook, submissions
    return [out / path.relative_to(stage) for path in written]


def environment(course: Path | None = None) -> jinja2.Environment:
    folders = [str(p) for p in (course and course / "templates", TEMPLATES) if p]
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(folders), trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined, autoescape=False)
    env.filters["points"] = lambda p: f"{p:g} point" + ("" if p == 1 else "s")
    env.filters["number"] = lambda v: f"{v:.10g}"
    env.filters["py"] = repr  # a Python literal of plain data
    return env


def render_release(assignment: Assignment, folder: Path, course: Path | None = None) -> Path:
    env = environment(course)
    folder.mkdir(parents=True)
    data = {ex.id: kind_of(ex).public_data(assignment, ex) for ex in assignment.exercises}
    used = {ex.kind for ex in assignment.exercises}
    context = {"assignment": assignment, "public_data": data,
               "kinds": [name for name in NAMES if name in used]}
    ship(folder)  # the grader's own student-side checks, which test_public.py imports
    (folder / assignment.module_file).write_text(
        env.get_template("student_stub.py.j2").render(context), encoding="utf-8")
    (folder / "test_public.py").write_text(
        env.get_template("public_tests.py.j2").render(context), encoding="utf-8")
    return folder


def render_hidden_tests(assignment: Assignment, folder: Path, course: Path | None = None) -> Path:
    """The hidden pytest file (and an empty pytest.ini pinning pytest's root) in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    text = environment(course).get_template("hidden_tests.py.j2").render(
        assignment=assignment, checks=check_infos(assignment))
    (folder / HIDDEN_TESTS).write_text(text, encoding="utf-8")
    (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    return folder


def render_autograder(assignment: Assignment, course: Path, folder: Path) -> Path:
    render_hidden_tests(assignment, folder / "tests", course)
    spec_copy = folder / "exercises" / assignment.folder.name
    shutil.copytree(assignment.folder, spec_copy)
    for source in filter(None, (assignment.solution_path, assignment.variants_path)):
        target = _relative_target(assignment, source, spec_copy)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    return folder


def _relative_target(assignment: Assignment, source: Path, spec_copy: Path) -> Path:
    """Where `source` lands so that the copied spec's relative path still points at it."""
    relative = os.path.relpath(source, assignment.folder)
    return Path(os.path.normpath(spec_copy / relative))


def _replace(new: Path, old: Path) -> None:
    if not new.exists():
        return
    if old.exists():
        if not old.is_dir():
            raise GraderError(f"{old}: exists and is not a folder")
        trash = old.with_name(f".{old.name}.old")
        shutil.rmtree(trash, ignore_errors=True)
        old.rename(trash)
        new.rename(old)
        shutil.rmtree(trash)
    else:
        old.parent.mkdir(parents=True, exist_ok=True)
        new.rename(old)
