"""What the sandbox costs: one sandboxed run against a bare subprocess, and the slowest attack.

    python bench/bench_sandbox.py [--runs N] [--no-attacks]

Prints wall medians and mean CPU in milliseconds, and their ratios, for (1) an empty Python
process, bare vs under `run_sandboxed`, (2) a full probe of the reference solution (harness
and all), fallback vs bwrap, (3) that probe as a later run of a process vs as the first
run of a fresh one (what `grader check`, one run per process, pays; timed inside it, from
the import of grader.sandbox.probing on); (4) the least a submission's sandbox costs, asked
nothing, its names, its names and calls, with the ceiling that puts on runs/s; then the
wall time of `grader check --json` on every file in tests/attacks/, slowest first. The
grader's cache (grader.cache) is used as always: its first fill is not what (3) measures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.sandbox.bwrap import Limits, bwrap_path, run_sandboxed, runtime_python  # noqa: E402
from grader.sandbox.probing import probe_submission  # noqa: E402
from grader.sandbox.protocol import Probe  # noqa: E402

PROBES = (Probe("dz", "value", "DZ_DB"), Probe("hand", "value", "HAND_ITERATIONS"),
          Probe("solve", "call", "double_variable_new", (3.0, 4.0, 150.0)))


def median_ms(action: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall time and mean CPU time (this process and its children), in ms.

    CPU time is the figure other work on the machine does not distort; wall time is what a
    person waits.
    """
    action()  # warm the page cache
    times = []
    cpu_before = _cpu()
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, (_cpu() - cpu_before) / runs * 1000


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def bare(argv: list[str]) -> None:
    subprocess.run(argv, check=True, stdin=subprocess.DEVNULL, capture_output=True,
                   env={"PATH": "/usr/bin:/bin"})


def sandboxed(argv: list[str], scratch: Path) -> None:
    run = run_sandboxed(argv, scratch=scratch, stdin=b"", limits=Limits())
    assert run.returncode == 0, run.stderr


def probe(source: str, sandbox: str) -> None:
    os.environ["GRADER_SANDBOX"] = sandbox
    run = probe_submission(source, PROBES, module_file="linear_backprop.py")
    assert all(o.ok for o in run.outcomes.values()), run
    assert run.isolated is (sandbox != "none")


def row(label: str, base: tuple[float, float], boxed: tuple[float, float]) -> None:
    for kind, b, s in (("wall", base[0], boxed[0]), ("cpu", base[1], boxed[1])):
        print(f"{label:<44} {kind:>4} {b:8.1f} ms {s:8.1f} ms   x{s / b:5.2f}   ({s - b:+.1f} ms)")


def overhead(runs: int) -> None:
    argv = [runtime_python(), "-I", "-S", "-c", "pass"]
    source = (ROOT / "solutions" / "linear_backprop.py").read_text()
    print(f"{'':<49} {'bare':>11} {'sandboxed':>11}   ratio   ({runs} runs; wall: median, "
          "cpu: mean)")
    with tempfile.TemporaryDirectory() as scratch:
        row("empty python: subprocess vs run_sandboxed", median_ms(lambda: bare(argv), runs),
            median_ms(lambda: sandboxed(argv, Path(scratch)), runs))
    row("probe the reference: fallback vs bwrap", median_ms(lambda: probe(source, "none"), runs),
        median_ms(lambda: probe(source, ""), runs))
    os.environ.pop("GRADER_SANDBOX", None)
    row("probe the reference: later run vs first run", median_ms(lambda: probe(source, ""), runs),
        fresh(runs))


FIRST_RUN = f'''
import json, os, sys, time
sys.path.insert(0, {str(ROOT)!r})
def cpu():
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system
started = time.perf_counter()
from bench.bench_sandbox import probe
from pathlib import Path
source = Path({str(ROOT / "solutions" / "linear_backprop.py")!r}).read_text()
imported, cpu_before = time.perf_counter(), cpu()
probe(source, "")
print(json.dumps([imported - started, time.perf_counter() - imported, cpu() - cpu_before]))
'''


def fresh(runs: int) -> tuple[float, float]:
    """The first probe of a fresh process, after its imports: median wall and mean CPU (its
    own and its children's) in ms. The imports are printed apart: without bytecode
    (PYTHONDONTWRITEBYTECODE) they are mostly compiling, not the sandbox."""
    subprocess.run([sys.executable, "-c", FIRST_RUN], check=True, capture_output=True)  # warm
    imports, walls, cpus = [], [], []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", FIRST_RUN], check=True,
                              capture_output=True, text=True, cwd=ROOT)
        imported, wall, cpu = json.loads(done.stdout.strip().splitlines()[-1])
        imports.append(imported)
        walls.append(wall)
        cpus.append(cpu)
    flag = os.environ.get("PYTHONDONTWRITEBYTECODE", "")
    print(f"  (the fresh process's imports, before its first run and not counted in it: "
          f"median {statistics.median(imports) * 1000:.1f} ms wall; "
          f"PYTHONDONTWRITEBYTECODE={flag!r})")
    return statistics.median(walls) * 1000, statistics.mean(cpus) * 1000


def floor(runs: int) -> None:
    """The least one submission's sandbox costs, and what each probe child adds: CPU of a
    sandboxed run of the reference asked nothing, its two names, then its names and the
    shipped assignment's calls; and the most runs/s this machine's cores could give on
    sandboxes alone, nothing else of grading counted (a ceiling, not a forecast)."""
    from grader import checks
    from grader.commands.check import resolve_assignment

    assignment = resolve_assignment(ROOT, None, ROOT)
    asked = tuple(checks.probes(assignment))  # as graded: the calls carry their budgets
    names = tuple(p for p in asked if p.kind == "value")
    source = (ROOT / "solutions" / "linear_backprop.py").read_text()
    cores = os.cpu_count() or 1
    print(f"\nwhat one submission's sandbox costs at least ({runs} runs; cpu: mean):")
    for label, chosen in (("nothing", ()), (f"its {len(names)} names", names),
                          (f"its names and {len(asked) - len(names)} calls", asked)):
        cpu = median_ms(lambda chosen=chosen: probe_submission(
            source, chosen, module_file=assignment.module_file), runs)[1]
        print(f"  a run of the reference asked {label:<26} cpu {cpu:6.1f} ms: at most "
              f"{cores * 1000 / cpu:5.1f} runs/s on {cores} cores")


def attacks() -> None:
    print("\ngrader check --json on each attack (wall seconds), slowest first:")
    times = {}
    for attack in sorted((ROOT / "tests" / "attacks").glob("*.py")):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "grader", "check", "--json", str(attack)],
                       cwd=ROOT, capture_output=True, timeout=300)
        times[attack.stem] = time.perf_counter() - started
    for name, seconds in sorted(times.items(), key=lambda kv: -kv[1]):
        print(f"  {seconds:6.2f} s  {name}")
    print(f"slowest: {max(times, key=times.get)} {max(times.values()):.2f} s; "
          f"all {len(times)}: {sum(times.values()):.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--no-attacks", action="store_true")
    options = parser.parse_args()
    if bwrap_path() is None:
        sys.exit("bubblewrap is not installed: nothing to compare")
    overhead(options.runs)
    floor(options.runs)
    if not options.no_attacks:
        attacks()


if __name__ == "__main__":
    main()
