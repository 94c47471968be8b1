"""`grader check` of one file by this checkout and by another tree of the grader, in one run;
or, with --grade N, `grader grade` of the realistic class of N students (bench/class_mix.py).

    git archive <commit> | tar -x -C /tmp/then      # the other tree: any commit, exported
    python bench/check_versus.py /tmp/then tests/submissions/correct_chapter_style.py
    python bench/check_versus.py /tmp/then --grade 200

Each tree grades the file in fresh processes, alternating (so both see the same machine),
each with its own code first on sys.path and its own course; prints the median and best
wall time and the median CPU (the grader and its sandbox) per tree, the score each gave,
the load average and whether PYTHONDONTWRITEBYTECODE was set. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_once(tree: Path, path: Path, classroom: bool = False) -> tuple[float, float, str]:
    """(wall s, CPU s of the grader and its children, the score line, or for a class the
    summary's first line without its timing)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    if classroom:
        db = path.with_suffix(".sqlite")
        db.unlink(missing_ok=True)
        argv = ["grade", str(path), "--db", str(db)]
    else:
        argv = ["check", "--json", str(path)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "grader", *argv],
                          capture_output=True, text=True, env=env, cwd=tree)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    if classroom:
        return wall, cpu, proc.stdout.split(" in ")[0] if proc.returncode == 0 else \
            f"exit {proc.returncode}"
    try:
        report = json.loads(proc.stdout)
        score = f"{report['score']:g}/{report['max_score']:g}"
    except (ValueError, KeyError):
        score = f"exit {proc.returncode}"
    return wall, cpu, score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="another tree of the grader")
    parser.add_argument("path", type=Path, nargs="?", help="the submission both check")
    parser.add_argument("--grade", type=int, default=0, metavar="N",
                        help="instead: grade the realistic class of N students")
    parser.add_argument("--runs", type=int, default=8)
    args = parser.parse_args()
    if not args.grade and args.path is None:
        parser.error("a submission to check, or --grade N")
    trees = {"this checkout": ROOT, str(args.other): args.other.resolve()}
    with tempfile.TemporaryDirectory(prefix="versus-") as scratch:
        path = _classroom(Path(scratch), args.grade) if args.grade else args.path.resolve()
        figures = _alternate(trees, path, bool(args.grade), args.runs)
    what = f"grade, realistic class of {args.grade}" if args.grade else f"check {args.path}"
    print(f"grader {what} ({args.runs} runs each, alternating; load "
          f"{os.getloadavg()[0]:.1f}; PYTHONDONTWRITEBYTECODE="
          f"{os.environ.get('PYTHONDONTWRITEBYTECODE', 'unset')!r})")
    for name, runs in figures.items():
        walls, cpus = [w for w, _, _ in runs], [c for _, c, _ in runs]
        print(f"  {name}: wall median {statistics.median(walls):.3f} s, best {min(walls):.3f} s;"
              f" CPU median {statistics.median(cpus):.3f} s; score {runs[-1][2]}")


def _alternate(trees: dict[str, Path], path: Path, classroom: bool, runs: int
               ) -> dict[str, list[tuple[float, float, str]]]:
    figures: dict[str, list[tuple[float, float, str]]] = {name: [] for name in trees}
    for tree in trees.values():  # warm the page cache (and each tree's own caches)
        run_once(tree, path, classroom)
    for turn in range(runs):  # each tree first in every other turn
        for name, tree in (list(trees.items()) if turn % 2 == 0 else list(trees.items())[::-1]):
            figures[name].append(run_once(tree, path, classroom))
    return figures


def _classroom(scratch: Path, students: int) -> Path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import class_mix  # the benchmark's classes, next to this script

    sources = class_mix.Sources()
    try:
        folder = scratch / "class"
        class_mix.build_class(folder, class_mix.order(class_mix.REALISTIC, students), sources,
                              False)
    finally:
        sources.close()
    return folder


if __name__ == "__main__":
    main()
