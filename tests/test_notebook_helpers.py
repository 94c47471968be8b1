"""The helpers of a notebook's test cells (the grader's student-side modules, embedded in the
notebook's first cell by grader.kinds.shipped) score as the grader's own checks do: the same
answers, the same verdicts, exercise by exercise."""

from __future__ import annotations

import math

import pytest
from test_notebook import ASSIGNMENT

from grader.kinds.expression.parse import judge_expression
from grader.kinds.function.check import reference_trace
from grader.kinds.function.diagnosis import trace_format
from grader.kinds.function.trace import first_departure, parse_trace
from grader.kinds.shipped import notebook_cell
from grader.kinds.table import check as table_check
from grader.spec.reference import load_module


@pytest.fixture(scope="module")
def helpers() -> dict:
    namespace: dict = {}
    exec(notebook_cell(), namespace)  # as the kernel runs the notebook's first cell
    function, table = namespace["_function"], namespace["_table"]
    run = namespace["_sys"].modules["grader_rules.local_run"].call

    def printed(solver, args, time_limit):  # noqa: ANN001, ANN202
        outcome = run(solver, tuple(args), time_limit)
        assert not outcome.problem, outcome.problem
        return outcome.printed

    def check_trace(solver, args, expected, tolerance, keys, time_limit):  # noqa: ANN001, ANN202
        fmt = {"iteration_keys": list(keys)}
        return function.case_score(solver, args, expected, fmt, tolerance, time_limit, 1.0)

    def check_row(rows, number, columns, start, tolerance, mistakes):  # noqa: ANN001, ANN202
        return table.check_row(rows, number, len(rows) if isinstance(rows, list) else 0,
                               columns, start, tolerance, mistakes)

    return {"_check_expression": namespace["_expression"].expression_score,
            "_check_row": check_row, "_check_trace": check_trace, "_printed": printed}


def kernel_score(call, *args, **kwargs) -> float:  # noqa: ANN001 - any helper
    try:
        result = call(*args, **kwargs)
    except AssertionError:
        return 0.0
    return result if isinstance(result, float) else 1.0


@pytest.mark.parametrize("answer", [
    "2*x + 3*y", "2x+3y", "3y + 2x", "4w + 12b + 3", "4*w+12*b+3", "63", "3*y", "2*y", "x + y",
    "3*x + 2*y", "2x+3y+1", "(2x)(3y)", "2*x^2", "2x + 3y²", "", "dz/db", "2*x = 3", "62",
    "2 * (2w + 3b) + 3(2b + 1)",
])
def test_expression_helper_agrees_with_the_grader(answer, helpers):
    exercise = ASSIGNMENT.by_id["derive-dz-db"]
    verdict = judge_expression(answer, answer=exercise.answer,
                               allowed_names=exercise.variables,
                               definitions=exercise.definitions, point=exercise.start,
                               mistakes=[(m.answer, m.hint) for m in exercise.mistakes])
    expected = {"equivalent": exercise.points,
                "value_only": exercise.points * exercise.value_only_credit}
    mine = kernel_score(helpers["_check_expression"], answer, exercise.variables,
                        exercise.answer, exercise.definitions, exercise.start,
                        exercise.points, exercise.value_only_credit,
                        [(m.answer, m.hint) for m in exercise.mistakes])
    assert mine == expected.get(verdict.status, 0.0), verdict


def test_table_helper_agrees_with_the_grader(helpers):
    exercise = ASSIGNMENT.by_id["iterate-by-hand"]
    reference = load_module(ASSIGNMENT.solution_path).HAND_ITERATIONS
    tables = [reference, [dict(reference[0], b=3.8), reference[1]],
              [dict(row, factor_b=63.0) for row in reference], [reference[0]],
              [reference[0], dict(reference[1], z=None)], [dict(reference[0], z=math.nan)]]
    mistakes = [(m.name, m.columns, m.hint) for m in exercise.mistakes]
    for rows in tables:
        for number, _ in enumerate(table_check.check_ids(exercise), 1):
            grader = table_check.check_row(exercise, rows, number)
            mine = kernel_score(helpers["_check_row"], rows, number, exercise.columns,
                                exercise.start, exercise.tolerance, mistakes)
            assert bool(mine) == grader.passed, (rows, number, grader.output)


def test_trace_helper_agrees_with_the_grader(helpers):
    exercise = ASSIGNMENT.by_id["two-variable-solver"]
    variants = load_module(ASSIGNMENT.variants_path)
    solvers = [getattr(load_module(ASSIGNMENT.solution_path), exercise.reference),
               variants.fixed_factors]
    outcomes = []
    for solver in solvers:
        for case in exercise.cases:
            args = list(case.args.values())
            expected = reference_trace(ASSIGNMENT, exercise, case)
            mine = kernel_score(helpers["_check_trace"], solver, args,
                                {"iterations": list(expected.iterations),
                                 "finals": expected.finals},
                                exercise.tolerance, exercise.trace.iteration_keys,
                                time_limit=exercise.time_limit)
            try:  # the same text, read by both (a run over the time limit fails in both)
                printed = helpers["_printed"](solver, args, exercise.time_limit)
            except AssertionError:
                agrees = False
            else:
                student = parse_trace(printed, trace_format(exercise))
                agrees = first_departure(student, expected, exercise.tolerance) is None
            assert bool(mine) == agrees, (solver.__name__, case.name)
            outcomes.append(agrees)
    assert True in outcomes and False in outcomes
