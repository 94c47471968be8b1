"""The public checks bound what they run: a student's endless loop or runaway memory ends the
check with a message, in `python -m pytest test_public.py` and in the notebook's cells."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run_grader

from grader.kinds.shipped import notebook_cell

REFERENCE = (ROOT / "solutions" / "linear_backprop.py").read_text(encoding="utf-8")
SIGNATURE = "def double_variable_new(w: float, b: float, t: float) -> None:"
assert SIGNATURE in REFERENCE
ENDLESS = REFERENCE.replace(SIGNATURE,
                            SIGNATURE + "\n    while True:\n        pass\n")
# Untouched allocations (numpy.empty): only the address-space limit stops them, and fast.
HUNGRY = REFERENCE.replace(SIGNATURE,
                           SIGNATURE + "\n    import numpy\n    hoard = []\n    while True:\n"
                           "        hoard.append(numpy.empty(1 << 24))\n")
STUCK_IMPORT = REFERENCE + "\nwhile True:\n    pass\n"


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "out"
    assert run_grader("generate", "--out", str(out)).returncode == 0
    return out / "release" / "linear-backprop"


def public_checks(release: Path, folder: Path, source: str) -> subprocess.CompletedProcess:
    shutil.copytree(release, folder)
    (folder / "linear_backprop.py").write_text(source, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "test_public.py"], cwd=folder, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize(("source", "message"), [
    (ENDLESS, "did not finish within the time limit (1 s)"),
    (HUNGRY, "ran out of memory"),
    (STUCK_IMPORT, "importing linear_backprop did not finish within 10 s"),
], ids=["endless", "hungry", "stuck-import"])
def test_a_runaway_solver_fails_its_public_check_with_a_message(
        release: Path, tmp_path: Path, source: str, message: str):
    proc = public_checks(release, tmp_path / "try", source)
    assert proc.returncode == 1, proc.stdout
    assert message in proc.stdout, proc.stdout


def test_a_notebook_cell_ends_an_endless_solver_too():
    namespace: dict = {}
    exec(notebook_cell(), namespace)

    def double_variable_new(w, b, t):  # noqa: ANN001, ANN202 - the student's runaway
        while True:
            pass

    with pytest.raises(AssertionError, match="did not finish within the time limit"):
        namespace["_function"].case_score(double_variable_new, [3, 4, 150], {
            "iterations": [], "finals": {}}, {"iteration_keys": ["w"]}, 1e-4, 0.5, 3.0)
