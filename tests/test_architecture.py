"""The layout keeps its promises: each rule written once, the kinds behind one interface,
packages without import circles, and public checks that agree with the grader."""

from __future__ import annotations

import ast
import importlib
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Literal

import pytest
from conftest import ROOT, SUBMISSIONS, run_grader

from grader.kinds import NAMES, kind, shipped_modules
from grader.kinds.shipped import PACKAGE, notebook_cell

GRADER = ROOT / "grader"


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "out"
    proc = run_grader("generate", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out / "release" / "linear-backprop"


def test_the_release_ships_the_packages_own_files(release: Path):
    shipped = sorted(p.relative_to(release / PACKAGE).as_posix()
                     for p in (release / PACKAGE).rglob("*.py") if p.name != "__init__.py")
    assert shipped == sorted(shipped_modules())
    for path in shipped:
        assert (release / PACKAGE / path).read_bytes() == (GRADER / "kinds" / path).read_bytes()


def test_the_notebook_embeds_the_same_sources(release: Path):
    notebook = json.loads((release / "linear_backprop.ipynb").read_text(encoding="utf-8"))
    helper = "".join(notebook["cells"][1]["source"])
    assert helper == notebook_cell().rstrip()  # nbformat keeps no trailing newline
    embedded = {}
    for node in ast.walk(ast.parse(helper)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "_define":
            name, source = (ast.literal_eval(arg) for arg in node.args)
            if source is not None:
                embedded[name] = source
    assert len(embedded) == len(shipped_modules())
    for path in shipped_modules():
        name = f"{PACKAGE}." + path.removesuffix(".py").replace("/", ".")
        assert embedded[name] == (GRADER / "kinds" / path).read_text(encoding="utf-8")


def test_shipped_rules_need_only_the_standard_library(release: Path):
    """Isolated (-I) and without site-packages (-S): a student's bare Python runs them."""
    modules = [f"{PACKAGE}." + p.removesuffix(".py").replace("/", ".") for p in shipped_modules()]
    code = ("import importlib, sys\nsys.path.insert(0, '.')\n"
            "for m in sys.argv[1:]: importlib.import_module(m)")
    proc = subprocess.run([sys.executable, "-I", "-S", "-c", code, *modules], cwd=release,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_every_kind_implements_the_whole_interface():
    for name in NAMES:
        implementation = kind(name)
        assert implementation.name == name
        for method in ("probes", "checks", "grade", "warm", "public_data", "answer_cell",
                       "test_cells", "check_code", "known_mistakes", "leaks"):
            assert callable(getattr(implementation, method)), (name, method)
        model = importlib.import_module(f"grader.kinds.{name}.model").MODEL
        assert model.model_fields["kind"].annotation == Literal[name]  # its own spec model
        for path in implementation.shipped:
            assert (GRADER / "kinds" / path).is_file(), path
        for template in ("stub.py.j2", "public.py.j2"):
            assert (ROOT / "templates" / "kinds" / name / template).is_file(), (name, template)


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level_imports(path: Path) -> set[str]:
    """Modules of `grader` imported when the module loads (not under TYPE_CHECKING or in a
    function: those are the deliberate ways out of a circle)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    package = _module_name(path) if path.name == "__init__.py" else \
        _module_name(path).rpartition(".")[0]
    for node in tree.body:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]
                                + ([node.module] if node.module else []))
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return {name for name in found if name.startswith("grader")}


def test_no_import_circles_and_every_module_says_its_job():
    modules = {_module_name(p): p for p in GRADER.rglob("*.py")}
    graph = {name: {m for m in _top_level_imports(path) if m in modules and m != name}
             for name, path in modules.items()}
    for name, path in modules.items():
        assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))), name
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        if state.get(name) == 2:
            return
        assert state.get(name) != 1, " -> ".join([*trail, name])
        state[name] = 1
        for imported in sorted(graph[name]):
            visit(imported, [*trail, name])
        state[name] = 2

    for name in sorted(graph):
        visit(name, [])
    top_level = [p for p in GRADER.glob("*.py") if p.name != "__init__.py"]
    assert len(top_level) <= 12, sorted(p.name for p in top_level)


def _public_outcomes(release: Path, submission: Path, folder: Path) -> dict[str, bool]:
    shutil.copy(release / "test_public.py", folder)
    shutil.copytree(release / PACKAGE, folder / PACKAGE)
    shutil.copy(submission, folder / "linear_backprop.py")
    report = folder / "junit.xml"
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                    "-p", "no:xdist", f"--junitxml={report}", "test_public.py"], cwd=folder,
                   capture_output=True, text=True, timeout=300)
    cases = ElementTree.parse(report).getroot().iter("testcase")
    return {case.get("name"): not list(case) for case in cases}


@pytest.mark.parametrize("submission", sorted(SUBMISSIONS.glob("*.py")), ids=lambda p: p.stem)
def test_public_checks_agree_with_the_grader_on_visible_cases(
        submission: Path, release: Path, tmp_path: Path, check_json):
    public = _public_outcomes(release, submission, tmp_path)
    _, report = check_json(submission, "--assignment", "linear-backprop")
    visible = [t for t in report["tests"]
               if t["exercise"] == "two-variable-solver" and t["visibility"] == "visible"]
    assert visible
    for test in visible:
        case = test["name"].split(": ", 1)[1].replace("-", "_")
        assert public[f"test_two_variable_solver_{case}"] == (test["status"] == "passed"), (
            submission.name, case, test["output"])
