"""`grader check` of one .py, timed whole and split: interpreter start, imports before the
sandbox, the sandbox (overlapped by importing the report's renderer and computing the
variants' traces), the rest (specs, the checks, the report). And whether sympy was
imported: only where the quick check of the expression answer could not decide
(grader.kinds.expression.quick)."""

from __future__ import annotations

import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# what a check imports before its sandbox starts: the command, and the kinds it grades
# (the specs come from their snapshot, grader.spec.snapshot, once a check validated them)
BEFORE_THE_SANDBOX = ("grader.cli", "grader.commands.check", "grader.kinds.expression.kind",
                      "grader.kinds.table.kind", "grader.kinds.function.kind")


def children_cpu() -> float:
    """CPU seconds of every finished child process (and the descendants each one reaped)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def check_argv(path: Path) -> list[str]:
    return [sys.executable, "-m", "grader", "check", "--json", str(path)]


def median_wall_and_cpu(argv: list[str], runs: int) -> tuple[float, float]:
    times, cpus = [], []
    for _ in range(runs):
        started, cpu = time.monotonic(), children_cpu()
        subprocess.run(argv, capture_output=True, cwd=ROOT)
        times.append(time.monotonic() - started)
        cpus.append(children_cpu() - cpu)
    return statistics.median(times), statistics.median(cpus)


def split(path: Path, runs: int) -> dict[str, float]:
    wall, cpu = median_wall_and_cpu(check_argv(path), runs)
    interpreter = median_wall_and_cpu([sys.executable, "-c", "pass"], runs)[0]
    before = import_seconds(*BEFORE_THE_SANDBOX)
    during = import_seconds(*BEFORE_THE_SANDBOX, "grader.reports.text") - before
    sandbox = statistics.median(sandbox_seconds(path) for _ in range(runs))
    return {"wall": wall, "CPU": cpu, "interpreter": interpreter,
            "imports before the sandbox": before, "sandbox": sandbox,
            "imports overlapping it": during,
            "the rest (specs, checks, report)":
                wall - interpreter - before - max(sandbox, during)}


def imports_sympy(path: Path) -> bool:
    proc = subprocess.run([sys.executable, "-X", "importtime", *check_argv(path)[1:]],
                          capture_output=True, text=True, cwd=ROOT)
    return re.search(r"\| sympy$", proc.stderr, re.MULTILINE) is not None


def import_seconds(*modules: str) -> float:
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


def sandbox_seconds(path: Path) -> float:
    code = ("import json,sys;from pathlib import Path;from grader import checks,submission;"
            "from grader.commands.check import collect_answers,resolve_assignment;"
            "from grader.spec.assignment import default_course;"
            "a=resolve_assignment(default_course(),None,Path(sys.argv[1]),snapshots=True);"
            "print(json.dumps(collect_answers(a,submission.read(Path(sys.argv[1]))).seconds))")
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                          text=True, cwd=ROOT)
    return float(proc.stdout)
