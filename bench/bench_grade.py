"""Benchmark class grading: `grader grade` on .py and .ipynb submissions, `nbgrader autograde`
on the same answers as notebooks, and one `grader check` with its time split.

    python bench/bench_grade.py [--students 200] [--nbgrader 8] [--jobs N]

The class is a realistic mix cycled from tests/submissions (correct ones and each typical
mistake); submissions that run into the time limit are graded separately, since each costs
its time limit rather than a sandbox start. Figures go to stdout; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nbgrader_class  # noqa: E402 - the helper next to this script

ROOT = Path(__file__).resolve().parent.parent
SUBMISSIONS = ROOT / "tests" / "submissions"
TIMEOUTS = {"infinite_loop.py", "not_halved.py", "wrong_sign.py", "fixed_factors.py",
            "html_injection.py"}  # a case or more hits the 1 s time limit
CHECKED = SUBMISSIONS / "correct_fstrings.py"


def mix() -> list[Path]:
    return sorted(p for p in SUBMISSIONS.glob("*.py") if p.name not in TIMEOUTS)


def build_class(folder: Path, sources: list[Path], count: int, notebook: bool) -> None:
    for i in range(count):
        source = sources[i % len(sources)]
        student = folder / f"s{i:04d}"
        student.mkdir(parents=True)
        if notebook:
            nb = nbgrader_class.student_notebook(source.read_text())
            nbformat.write(nb, student / "linear_backprop.ipynb")
        else:
            shutil.copy(source, student / "linear_backprop.py")


def children_cpu() -> float:
    """CPU seconds of every finished child process (and the descendants each one reaped)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def grade(folder: Path, db: Path, jobs: int | None) -> tuple[float, float]:
    """(wall, CPU) seconds of one `grader grade` run, start-up and sandboxes included."""
    extra = ["--jobs", str(jobs)] if jobs else []
    started, cpu = time.monotonic(), children_cpu()
    proc = subprocess.run([sys.executable, "-m", "grader", "grade", str(folder), "--db",
                           str(db), *extra], capture_output=True, text=True, cwd=ROOT)
    seconds = time.monotonic() - started
    if proc.returncode != 0 or "problems 0" not in proc.stdout:
        raise SystemExit(f"grader grade failed:\n{proc.stdout}\n{proc.stderr[-2000:]}")
    return seconds, children_cpu() - cpu


def nbgrader_rate(work: Path, sources: list[Path], count: int) -> tuple[float, float, float]:
    """(submissions per wall second, per CPU second, per wall second of each notebook past
    the first) of nbgrader autograde. The last one leaves out nbgrader's start-up, which a
    small --nbgrader count would otherwise charge to each notebook."""
    one, _ = nbgrader_seconds(work / "nbgrader-one", sources, 1)
    seconds, cpu = nbgrader_seconds(work / "nbgrader", sources, count)
    marginal = (seconds - one) / (count - 1) if count > 1 else seconds
    print(f"nbgrader autograde, {count} notebooks: {seconds:.2f} s, {count / seconds:.2f} "
          f"submissions/s; {1000 * cpu / count:.0f} ms CPU each; one notebook alone "
          f"{one:.2f} s, so {marginal:.2f} s per notebook past the first")
    return count / seconds, count / cpu, 1 / marginal


def nbgrader_seconds(folder: Path, sources: list[Path], count: int) -> tuple[float, float]:
    course = nbgrader_class.nbgrader_course(folder, (ROOT / "solutions" / "linear_backprop.py")
                                            .read_text())
    for i in range(count):
        nbgrader_class.submit(course, f"s{i:04d}", sources[i % len(sources)].read_text())
    started, cpu = time.monotonic(), children_cpu()
    nbgrader_class.nbgrader(course, "autograde", nbgrader_class.ASSIGNMENT, "--force")
    seconds, cpu = time.monotonic() - started, children_cpu() - cpu
    graded = nbgrader_class.scores(course)
    if len(graded) != count:
        raise SystemExit(f"nbgrader graded {len(graded)} of {count} notebooks")
    return seconds, cpu


def median_wall(argv: list[str], runs: int) -> float:
    return median_wall_and_cpu(argv, runs)[0]


def median_wall_and_cpu(argv: list[str], runs: int) -> tuple[float, float]:
    times, cpus = [], []
    for _ in range(runs):
        started, cpu = time.monotonic(), children_cpu()
        subprocess.run(argv, capture_output=True, cwd=ROOT)
        times.append(time.monotonic() - started)
        cpus.append(children_cpu() - cpu)
    return statistics.median(times), statistics.median(cpus)


