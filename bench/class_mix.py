"""The benchmark's classes: a realistic mix in which every typical mistake has a stated share,
nothing left out for being slow, and a class of correct work only.

Each kind is one whole student file: tests/submissions (the example submissions), two more
in bench/submissions (a missing solver, a wrong derivative that is not a known mistake), and
the blank stub as `grader generate` releases it. Kinds are interleaved by a smooth weighted
round robin, so that any first N students of a class hold the shares as nearly as N allows.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import nbgrader_class

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "tests" / "submissions"
OURS = Path(__file__).resolve().parent / "submissions"
STUB = "blank_stub.py"

# (file, share in % of the class); they add up to 100
REALISTIC = [
    ("correct_chapter_style.py", 12), ("correct_fstrings.py", 9),
    ("correct_with_debug_prints.py", 8), ("correct_with_top_level_call.py", 7),
    ("fixed_factors.py", 6), ("not_halved.py", 6), ("wrong_sign.py", 5),
    ("stop_at_1e-4.py", 6), ("no_abs.py", 5), ("w_updated_first.py", 3),
    ("one_path_missing.py", 5), ("wrong_derivative.py", 3), ("value_instead_of_expression.py", 3),
    ("hand_fixed_63.py", 5), ("hand_row_slip.py", 4),
    ("syntax_error.py", 3), ("missing_solver.py", 3), (STUB, 3), ("missing_name.py", 1),
    ("infinite_loop.py", 1), ("solver_crashes.py", 1), ("html_injection.py", 1),
]
CORRECT_ONLY = [("correct_chapter_style.py", 25), ("correct_fstrings.py", 25),
                ("correct_with_debug_prints.py", 25), ("correct_with_top_level_call.py", 25)]
assert sum(share for _, share in REALISTIC) == 100


def order(shares: list[tuple[str, int]], count: int) -> list[str]:
    """`count` kinds, interleaved: each step takes the kind furthest behind its share."""
    credit = dict.fromkeys((name for name, _ in shares), 0)
    total = sum(share for _, share in shares)
    chosen = []
    for _ in range(count):
        for name, share in shares:
            credit[name] += share
        pick = max(credit, key=credit.__getitem__)
        credit[pick] -= total
        chosen.append(pick)
    return chosen


class Sources:
    """Where each kind's text comes from; the stub is generated once, as students get it."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="bench-stub-"))
        subprocess.run([sys.executable, "-m", "grader", "generate", "--out", str(self.folder)],
                       check=True, capture_output=True, cwd=ROOT)
        self.stub = next(self.folder.glob("release/*/linear_backprop.py"))

    def path(self, name: str) -> Path:
        if name == STUB:
            return self.stub
        return OURS / name if (OURS / name).exists() else EXAMPLES / name

    def text(self, name: str) -> str:
        return self.path(name).read_text(encoding="utf-8")

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def build_class(folder: Path, kinds: list[str], sources: Sources, notebook: bool) -> None:
    """One folder per student, named by index and kind, holding that kind's file."""
    for i, kind in enumerate(kinds):
        student = folder / f"s{i:04d}-{Path(kind).stem}"
        student.mkdir(parents=True)
        if notebook:
            nb = nbgrader_class.student_notebook(sources.text(kind))
            nbformat.write(nb, student / "linear_backprop.ipynb")
        else:
            shutil.copy(sources.path(kind), student / "linear_backprop.py")


def describe(shares: list[tuple[str, int]]) -> str:
    return ", ".join(f"{Path(name).stem} {share}%" for name, share in shares)
