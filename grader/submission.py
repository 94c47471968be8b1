"""Find and read a submission: a `.py`, an `.ipynb`, or a folder holding one.

Reading a file is the only thing done with it here; its code runs in the sandbox only.
A notebook becomes its code cells, which the sandbox runs one by one as nbgrader's kernel
does (`grader.notebooks.source`); markdown and outputs are ignored.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from grader.errors import GraderError
from grader.notebooks.source import NotebookProblem, notebook_code

SUFFIXES = (".py", ".ipynb")
MAX_BYTES = 2 << 20
NOTEBOOK_MAX_BYTES = 32 << 20  # outputs (plots) make notebooks large; they are not read


@dataclass(frozen=True)
class Submission:
    path: Path
    source: str  # a .py's source, which runs; a notebook's cells as one script (hashed, and
    # the sandbox's module file), while `cells` run; "" when `problem` is set
    problem: str = ""  # the file cannot be run at all: a graded failure, with this message
    cells: tuple[tuple[str, str], ...] = ()  # a notebook's (name, source) cells, each run alone

    @property
    def digest(self) -> str:
        """What was run: a notebook's cells count, not only the script they make."""
        what = json.dumps([self.source, self.problem, self.cells])  # ASCII, whatever the text
        return hashlib.sha256(what.encode()).hexdigest()


def locate(path: Path, module: str | None = None) -> Path:
    """The submission file at `path` (a file, or a folder holding exactly one candidate)."""
    if not path.exists():
        raise GraderError(f"{path}: no such file or folder")
    if path.is_file():
        if path.suffix not in SUFFIXES:
            raise GraderError(f"{path}: not a .py or .ipynb file")
        return path
    candidates = sorted(p for p in path.iterdir() if p.suffix in SUFFIXES and p.is_file()
                        and not p.name.startswith(("test_", ".")))
    if module:
        named = [p for p in candidates if p.stem == module]
        candidates = named or candidates
    if len(candidates) != 1:
        found = ", ".join(p.name for p in candidates) or "none"
        raise GraderError(f"{path}: expected one submission file (.py or .ipynb), found {found}")
    return candidates[0]


def read(path: Path) -> Submission:
    limit = NOTEBOOK_MAX_BYTES if path.suffix == ".ipynb" else MAX_BYTES
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return Submission(path, "", f"the file cannot be read: {exc.strerror or exc}")
    if len(raw) > limit:
        return Submission(path, "", f"the file is larger than {limit >> 20} MiB")
    text = raw.decode("utf-8", "replace")
    if path.suffix == ".ipynb":
        return notebook_source(path, text)
    return Submission(path, text)


def notebook_source(path: Path, text: str) -> Submission:
    """The notebook's code cells; a file that is no notebook is a graded failure, said why."""
    try:
        code = notebook_code(text, path.name)
        return Submission(path, code.script, cells=code.cells)
    except NotebookProblem as problem:
        return Submission(path, "", f"the notebook is not a valid .ipynb file: {problem} "
                          "Open it in Jupyter and save it again")
