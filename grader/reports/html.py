"""A report as one self-contained HTML page: scores, messages, traces side by side, a plot.

`render_html(report)` is a pure function of the `Report` record, so class grading can call it
once per student. The page is jinja2 with autoescape on: everything the student wrote (their
answer, printed lines, values) reaches it as data and is escaped; the only markup not escaped
is the plot's SVG, which matplotlib builds from numbers and our own labels. A restrictive
Content-Security-Policy is a second line of defence, and the page loads nothing from outside.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import Any

from grader import TEMPLATES
from grader.kinds.function.trace import Trace
from grader.results import CheckResult, Report

TEMPLATE = "report.html.j2"
MAX_ROWS = 60  # trace rows in the page; a runaway loop's thousands say nothing more
PLOT_KEY = "delta_z"


def render_html(report: Report, *, show_hidden: bool = True) -> str:
    """The whole page, as text."""
    import markupsafe  # with jinja2 and matplotlib, only when a page is written

    from grader.reports.plot import delta_z_svg

    plots: list[str] = []

    def plot(trace: dict[str, Any]) -> markupsafe.Markup:
        plots.append(trace["case"])
        svg = delta_z_svg(trace["student_dz"], trace["reference_dz"],
                          departure=trace["departure"], salt=f"plot{len(plots)}")
        return markupsafe.Markup(svg)  # built from numbers and our labels only

    exercises = [_exercise(report, exercise, score, top, show_hidden)
                 for exercise, (score, top) in report.exercise_scores().items()]
    return _template().render(
        report=report, exercises=exercises, plot=plot,
        percent=_percent(report.score, report.max_score))


@functools.cache
def _template() -> Any:
    """Compiled once per process: class grading renders one page per student."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    return env.get_template(TEMPLATE)


def write_html(report: Report, path: Path, *, show_hidden: bool = True) -> None:
    path.write_text(render_html(report, show_hidden=show_hidden), encoding="utf-8")


def _exercise(report: Report, exercise: str, score: float, top: float, show_hidden: bool
              ) -> dict[str, Any]:
    checks = [_check(t) for t in report.tests if t.exercise == exercise
              and (show_hidden or t.visibility == "visible")]
    return {"id": exercise, "score": score, "top": top, "percent": _percent(score, top),
            "checks": checks}


def _check(test: CheckResult) -> dict[str, Any]:
    detail = test.detail
    return {
        "label": test.name.split(": ", 1)[-1], "passed": test.passed, "score": test.score,
        "max_score": test.max_score, "visibility": test.visibility,
        "output": _without_cause(test.output) if test.diagnosis else test.output,
        "diagnosis": test.diagnosis,
        "answer": detail.get("answer_given"), "trace": _trace(detail), "cells": _cells(detail),
    }


def _cells(detail: dict[str, Any]) -> list[dict[str, Any]]:
    """A hand-table row: each cell as given beside what the previous values give."""
    given, expected = detail.get("given") or {}, detail.get("expected") or {}
    wrong = detail.get("wrong")
    return [{"key": key, "yours": _cell(given.get(key)),
             "expected": _cell(expected.get(key)) if key in expected else "",
             "wrong": key == wrong} for key in given]


def _without_cause(output: str) -> str:
    """The message minus its `Likely cause:` line: the page shows the diagnosis on its own."""
    return "\n".join(line for line in output.splitlines()
                     if not line.strip().startswith("Likely cause:"))


def _trace(detail: dict[str, Any]) -> dict[str, Any] | None:
    """Rows of both traces, aligned by iteration, with the departure and differing cells."""
    if "student" not in detail or "reference" not in detail:
        return None
    student, expected = Trace.from_dict(detail["student"]), Trace.from_dict(detail["reference"])
    departure = (detail.get("departure") or {})
    at = departure.get("iteration")
    tolerance = float(detail.get("tolerance", 1e-4))
    keys = list(dict.fromkeys(k for it in (*expected.iterations, *student.iterations)
                              for k in it))
    total = max(len(student.iterations), len(expected.iterations))
    rows = [_row(index, student, expected, keys, tolerance, at)
            for index in range(min(total, MAX_ROWS))]
    return {
        "case": str(detail.get("case", "")), "keys": keys, "rows": rows,
        "hidden_rows": max(0, total - MAX_ROWS),
        "student_total": int(detail.get("student_iterations", len(student.iterations))),
        "departure": at, "departure_key": departure.get("key"),
        "departure_message": departure.get("message", ""),
        "ignored": list(student.ignored),
        "finals": [(k, _cell(student.finals.get(k)), _cell(v))
                   for k, v in expected.finals.items()],
        "student_dz": [it.get(PLOT_KEY, math.nan) for it in student.iterations],
        "reference_dz": [it.get(PLOT_KEY, math.nan) for it in expected.iterations],
    }


def _row(index: int, student: Trace, expected: Trace, keys: list[str], tolerance: float,
         at: int | None) -> dict[str, Any]:
    mine = student.iterations[index] if index < len(student.iterations) else None
    theirs = expected.iterations[index] if index < len(expected.iterations) else None
    differs = {k for k in keys if mine is not None and theirs is not None and k in theirs
               and not (k in mine and abs(mine[k] - theirs[k]) <= tolerance)}
    return {"number": index + 1, "departure": at == index + 1, "differs": differs,
            "yours": None if mine is None else [_cell(mine.get(k)) for k in keys],
            "reference": None if theirs is None else [_cell(theirs.get(k)) for k in keys]}


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}" if abs(value) < 1e9 else f"{value:.6g}"


def _percent(score: float, top: float) -> float:
    return round(100 * score / top, 1) if top else 0.0
