"""A student's notebook as a module the sandbox can run, the way nbgrader's kernel runs it.

Plain `json`, no nbformat: importing nbformat costs a second `grader check` must not pay.
- Only the student's code cells run. The instructor's cells (nbgrader test cells and
  read-only cells: `grade` or `locked`, not `solution`, as nbgrader's `is_locked` says) are
  dropped: nbgrader overwrites them with its own copy before grading, and the grader scores
  with its hidden checks, so what a student typed into them can change nothing either way.
- Each cell runs on its own, as in a kernel under nbgrader autograde: an error in one
  (the release's `raise NotImplementedError()`) does not stop the next.
- What cells print while the notebook loads is dropped: a cell that calls the student's
  solver to look at it must not add lines to the trace the grader reads afterwards.
- IPython magics and shell lines are commented out; cells of a non-Python cell magic
  (`%%bash`, `%%writefile`...) are skipped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

PYTHON_CELL_MAGICS = ("%%time", "%%timeit", "%%capture")
# `%time ...`, `!pip ...`; not `% (a, b)` or `!= x`, which continue an expression
_MAGIC_LINE = re.compile(r"^\s*(?:%%?[A-Za-z_]|![A-Za-z_./~\"'])")


class NotebookProblem(ValueError):
    """The text is not a notebook this grader can read; str() says why, for the student."""


@dataclass(frozen=True)
class CodeCell:
    number: int  # 1-based position among all the notebook's cells, as Jupyter shows them
    source: str


def module_from_notebook(text: str, name: str = "notebook.ipynb") -> str:
    return module_source(student_code_cells(parse(text)), name)


def parse(text: str) -> dict[str, Any]:
    try:
        notebook = json.loads(text)
    except ValueError as exc:
        raise NotebookProblem(f"it is not JSON ({exc}).") from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        if isinstance(notebook, dict) and "worksheets" in notebook:
            raise NotebookProblem("it is in the old notebook format 3.")
        raise NotebookProblem("it is JSON, but not a Jupyter notebook (it has no list of "
                              "cells).")
    return notebook


def student_code_cells(notebook: dict[str, Any]) -> list[CodeCell]:
    cells = []
    for number, cell in enumerate(notebook["cells"], 1):
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str):
            raise NotebookProblem(f"cell {number} is not a notebook cell.")
        if cell["cell_type"] != "code" or is_instructors(cell):
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(part, str) for part in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise NotebookProblem(f"cell {number} has no readable source.")
        python = without_magics(source)
        if python is not None:
            cells.append(CodeCell(number, python))
    return cells


def is_instructors(cell: dict[str, Any]) -> bool:
    """nbgrader's locked cells: test cells, and read-only ones; never answer cells."""
    metadata = cell.get("metadata")
    meta = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    if not isinstance(meta, dict) or meta.get("solution") is True:
        return False
    return meta.get("grade") is True or meta.get("locked") is True


def without_magics(source: str) -> str | None:
    """The cell as Python, or None for a cell that is not Python at all."""
    lines = source.splitlines()
    first = lines[0].strip() if lines else ""
    if first.startswith("%%"):
        if not first.startswith(PYTHON_CELL_MAGICS):
            return None
        lines = lines[1:]
    return "\n".join(f"# {line}" if _MAGIC_LINE.match(line) else line for line in lines)


def module_source(cells: list[CodeCell], name: str) -> str:
    """A module that runs the cells in order, each on its own, quietly."""
    listed = "".join(f"    ({cell.number}, {cell.source!r}),\n" for cell in cells)
    return f'''"""The code cells of {name}, as the grader runs them (one by one, like a kernel)."""
import contextlib as __grader_contextlib
import io as __grader_io


def display(*objects, **options):  # IPython's, which notebooks call without importing it
    pass


for __grader_number, __grader_code in [
{listed}]:
    try:
        with __grader_contextlib.redirect_stdout(__grader_io.StringIO()), \\
                __grader_contextlib.redirect_stderr(__grader_io.StringIO()):
            exec(compile(__grader_code, f"<cell {{__grader_number}}>", "exec"), globals())
    except (Exception, SystemExit):  # as in a kernel: the next cell still runs
        pass
'''
