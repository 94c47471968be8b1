"""The `returns` kind, added behind the kind interface: its folder, its templates and one
registry name. Graded end to end on a fixture assignment, and its rule on plain data."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, exercise_scores, run_grader

from grader.kinds.returns.compare import envelope, first_difference

COURSE = ROOT / "tests" / "fixtures" / "forward-course"

SUBMISSIONS = {  # source -> (points of 3, what the feedback must say)
    "def forward(w, b):\n    x = 2*w + 3*b\n    y = 2*b + 1\n    return x, y, x*y\n":
        (3, "it returns the reference's value"),
    "def forward(w, b):\n    x = 2*w + 3*b\n    y = 2*b + 1\n    return [x, y, x*y]\n":
        (3, "it returns the reference's value"),
    "def forward(w, b):\n    return (2*w + 3*b) * (2*b + 1)\n":
        (0, "it returns a float, the reference a tuple of 3"),
    "def forward(w, b):\n    return 2*w + 3*b, 2*b + 1\n":
        (0, "the sequence has 2 entries, the reference's 3"),
    "def forward(w, b):\n    x = 2*w + 3*b\n    y = 2*b\n    return x, y, x*y\n":
        (0, "the entry at [1] is 8.0, the reference has 9.0"),
    "def forward(w, b):\n    print(2*w + 3*b, 2*b + 1)\n":
        (0, "it returns a NoneType, the reference a tuple of 3"),
    "def forward(w, b):\n    return 'x', 'y', 'z'\n":
        (0, "the entry at [0] is 'x', not a number"),
}


@pytest.mark.parametrize("source", list(SUBMISSIONS), ids=range(len(SUBMISSIONS)))
def test_returned_values_are_graded_with_clear_messages(source: str, tmp_path: Path):
    path = tmp_path / "forward_pass.py"
    path.write_text(source, encoding="utf-8")
    proc = run_grader("--course", str(COURSE), "check", "--json", str(path))
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    points, message = SUBMISSIONS[source]
    assert exercise_scores(report) == {"forward": points}
    visible = next(t for t in report["tests"] if t["name"] == "forward: chapter-start")
    assert message in visible["output"], visible["output"]


def test_validate_and_the_public_checks_agree_with_the_grader(tmp_path: Path):
    assert run_grader("--course", str(COURSE), "validate").returncode == 0
    out = tmp_path / "out"
    assert run_grader("--course", str(COURSE), "generate", "--out", str(out)).returncode == 0
    release = out / "release" / "forward-pass"
    for source, (points, _) in SUBMISSIONS.items():
        folder = tmp_path / f"try{len(list(tmp_path.iterdir()))}"
        shutil.copytree(release, folder)
        (folder / "forward_pass.py").write_text(source, encoding="utf-8")
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                               "test_public.py"], cwd=folder, capture_output=True, text=True)
        assert (proc.returncode == 0) == (points == 3), (source, proc.stdout)
    assert (release / "grader_rules" / "returns" / "compare.py").is_file()
    assert (release / "forward_pass.ipynb").is_file()


def test_numpy_arrays_compare_by_shape_dtype_kind_and_values():
    want = envelope(np.array([18.0, 9.0, 162.0]))
    assert first_difference(envelope(np.array([18.0, 9.0, 162.0 + 1e-9])), want, 1e-6) == ""
    assert "shape (3, 1)" in first_difference(envelope(np.zeros((3, 1))), want, 1e-6)
    assert "dtype kind is 'i'" in first_difference(envelope(np.array([18, 9, 162])), want,
                                                    1e-6)
    assert "the entry at [2] is 160.0" in first_difference(
        envelope(np.array([18.0, 9.0, 160.0])), want, 1e-6)
    assert "not a numpy array" in first_difference(envelope([18.0, 9.0, 162.0]), want, 1e-6)


def test_nested_values_and_non_finite_numbers():
    want = envelope({"x": 18.0, "grads": (63.0, 18.0)})
    assert first_difference(envelope({"x": 18.0, "grads": [63.0, 18.0]}), want, 1e-9) == ""
    assert "lacks the key 'grads'" in first_difference(envelope({"x": 18.0}), want, 1e-9)
    assert "['grads'][0] is 'nan'" in first_difference(
        envelope({"x": 18.0, "grads": (float("nan"), 18.0)}), want, 1e-9)
