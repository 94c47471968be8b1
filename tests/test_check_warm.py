"""While the sandbox runs, `grader check` computes what a diagnosis may need (the variants'
traces, `Kind.warm`), in small steps, and stops when the sandbox is done. A broken variant
must not turn a correct submission's check into an error: it is reported where a diagnosis
needs it, as before."""

from __future__ import annotations

import json
import shutil

from conftest import ROOT, SUBMISSIONS, run_grader

from grader import checks
from grader.commands.check import resolve_assignment
from grader.kinds.function import diagnosis

SHIPPED = ROOT / "exercises" / "linear-backprop"


def test_warm_computes_each_variant_trace_once_a_step():
    assignment = resolve_assignment(ROOT, "linear-backprop", ROOT)
    solver = assignment.by_id["two-variable-solver"]
    diagnosis.variant_output.cache_clear()
    steps = sum(1 for _ in checks.warm_steps(assignment))
    assert steps == len(solver.cases) * len(solver.variants) > 10
    assert diagnosis.variant_output.cache_info().currsize == steps
    before = diagnosis.variant_output.cache_info().hits
    for case in solver.cases:  # what a diagnosis then asks for is already there
        for variant in solver.variants:
            diagnosis.variant_trace(assignment.variants_path, solver, variant, case)
    assert diagnosis.variant_output.cache_info().hits == before + steps


def _course_with_broken_variants(tmp_path):
    shutil.copytree(SHIPPED, tmp_path / "exercises" / "linear-backprop")
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    variants = tmp_path / "solutions" / "linear_backprop_variants.py"
    variants.write_text(variants.read_text(encoding="utf-8")
                        + "\n\ndef fixed_factors(*args, **kwargs):\n    raise RuntimeError('x')\n",
                        encoding="utf-8")
    return tmp_path


def test_a_broken_variant_does_not_stop_a_correct_check(tmp_path):
    course = _course_with_broken_variants(tmp_path)
    assignment = resolve_assignment(course, "linear-backprop", course)
    diagnosis.variant_output.cache_clear()
    assert sum(1 for _ in checks.warm_steps(assignment)) == 0  # it ended at the first variant
    proc = run_grader("--course", str(course), "check", "--json",
                      str(SUBMISSIONS / "correct_fstrings.py"))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["score"] == 10


def test_a_broken_variant_is_still_reported_where_a_diagnosis_needs_it(tmp_path):
    course = _course_with_broken_variants(tmp_path)
    proc = run_grader("--course", str(course), "check", str(SUBMISSIONS / "fixed_factors.py"))
    assert proc.returncode == 2
    assert "variant fixed_factors" in proc.stderr and "fails" in proc.stderr
