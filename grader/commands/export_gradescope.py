"""`grader export gradescope`: an autograder bundle Gradescope can run, and its runner.

The zip holds, at its root: setup.sh and run_autograder (templates/gradescope/), a pinned
requirements.txt, the grader package and its templates, the assignment's specs with the
reference modules at the same relative paths (so the specs resolve them unchanged), and the
rendered hidden checks. On Gradescope, run_autograder calls
`python -m grader.commands.export_gradescope ROOT ASSIGNMENT`, which grades ROOT/submission like
`grader check` and writes ROOT/results/results.json in Gradescope's format. It always writes one:
a submission the grader cannot grade gets 0 and the reason, not a failed autograder run.
"""

from __future__ import annotations

import sys
import tempfile
import time
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any

from grader import PACKAGE, TEMPLATES
from grader.errors import GraderError
from grader.results import Report, to_json

REQUIREMENTS = ("click", "jinja2", "pydantic", "pytest", "pyyaml", "sympy", "nbformat")
EXECUTABLE = 0o100755 << 16  # zip external attributes: a regular file, rwxr-xr-x
READABLE = 0o100644 << 16


def main(*, course: Path, assignment_id: str | None, out: Path) -> Path:
    from grader.commands.check import resolve_assignment
    from grader.commands.generate import render_hidden_tests

    assignment = resolve_assignment(course, assignment_id, course)
    files = bundle_files(course.resolve(), assignment.folder,
                         [p for p in (assignment.solution_path, assignment.variants_path) if p])
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="grader-gradescope-") as scratch, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        tests = render_hidden_tests(assignment, Path(scratch))
        for name in ("setup.sh", "run_autograder"):
            text = (TEMPLATES / "gradescope" / name).read_text(encoding="utf-8")
            bundle.writestr(_info(name, EXECUTABLE), text.replace("@ASSIGNMENT@", assignment.id))
        bundle.writestr(_info("requirements.txt", READABLE), requirements())
        for arcname, path in files:
            bundle.write(path, arcname)
        for path in sorted(tests.iterdir()):
            bundle.write(path, f"hidden_tests/{assignment.id}/{path.name}")
    return out


def _info(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
    info.external_attr = mode
    return info


def bundle_files(course: Path, spec_folder: Path, references: list[Path]) -> list[tuple[str, Path]]:
    """(name in the zip, file) for the package, templates, specs and reference modules."""
    files = [(f"grader/{p.relative_to(PACKAGE)}", p) for p in sorted(PACKAGE.rglob("*.py"))
             if "__pycache__" not in p.parts]  # the harness's folder included
    files += [(f"templates/{p.relative_to(TEMPLATES)}", p)
              for p in sorted(TEMPLATES.rglob("*")) if p.is_file()]
    for path in [*sorted(p for p in spec_folder.rglob("*") if p.is_file()), *references]:
        try:
            files.append((str(path.resolve().relative_to(course)), path))
        except ValueError:
            raise GraderError(f"{path}: outside the course folder {course}, so it cannot be "
                              "bundled at the same relative place") from None
    return files


def requirements() -> str:
    """The libraries `grader check` needs, pinned to the versions this grader runs with."""
    return "".join(f"{name}=={metadata.version(name)}\n" for name in REQUIREMENTS)


def results_json(report: Report) -> dict[str, Any]:
    """Gradescope's results.json for a graded submission."""
    summary = f"{report.score:g} / {report.max_score:g} points"
    return {
        "score": report.score,
        "execution_time": round(report.execution_time, 3),
        "output": "\n".join([summary, *report.notices]),
        "stdout_visibility": "hidden",
        "tests": [{"name": t.name, "number": str(i), "score": t.score,
                   "max_score": t.max_score, "status": t.status, "output": t.output,
                   "visibility": t.visibility,
                   "extra_data": {"exercise": t.exercise, "diagnosis": t.diagnosis}}
                  for i, t in enumerate(report.tests, start=1)],
    }


def failure_json(message: str, seconds: float) -> dict[str, Any]:
    return {"score": 0.0, "execution_time": round(seconds, 3), "stdout_visibility": "hidden",
            "output": f"Your submission could not be graded: {message}", "tests": []}


def run_autograder(root: Path, assignment_id: str) -> dict[str, Any]:
    """Grade root/submission against the bundle in root/source; write results.json."""
    from grader.commands import check

    started = time.monotonic()
    try:
        report = check.main(path=root / "submission", assignment_id=assignment_id,
                            course=root / "source")
        results = results_json(report)
    except GraderError as exc:
        results = failure_json(str(exc).replace(str(root / "submission"), "your submission"),
                               time.monotonic() - started)
    except Exception as exc:  # a bug of ours: the student still gets a result and the reason
        results = failure_json(f"internal error in the autograder ({type(exc).__name__}: "
                               f"{exc}); tell your instructor", time.monotonic() - started)
    (root / "results").mkdir(parents=True, exist_ok=True)
    (root / "results" / "results.json").write_text(to_json(results), encoding="utf-8")
    return results


if __name__ == "__main__":
    outcome = run_autograder(Path(sys.argv[1]), sys.argv[2])
    print(f"graded: {outcome['score']:g} points")  # run_autograder's stdout: instructors only
