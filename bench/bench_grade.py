"""Benchmark class grading on a realistic class: `grader grade` on .py and .ipynb, beside a
class of correct work only in the same run; `nbgrader autograde` on the same realistic
notebooks; `grader check` of each kind of submission, with its time split.

    python bench/bench_grade.py [--students 200] [--nbgrader 20] [--jobs N] [--check-runs 3]
                                [--rounds 3]

The realistic class holds every typical mistake at the share stated in bench/class_mix.py,
nothing left out: the diverging and endless solvers are in it too (their calls are stopped
by their budget, grader.kinds.function.budget). nbgrader runs at its defaults, on the first
--nbgrader students of the same class (the same shares, as nearly as that count allows).
Figures go to stdout, each with the load average when it was taken; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import check_split  # noqa: E402 - the helpers next to this script
import class_mix  # noqa: E402
import nbgrader_class  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CORRECT, WRONG = "correct_fstrings.py", "wrong_sign.py"  # the two check splits


def load() -> str:
    return f"(load {os.getloadavg()[0]:.1f})"


def grade(folder: Path, db: Path, jobs: int | None) -> tuple[float, float]:
    """(wall, CPU) seconds of one `grader grade` run, start-up and sandboxes included."""
    extra = ["--jobs", str(jobs)] if jobs else []
    started, cpu = time.monotonic(), check_split.children_cpu()
    proc = subprocess.run([sys.executable, "-m", "grader", "grade", str(folder), "--db",
                           str(db), *extra], capture_output=True, text=True, cwd=ROOT)
    seconds = time.monotonic() - started
    if proc.returncode != 0 or "not graded 0" not in proc.stdout:
        raise SystemExit(f"grader grade failed:\n{proc.stdout}\n{proc.stderr[-2000:]}")
    return seconds, check_split.children_cpu() - cpu


def grade_classes(work: Path, sources: class_mix.Sources, students: int,
                  jobs: int | None, rounds: int) -> dict[str, float]:
    """Each class graded `rounds` times, the four classes taking turns, so that a slow
    spell of a shared machine falls on all of them; the median run of each is its figure."""
    labels = []
    for mix_name, shares in (("realistic", class_mix.REALISTIC),
                             ("correct-only", class_mix.CORRECT_ONLY)):
        kinds = class_mix.order(shares, students)
        for suffix, notebook in ((".py", False), (".ipynb", True)):
            labels.append(f"{mix_name} {suffix}")
            class_mix.build_class(work / labels[-1], kinds, sources, notebook)
    runs: dict[str, list[tuple[float, float]]] = {label: [] for label in labels}
    for turn in range(rounds):
        for label in labels if turn % 2 == 0 else labels[::-1]:
            db = work / f"{label}.sqlite"
            db.unlink(missing_ok=True)
            runs[label].append(grade(work / label, db, jobs))
    rates = {}
    for label in labels:
        seconds, cpu = sorted(runs[label])[len(runs[label]) // 2]  # the median run
        rates[label] = students / seconds
        spread = ", ".join(f"{students / s:.1f}" for s, _ in runs[label])
        print(f"grader grade, {label}, {students} submissions: {seconds:.2f} s, "
              f"{rates[label]:.1f} submissions/s, {1000 * cpu / students:.0f} ms CPU "
              f"each (median of {rounds}: {spread}/s) {load()}", flush=True)
    for suffix in (".py", ".ipynb"):
        print(f"ratio {suffix}: correct-only / realistic "
              f"{rates['correct-only ' + suffix] / rates['realistic ' + suffix]:.2f}x")
    return rates


def nbgrader_rates(work: Path, sources: class_mix.Sources, count: int) -> tuple[float, float]:
    """(notebooks per wall second, the same leaving out nbgrader's start-up, which is timed
    on one correct notebook alone) of `nbgrader autograde` on the realistic class's first
    `count` students."""
    kinds = class_mix.order(class_mix.REALISTIC, count)
    one = nbgrader_seconds(work / "nbgrader-one", sources, [CORRECT])
    seconds = nbgrader_seconds(work / "nbgrader", sources, kinds)
    marginal = (seconds - one) / (count - 1) if count > 1 else seconds
    print(f"nbgrader autograde, realistic, {count} notebooks "
          f"({', '.join(sorted(set(Path(k).stem for k in kinds)))}): {seconds:.1f} s, "
          f"{count / seconds:.2f} notebooks/s; one correct notebook alone {one:.2f} s, so "
          f"{marginal:.2f} s per notebook past the first {load()}", flush=True)
    return count / seconds, 1 / marginal


def nbgrader_seconds(folder: Path, sources: class_mix.Sources, kinds: list[str]) -> float:
    course = nbgrader_class.nbgrader_course(folder, (ROOT / "solutions" / "linear_backprop.py")
                                            .read_text())
    for i, kind in enumerate(kinds):
        nbgrader_class.submit(course, f"s{i:04d}", sources.text(kind))
    started = time.monotonic()
    nbgrader_class.nbgrader(course, "autograde", nbgrader_class.ASSIGNMENT, "--force")
    seconds = time.monotonic() - started
    graded = nbgrader_class.scores(course)
    if len(graded) != len(kinds):
        raise SystemExit(f"nbgrader graded {len(graded)} of {len(kinds)} notebooks")
    return seconds


def checks(sources: class_mix.Sources, runs: int) -> dict[str, object]:
    """`grader check` of every kind in the realistic mix: its wall, and whether sympy was
    imported; then the time split of a correct and of a wrong submission."""
    walls, sympy = {}, []
    for kind, share in class_mix.REALISTIC:
        path = sources.path(kind)
        walls[kind] = check_split.median_wall_and_cpu(check_split.check_argv(path), runs)[0]
        if check_split.imports_sympy(path):
            sympy.append((kind, share))
    slowest = max(walls, key=walls.__getitem__)
    print(f"grader check, median of {runs}, each kind {load()}: " +
          ", ".join(f"{Path(k).stem} {v:.2f}" for k, v in walls.items()) +
          f" s; slowest {Path(slowest).stem} {walls[slowest]:.3f} s")
    print(f"sympy imported by the check of {len(sympy)} of {len(walls)} kinds "
          f"({sum(s for _, s in sympy)}% of the realistic class): "
          f"{', '.join(Path(k).stem for k, _ in sympy) or 'none'}")
    splits = {}
    for kind in (CORRECT, WRONG):
        splits[kind] = check_split.split(sources.path(kind), runs)
        print(f"grader check {kind} (median of {runs}) {load()}: " +
              ", ".join(f"{k} {v:.3f} s" for k, v in splits[kind].items()), flush=True)
    return {"walls": walls, "sympy": [k for k, _ in sympy], "splits": splits}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--nbgrader", type=int, default=20, help="notebooks nbgrader grades")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--check-runs", type=int, default=3)
    parser.add_argument("--rounds", type=lambda text: max(1, int(text)), default=3,
                        help="runs of each class, at least 1 (the median; of an even number, "
                             "the upper middle)")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores {load()}; PYTHONDONTWRITEBYTECODE="
          f"{os.environ.get('PYTHONDONTWRITEBYTECODE', '(unset)')} (grader's own .pyc "
          f"{'present' if any((ROOT / 'grader').rglob('*.pyc')) else 'absent'}); realistic mix: "
          f"{class_mix.describe(class_mix.REALISTIC)}; correct-only: "
          f"{class_mix.describe(class_mix.CORRECT_ONLY)}", flush=True)
    sources = class_mix.Sources()
    try:
        work = sources.folder / "classes"
        rates = grade_classes(work, sources, args.students, args.jobs, args.rounds)
        nb_rate, nb_marginal = nbgrader_rates(work, sources, args.nbgrader) \
            if args.nbgrader else (0.0, 0.0)
        if nb_rate:
            ours = rates["realistic .ipynb"]
            print(f"ratio, grader grade realistic .ipynb / nbgrader autograde realistic: "
                  f"{ours / nb_rate:.0f}x wall, {ours / nb_marginal:.0f}x leaving out "
                  f"nbgrader's start-up")
        found = checks(sources, args.check_runs)
    finally:
        sources.close()
    print(json.dumps({"rates": rates, "nbgrader": nb_rate, "nbgrader_past_the_first":
                      nb_marginal, "check": found}))


if __name__ == "__main__":
    main()
