"""A student's notebook as code cells the sandbox runs the way nbgrader's kernel runs them.

Plain `json`, no nbformat: importing nbformat costs a second `grader check` must not pay.
- Only the student's code cells run. The instructor's cells (nbgrader test cells and
  read-only cells: `grade` or `locked`, not `solution`, as nbgrader's `is_locked` says) are
  dropped: nbgrader overwrites them with its own copy before grading, and the grader scores
  with its hidden checks, so what a student typed into them can change nothing either way.
- Each cell runs on its own, as in a kernel under nbgrader autograde: an error in one
  (the release's `raise NotImplementedError()`), or a cell that does not compile, does not
  stop the next (the harness compiles each cell once, and runs them in order).
- What cells print while the notebook loads is dropped (by the harness, as for a .py): a cell
  that calls the student's solver to look at it must not add lines to the trace.
- IPython magics and shell lines are commented out; cells of a non-Python cell magic
  (`%%bash`, `%%writefile`...) are skipped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

# IPython's display(), which notebooks call without importing it; runs before the cells
PRELUDE = ("<notebook>", "def display(*objects, **options):\n    pass\n")
PYTHON_CELL_MAGICS = ("%%time", "%%timeit", "%%capture")
# `%time ...`, `!pip ...`; not `% (a, b)` or `!= x`, which continue an expression
_MAGIC_LINE = re.compile(r"^\s*(?:%%?[A-Za-z_]|![A-Za-z_./~\"'])")


class NotebookProblem(ValueError):
    """The text is not a notebook this grader can read; str() says why, for the student."""


@dataclass(frozen=True)
class CodeCell:
    number: int  # 1-based position among all the notebook's cells, as Jupyter shows them
    source: str


@dataclass(frozen=True)
class NotebookCode:
    script: str  # what is hashed, and what the sandbox's module file holds
    cells: tuple[tuple[str, str], ...]  # what runs


def notebook_code(text: str, name: str = "notebook.ipynb") -> NotebookCode:
    cells = student_code_cells(parse(text))
    return NotebookCode(script_source(cells, name), cells_to_run(cells))


def parse(text: str) -> dict[str, Any]:
    try:
        notebook = json.loads(text)
    except ValueError as exc:
        raise NotebookProblem(f"it is not JSON ({exc}).") from None
    except RecursionError:  # json's C parser recurses once per level of [ or {
        raise NotebookProblem("it is not a notebook: its JSON is nested too deeply.") from None
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
        # a lone surrogate ("\ud800" in the JSON) is no text Python or a file can hold
        python = without_magics(source.encode("utf-8", "replace").decode("utf-8"))
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


def cells_to_run(cells: list[CodeCell]) -> tuple[tuple[str, str], ...]:
    """(name, source) of each cell, in order, for the harness to run each on its own."""
    return (PRELUDE, *((f"<cell {cell.number}>", cell.source) for cell in cells))


def script_source(cells: list[CodeCell], name: str) -> str:
    """The code cells as one readable file, like `jupyter nbconvert --to script`."""
    listed = "".join(f"\n\n# In[{cell.number}]:\n\n{cell.source}\n" for cell in cells)
    return f"# The code cells of {name}, each run on its own as in a kernel.\n{listed}"
