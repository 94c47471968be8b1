"""Notebooks from the specs, built with nbformat and checked as nbgrader checks them.

The source notebook (nbgrader's `source/<id>/`) holds the prompts, the reference between
solution markers and the autograder test cells with their hidden tests. The student's
release is that notebook put through nbgrader's own preprocessors (the ones
`nbgrader generate_assignment` runs that need no gradebook), so both releases agree; it ends
with read-only cells running the public checks in place.
nbformat and nbgrader are imported only here: importing them costs seconds, which only
`grader generate` pays, never `grader check`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from grader.errors import GraderError
from grader.kinds import kind_of
from grader.kinds.shipped import notebook_cell
from grader.notebooks.cells import GradedCell
from grader.spec.loader import Assignment

SCHEMA_VERSION = 3
PUBLIC_TESTS = "test_public.py"
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def nbgrader_metadata(grade_id: str, *, grade: bool = False, solution: bool = False,
                      locked: bool = False, points: float | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"grade": grade, "grade_id": grade_id, "locked": locked,
                            "schema_version": SCHEMA_VERSION, "solution": solution}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def all_graded_cells(assignment: Assignment) -> list[GradedCell]:
    return [cell for exercise in assignment.exercises
            for cell in kind_of(exercise).test_cells(assignment, exercise)]


def source_notebook(assignment: Assignment, env: jinja2.Environment) -> Any:
    """The instructor's notebook: everything nbgrader needs to release and to grade."""
    from nbformat import v4

    def markdown(text: str, grade_id: str) -> Any:
        return v4.new_markdown_cell(text.strip(), metadata=nbgrader_metadata(grade_id,
                                                                             locked=True))

    def code(text: str, grade_id: str, **flags: Any) -> Any:
        return v4.new_code_cell(text.rstrip(), metadata=nbgrader_metadata(grade_id, **flags))

    cells = [markdown(env.get_template("notebook/intro.md.j2").render(assignment=assignment),
                      "intro"),
             code(notebook_cell(), "helpers", locked=True)]
    for number, exercise in enumerate(assignment.exercises, 1):
        prompt = env.get_template("notebook/exercise.md.j2").render(
            number=number, exercise=exercise, prompt=prompt_markdown(exercise.prompt))
        cells.append(markdown(prompt, f"prompt-{exercise.id}"))
        cells.append(code(kind_of(exercise).answer_cell(assignment, exercise),
                          f"answer-{exercise.id}",
                          solution=True))
        cells += [code(cell.source, cell.grade_id, grade=True, locked=True, points=cell.points)
                  for cell in kind_of(exercise).test_cells(assignment, exercise)]
    cells.append(markdown("## Check your answers\n\nRun every cell above first. Each cell "
                          "below runs the public checks of one exercise on your answers.",
                          "checks-intro"))
    cells.append(code(env.get_template("notebook/checks.py.j2").render(
        public_tests=PUBLIC_TESTS), "checks-setup", locked=True))
    cells += [code(f"check({exercise.id!r})", f"check-{exercise.id}", locked=True)
              for exercise in assignment.exercises]
    for cell in cells:  # stable ids: regenerating an unchanged spec gives the same file
        cell.id = cell.metadata["nbgrader"]["grade_id"]
    return v4.new_notebook(cells=cells, metadata={"kernelspec": dict(KERNELSPEC),
                                                  "language_info": {"name": "python"}})


def prompt_markdown(prompt: str) -> str:
    """Spec prompts are plain text; their indented lines (printed formats) become code blocks."""
    out: list[str] = []
    in_code = False
    for line in prompt.strip().splitlines():
        indented = line.startswith("    ")
        if indented != in_code:
            out += ["", "```"] if indented else ["```", ""]
            in_code = indented
        out.append(line.strip() if indented else line)
    if in_code:
        out.append("```")
    return "\n".join(out)


def release_notebook(source: Any) -> Any:
    """The student's copy, stripped by nbgrader's preprocessors as generate_assignment does."""
    import copy

    from nbgrader.preprocessors import (
        ClearHiddenTests,
        ClearOutput,
        ClearSolutions,
        ComputeChecksums,
        LockCells,
    )

    notebook, resources = copy.deepcopy(source), {}
    for step in (LockCells(), ClearSolutions(), ClearOutput(), ComputeChecksums(),
                 ClearHiddenTests(), ComputeChecksums()):
        notebook, resources = step.preprocess(notebook, resources)
    return notebook


def write(notebook: Any, path: Path) -> Path:
    """Validate with nbformat and with nbgrader's metadata checks, then write."""
    import nbformat
    from nbgrader.nbgraderformat import MetadataValidator, ValidationError

    try:
        nbformat.validate(notebook)
        MetadataValidator().validate_nb(notebook)
    except (nbformat.ValidationError, ValidationError) as exc:  # our bug, not the spec's
        raise GraderError(f"{path}: the generated notebook is not valid: {exc}") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(path))
    return path


def notebook_file(assignment: Assignment) -> str:
    return f"{assignment.spec.module}.ipynb"


def render_release_notebook(assignment: Assignment, folder: Path, env: jinja2.Environment
                            ) -> Path:
    """`<folder>/<module>.ipynb` for students; `folder` already holds the public checks."""
    return write(release_notebook(source_notebook(assignment, env)),
                 folder / notebook_file(assignment))
