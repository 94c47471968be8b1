"""A call ends as soon as its outcome is known: the budget from the reference trace, enforced
by the harness on the child's streaming output (the real harness, under the real bwrap)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import SUBMISSIONS

from grader.kinds.function.budget import budget_for
from grader.kinds.function.trace import Trace
from grader.sandbox.bwrap import bwrap_path
from grader.sandbox.probing import probe_submission
from grader.sandbox.protocol import Probe

HARNESS = Path(__file__).resolve().parents[1] / "grader" / "sandbox" / "harness"
KEYS = ("w", "b", "z", "delta_z")
needs_bwrap = pytest.mark.skipif(bwrap_path() is None, reason="bubblewrap is not installed")


def budgeted(name: str, *args: float, iterations: int = 10, lines: int = 10_000,
             timeout: float = 5.0) -> Probe:
    return Probe(name, "call", name, args, timeout, max_iterations=iterations,
                 max_lines=lines, trace_keys=KEYS)


def harness_budget(**probe: object):
    """harness_watch.Budget, imported as the harness imports it (its folder on the path)."""
    sys.path.insert(0, str(HARNESS))
    try:
        from harness_watch import Budget
    finally:
        sys.path.remove(str(HARNESS))
    return Budget({"trace_keys": list(KEYS), **probe})


def test_the_budget_is_the_reference_iterations_times_3_plus_20():
    four = Trace(tuple({"w": 1.0} for _ in range(4)), {})
    assert budget_for(four, 14) == (32, 10_000)
    assert budget_for(Trace((), {}), 0)[0] == 32  # at least what the diagnosis reads


def test_iterations_are_lines_holding_every_key_as_a_whole_name_across_chunks():
    budget = harness_budget(max_iterations=2)
    step = b"factor_b=1, factor_w=2, delta_b=3, delta_w=4\n"  # w= and b= only inside names
    first = b"w=3.0,b=4.0,z=138.0,delta_z=-12.0\n"
    assert budget.feed(first[:7]) is None and budget.feed(first[7:] + step) is None
    assert budget.feed(b"w = 3, b: 4, z=1, delta_z=2\n" + step) is None
    assert (budget.iterations, budget.lines, budget.over) == (2, 4, "")
    third = b"w=3,b=4,z=1,delta_z=2\n"
    assert budget.feed(third + step) == len(third)  # cut after the line that broke it
    assert budget.over == "it printed over 2 iterations"


def test_a_non_finite_trace_value_is_over_budget_at_once():
    budget = harness_budget(max_iterations=100)
    assert budget.feed(b"w=1,b=2,z=-inf,delta_z=-inf\nmore\n") == 28
    assert budget.over == "z became inf"
    quiet = harness_budget(max_iterations=100)
    quiet.feed(b"best=inf\ndebug: nan everywhere\n")  # not a trace key: not our business
    assert quiet.over == ""


def test_lines_that_are_not_trace_lines_have_a_budget_of_their_own():
    budget = harness_budget(max_iterations=100, max_lines=3)
    assert budget.feed(b"debug\n" * 3) is None
    assert budget.feed(b"debug\nmore\n") == 6 and budget.over == "it printed over 3 lines"


COUNTING = '''
import os

def solve(w, b, t):
    n = 0
    while True:  # never converges: the wrong sign
        n += 1
        with open("/tmp/count.new", "w") as f:  # replaced whole: a kill mid-write loses
            f.write(str(n))                      # nothing of the count before it
        os.replace("/tmp/count.new", "/tmp/count")
        print("w=%f,b=%f,z=%f,delta_z=%f" % (w, b, 2 * w * b, 2 * w * b - t))
        w, b = w + 1, b + 1

def count():
    print(open("/tmp/count").read())
'''


@needs_bwrap
def test_the_child_runs_no_further_than_its_budget_by_count_not_time():
    """The student's own counter, left in the sandbox's /tmp for a later call to read: the
    child printed (or tried to print) at most about a page of lines past its budget."""
    run = probe_submission(COUNTING, (budgeted("solve", 3, 4, 150, iterations=10),
                                      Probe("count", "call", "count")),
                           module_file="linear_backprop.py")
    stopped, counted = run.outcomes["solve"], run.outcomes["count"]
    assert stopped.status == "stopped" and "over 10 iterations" in stopped.error
    # what is graded is cut after the line that broke the budget, however late we looked
    assert stopped.stdout.count("\n") == 11 and stopped.stdout.endswith("\n")
    line = len(stopped.stdout.splitlines()[0]) + 1
    ran = int(counted.stdout)
    assert 11 <= ran <= 11 + 2 * 4096 // line + 2  # the pipe holds one page; without the
    # budget it would have run for its 5 s of CPU: hundreds of thousands of iterations


@needs_bwrap
def test_a_nan_in_the_trace_stops_the_call_and_silence_still_meets_the_time_limit():
    source = ("def nan(w, b, t):\n    print('w=1,b=2,z=nan,delta_z=nan')\n"
              "    while True:\n        pass\n"
              "def silent(w, b, t):\n    while True:\n        pass\n")
    run = probe_submission(source, (budgeted("nan", 1, 2, 3), budgeted("silent", 1, 2, 3,
                                                                        timeout=0.2)),
                           module_file="linear_backprop.py")
    assert run.outcomes["nan"].status == "stopped"
    assert run.outcomes["nan"].error == "z became nan"
    assert run.outcomes["silent"].status == "timeout"


def test_a_diverging_solver_is_graded_as_before_with_the_reason(check_json):
    _, report = check_json(SUBMISSIONS / "wrong_sign.py")
    cases = [t for t in report["tests"] if t["exercise"] == "two-variable-solver"]
    assert len(cases) == 4 and all(t["score"] == 0 for t in cases)
    for case in cases:
        assert "was stopped after 32 iteration(s), long before its time limit" in case["output"]
        assert "z moves away from the target" in case["output"]
        assert "update with the wrong sign" in case["output"]  # the diagnosis, as before
        assert case["detail"]["variant"]["name"] == "update with the wrong sign"


def test_an_oscillating_solver_says_so_and_keeps_its_diagnosis(check_json):
    _, report = check_json(SUBMISSIONS / "not_halved.py")
    chapter = next(t for t in report["tests"] if t["name"].endswith("chapter-example"))
    assert "stopped after 32 iteration(s)" in chapter["output"]
    assert "oscillates around the target" in chapter["output"]
    assert chapter["detail"]["variant"]["name"] == "delta_z not halved"
