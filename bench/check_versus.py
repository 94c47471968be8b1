"""`grader check` of one file by this checkout and by another tree of the grader, in one run.

    git archive <commit> | tar -x -C /tmp/then      # the other tree: any commit, exported
    python bench/check_versus.py /tmp/then tests/submissions/correct_chapter_style.py

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
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_once(tree: Path, path: Path) -> tuple[float, float, str]:
    """(wall s, CPU s of the grader and its children, the score line)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "grader", "check", "--json", str(path)],
                          capture_output=True, text=True, env=env, cwd=tree)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    try:
        report = json.loads(proc.stdout)
        score = f"{report['score']:g}/{report['max_score']:g}"
    except (ValueError, KeyError):
        score = f"exit {proc.returncode}"
    return wall, cpu, score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="another tree of the grader")
    parser.add_argument("path", type=Path, help="the submission both grade")
    parser.add_argument("--runs", type=int, default=8)
    args = parser.parse_args()
    trees = {"this checkout": ROOT, str(args.other): args.other.resolve()}
    path = args.path.resolve()
    figures: dict[str, list[tuple[float, float, str]]] = {name: [] for name in trees}
    for tree in trees.values():  # warm the page cache (and each tree's own caches)
        run_once(tree, path)
    for _ in range(args.runs):
        for name, tree in trees.items():
            figures[name].append(run_once(tree, path))
    print(f"grader check {args.path} ({args.runs} runs each, alternating; load "
          f"{os.getloadavg()[0]:.1f}; PYTHONDONTWRITEBYTECODE="
          f"{os.environ.get('PYTHONDONTWRITEBYTECODE', 'unset')!r})")
    for name, runs in figures.items():
        walls, cpus = [w for w, _, _ in runs], [c for _, c, _ in runs]
        print(f"  {name}: wall median {statistics.median(walls):.3f} s, best {min(walls):.3f} s;"
              f" CPU median {statistics.median(cpus):.3f} s; score {runs[-1][2]}")


if __name__ == "__main__":
    main()