def check_split(runs: int) -> dict[str, float]:
    """One `grader check` of one .py: wall, and where it goes. The imports of pytest and
    jinja2 happen while the sandbox runs (grader.commands.check), so they overlap it; sympy is
    imported only for a wrong expression answer (grader.kinds.expression.quick),
    timed on its own."""
    argv = [sys.executable, "-m", "grader", "check", "--json", str(CHECKED)]
    wall, cpu = median_wall_and_cpu(argv, runs)
    interpreter = median_wall([sys.executable, "-c", "pass"], runs)
    before = _import_seconds("grader.cli", "grader.commands.check", "grader.spec.loader")
    during = _import_seconds("grader.cli", "grader.commands.check", "grader.spec.loader",
                             "grader.commands.generate", "grader.pytest_plugin") - before
    sandbox = statistics.median(_sandbox_seconds() for _ in range(runs))
    return {"wall": wall, "CPU (grader + sandbox)": cpu, "interpreter start": interpreter,
            "imports (cli, specs)": before,
            "sandbox": sandbox, "imports overlapping the sandbox (pytest, jinja2)": during,
            "the rest (spec loading, pytest session, checks)":
                wall - interpreter - before - max(sandbox, during),
            "wall of a check with a wrong expression (sympy judges it)": median_wall_and_cpu(
                [*argv[:-1], str(SUBMISSIONS / "one_path_missing.py")], runs)[0]}


def _import_seconds(*modules: str) -> float:
    """Median over 3 fresh interpreters of the top-level import times (-X importtime)."""
    code = "; ".join(f"import {m}" for m in modules)
    times = []
    for _ in range(3):
        proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code],
                              capture_output=True, text=True, cwd=ROOT)
        times.append(_top_level_import_seconds(proc.stderr))
    return statistics.median(times)


def _top_level_import_seconds(importtime: str) -> float:
    """Sum of the cumulative times of top-level imports (-X importtime), minus site's."""
    total = 0
    for line in importtime.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\S.*)$", line)
        if match and match.group(2) != "site":
            total += int(match.group(1))
    return total / 1e6


def _sandbox_seconds() -> float:
    code = ("import json,sys;from pathlib import Path;from grader import checks,submission;"
            "from grader.commands.check import collect_answers,resolve_assignment;"
            "from grader.spec.loader import default_course;"
            "a=resolve_assignment(default_course(),None,Path(sys.argv[1]));"
            "print(json.dumps(collect_answers(a,submission.read(Path(sys.argv[1]))).seconds))")
    proc = subprocess.run([sys.executable, "-c", code, str(CHECKED)], capture_output=True,
                          text=True, cwd=ROOT)
    return float(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--nbgrader", type=int, default=8, help="notebooks nbgrader grades")
    parser.add_argument("--timeouts", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--check-runs", type=int, default=5)
    args = parser.parse_args()
    sources = mix()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
          f"mix: {len(sources)} submissions cycled ({', '.join(p.stem for p in sources)})")
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as scratch:
        work = Path(scratch)
        rates: dict[str, float] = {}
        per_cpu: dict[str, float] = {}
        cores = os.cpu_count() or 1
        for label, notebook, names, count in [
                (".py", False, sources, args.students),
                (".ipynb", True, sources, args.students),
                ("timeouts .py", False, sorted(SUBMISSIONS / n for n in TIMEOUTS), args.timeouts)]:
            if count == 0:
                continue
            build_class(work / label, [p for p in names if p.exists()], count, notebook)
            seconds, cpu = grade(work / label, work / f"{label}.sqlite", args.jobs)
            rates[label], per_cpu[label] = count / seconds, count / cpu
            print(f"grader grade, {count} {label} submissions: {seconds:.2f} s, "
                  f"{rates[label]:.1f} submissions/s; {1000 * cpu / count:.0f} ms CPU each "
                  f"(all cores of an idle machine: ~{cores * per_cpu[label]:.0f}/s)")
        nb_rate, nb_per_cpu, nb_marginal = nbgrader_rate(work, sources, args.nbgrader)
        print(f"ratio, grader grade .ipynb / nbgrader autograde: wall "
              f"{rates['.ipynb'] / nb_rate:.0f}x, CPU {per_cpu['.ipynb'] / nb_per_cpu:.0f}x, "
              f"wall without nbgrader's start-up {rates['.ipynb'] / nb_marginal:.0f}x")
    split = check_split(args.check_runs)
    print(f"grader check {CHECKED.name} (median of {args.check_runs}): " +
          ", ".join(f"{k} {v:.3f} s" for k, v in split.items()))
    print(json.dumps({"rates": rates, "nbgrader": nb_rate, "nbgrader_past_the_first": nb_marginal,
                      "check": split}))


if __name__ == "__main__":
    main()
