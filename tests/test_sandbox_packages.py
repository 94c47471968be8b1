"""The assignment's packages (numpy, matplotlib) in the sandbox: importable, headless,
read-only, and nothing else of site-packages. Graded end to end under the real bwrap."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.errors import GraderError
from grader.sandbox.bwrap import bwrap_path
from grader.sandbox.packages import visible
from grader.sandbox.probing import probe_submission
from grader.sandbox.protocol import Probe

ROOT = Path(__file__).resolve().parent.parent
CORRECT = (ROOT / "tests" / "submissions" / "correct_chapter_style.py").read_text()
PACKAGES = ("numpy", "matplotlib")
needs_bwrap = pytest.mark.skipif(bwrap_path() is None, reason="bubblewrap is not installed")
PLOTTING = '''import numpy as np
import matplotlib.pyplot as plt
from matplotlib import pyplot

''' + CORRECT + '''

steps = np.arange(1, 6)
plt.plot(steps, 150 / steps)
plt.title("|delta_z| per iteration")
plt.show()  # headless: does nothing
pyplot.figure().show()
'''


def check(tmp_path: Path, source: str) -> tuple[int, dict]:
    handin = tmp_path / "linear_backprop.py"
    handin.write_text(source)
    proc = subprocess.run([sys.executable, "-m", "grader", "check", "--json", str(handin)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={**os.environ, "GRADER_SANDBOX": ""})
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


@needs_bwrap
def test_a_submission_using_numpy_and_matplotlib_scores_full_marks(tmp_path: Path):
    code, report = check(tmp_path, PLOTTING)
    assert code == 0 and report["score"] == 10.0, report


@needs_bwrap
@pytest.mark.parametrize("package", ["requests", "pandas", "pydantic"])
def test_importing_anything_else_says_what_is_available(tmp_path: Path, package: str):
    code, report = check(tmp_path, f"import {package}\n" + CORRECT)
    assert code == 1 and report["score"] == 0.0
    outputs = {test["output"] for test in report["tests"]}
    assert any(f"No module named '{package}'" in out and
               "only the standard library and numpy, matplotlib are available" in out
               for out in outputs), outputs


SNOOP = '''
import json, os, sys
def probe():
    site = [p for p in sys.path if p.endswith("site-packages")][-1]
    facts = {"listing": sorted(os.listdir(site)), "written": []}
    for target in (site + "/numpy/evil.py", site + "/evil.py", site + "/numpy.libs/x"):
        try:
            open(target, "w").close()
            facts["written"].append(target)
        except OSError:
            pass
    for name in ("grader", "requests", "pytest", "sympy"):
        try:
            __import__(name)
            facts["written"].append("imported " + name)
        except ImportError:
            pass
    import matplotlib
    facts["backend"] = matplotlib.get_backend()
    facts["config"] = matplotlib.get_configdir()
    print(json.dumps(facts))
'''


@needs_bwrap
def test_only_the_declared_packages_are_there_and_none_can_be_written():
    run = probe_submission(SNOOP, (Probe("probe", "call", "probe", (), 20.0),),
                           module_file="linear_backprop.py", packages=PACKAGES)
    outcome = run.outcomes["probe"]
    assert outcome.ok, outcome.error
    facts = json.loads(outcome.stdout.strip().splitlines()[-1])
    assert facts["written"] == []
    tops = {name.split("-")[0].removesuffix(".py") for name in facts["listing"]}
    assert {"numpy", "matplotlib", "numpy.libs", "pylab"} <= tops
    assert not tops & {"grader", "requests", "pytest", "sympy", "pydantic", "pyseccomp",
                       "jinja2"}
    assert facts["backend"] == "module://harness_plotting"
    assert facts["config"].startswith("/tmp/")  # the sandbox's private /tmp


def test_the_closure_follows_requirements_and_refuses_what_is_not_installed():
    shown = visible(PACKAGES)
    inside = {Path(target).name for _, target in shown.binds}
    # matplotlib's own requirements, found through its metadata
    assert {"numpy", "numpy.libs", "matplotlib", "cycler", "pyparsing", "kiwisolver"} <= inside
    assert all(source == target for source, target in shown.binds)
    assert visible(()).binds == () and visible(()).harness_args == []
    with pytest.raises(GraderError, match="'no-such-dist', which is not installed"):
        visible(("no-such-dist",))


def test_a_submission_that_imports_nothing_extra_imports_nothing_extra():
    """The harness preloads only what the submission names: here, nothing of site-packages."""
    source = '''
import json, sys
def probe():
    print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in
                            ("numpy", "matplotlib", "PIL"))))
'''
    run = probe_submission(source, (Probe("probe", "call", "probe", (), 10.0),),
                           module_file="linear_backprop.py", packages=PACKAGES)
    assert json.loads(run.outcomes["probe"].stdout) == []


@needs_bwrap
def test_packages_are_mounted_only_for_a_submission_that_names_them():
    """Nothing of them for one that does not: it costs what it cost before packages existed;
    a name built at run time finds nothing and is told what there is."""
    source = '''
import json, os, sys
def probe():
    site = [p for p in sys.path if p.endswith("site-packages")]
    print(json.dumps({"path": site, "listing": [os.listdir(p) for p in site
                                                 if os.path.isdir(p)]}))
def dynamic():
    __import__("nu" + "mpy")
'''
    run = probe_submission(source, (Probe("probe", "call", "probe", (), 10.0),
                                    Probe("dynamic", "call", "dynamic", (), 10.0)),
                           module_file="linear_backprop.py", packages=PACKAGES)
    facts = json.loads(run.outcomes["probe"].stdout)
    assert facts == {"path": [], "listing": []}
    assert "numpy is there for code that names it in an import statement" in \
        run.outcomes["dynamic"].error
