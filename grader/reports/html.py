"""A report as one self-contained HTML page: scores, messages, traces, a plot.

`render_html(report, heading=...)` is a pure function of the `Report` record (apply
`grader.reports.view.for_student` first for a student's page), so class grading can call it
once per student. The page is jinja2 with autoescape on: everything the student wrote (their
answer, printed lines, values) reaches it as data and is escaped; the only markup not escaped
is the plot's SVG, which matplotlib builds from numbers and our own labels. A restrictive
Content-Security-Policy is a second line of defence, and the page loads nothing from outside.

Student data is hostile in size too: the keys shown per row, the rows per trace, the text per
message and the plotted points are capped, and what is cut is summarised, so a page is small
however much a submission printed (a line of 110 000 keys is one row of MAX_KEYS cells).
"""

from __future__ import annotations

import functools
import math
from datetime import datetime
from pathlib import Path
from typing import Any

from grader import TEMPLATES
from grader.kinds.function.trace import Trace
from grader.reports.view import Heading, for_student, heading
from grader.results import CheckResult, Report

TEMPLATE = "report.html.j2"
HEAD_ROWS, TAIL_ROWS = 24, 3  # iterations shown of a long trace: how it starts and ends
MAX_EXAMINED = 1000  # iterations looked at; a report never holds more (check keeps 200)
MAX_KEYS = 12  # values shown per row: the reference's keys first, then the student's extras
MAX_TEXT = 4000  # characters of one message, answer or printed line
MAX_IGNORED = 20
PLOT_KEY = "delta_z"


def render_html(report: Report, *, heading: Heading | None = None,
                show_hidden: bool = True) -> str:
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
        report=report, exercises=exercises, plot=plot, heading=heading,
        percent=_percent(report.score, report.max_score), notices=[
            _clip(n) for n in report.notices])


@functools.cache
def _template() -> Any:
    """Compiled once per process: class grading renders one page per student."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    return env.get_template(TEMPLATE)


def write_html(report: Report, path: Path, *, heading: Heading | None = None,
               show_hidden: bool = True) -> None:
    path.write_text(render_html(report, heading=heading, show_hidden=show_hidden),
                    encoding="utf-8")


def write_student_html(report: Report, path: Path, *, student: str, assignment: Any,
                       when: datetime | None = None) -> None:
    """The page a student is handed: what the checks' visibility allows at `when`, headed by
    the student id, the assignment's title and the grading time."""
    top = heading(student, assignment.spec.title, when)
    shown = for_student(report, due=assignment.spec.due,
                        now=datetime.fromisoformat(top.graded_at))
    write_html(shown, path, heading=top)


def _exercise(report: Report, exercise: str, score: float, top: float, show_hidden: bool
              ) -> dict[str, Any]:
    checks = [_check(t) for t in report.tests if t.exercise == exercise
              and (show_hidden or t.visibility == "visible")]
    return {"id": exercise, "score": score, "top": top, "percent": _percent(score, top),
            "checks": checks}


def _check(test: CheckResult) -> dict[str, Any]:
    detail = test.detail
    answer = detail.get("answer_given")
    return {
        "label": _clip(test.name.split(": ", 1)[-1], 200), "passed": test.passed,
        "score": test.score, "max_score": test.max_score, "visibility": test.visibility,
        "output": _clip(_without_cause(test.output) if test.diagnosis else test.output),
        "diagnosis": _clip(test.diagnosis),
        "answer": None if answer is None else _clip(str(answer), 500),
        "trace": _trace(detail), "cells": _cells(detail),
    }


def _clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text) - limit} more " \
        "characters not shown)"


def _cells(detail: dict[str, Any]) -> list[dict[str, Any]]:
    """A hand-table row: each cell as given beside what the previous values give."""
    given, expected = detail.get("given") or {}, detail.get("expected") or {}
    wrong = detail.get("wrong")
    return [{"key": _clip(str(key), 60), "yours": _cell(given.get(key)),
             "expected": _cell(expected.get(key)) if key in expected else "",
             "wrong": key == wrong} for key in list(given)[:MAX_KEYS]]


def _without_cause(output: str) -> str:
    """The message minus its `Likely cause:` line: the page shows the diagnosis on its own."""
    return "\n".join(line for line in output.splitlines()
                     if not line.strip().startswith("Likely cause:"))


def _trace(detail: dict[str, Any]) -> dict[str, Any] | None:
    """Both traces, iteration by iteration, bounded: the reference's keys (then the student's
    extras, up to MAX_KEYS), the first and last rows, and runs of non-finite rows folded."""
    if "student" not in detail or "reference" not in detail:
        return None
    student, expected = Trace.from_dict(detail["student"]), Trace.from_dict(detail["reference"])
    departure = (detail.get("departure") or {})
    at = departure.get("iteration")
    tolerance = float(detail.get("tolerance", 1e-4))
    keys, extra = _keys(student, expected)
    total = max(len(student.iterations), len(expected.iterations))
    return {
        "case": str(detail.get("case", "")), "keys": keys, "extra_keys": extra,
        "rows": _rows(student, expected, keys, tolerance, at), "total": total,
        "student_total": int(detail.get("student_iterations", len(student.iterations))),
        "departure": at, "departure_key": departure.get("key"),
        "departure_message": _clip(str(departure.get("message", "")), 500),
        "ignored": [_clip(line, 200) for line in student.ignored[:MAX_IGNORED]],
        "finals": [(_clip(k, 60), _cell(student.finals.get(k)), _cell(v))
                   for k, v in list(expected.finals.items())[:MAX_KEYS]],
        "student_dz": [it.get(PLOT_KEY, math.nan) for it in student.iterations[:200]],
        "reference_dz": [it.get(PLOT_KEY, math.nan) for it in expected.iterations[:200]],
    }


def _keys(student: Trace, expected: Trace) -> tuple[list[str], int]:
    """(keys shown, how many more there are): bounded work however many keys a line has."""
    keys: dict[str, None] = {}
    for iteration in expected.iterations:
        keys.update(dict.fromkeys(k for k in list(iteration)[:MAX_KEYS] if len(keys) < MAX_KEYS))
    extra: set[str] = set()
    for iteration in student.iterations[: HEAD_ROWS + TAIL_ROWS]:
        for key in iteration:
            if key in keys:
                continue
            if len(keys) < MAX_KEYS:
                keys[key] = None
            elif len(extra) < 10 * MAX_KEYS:
                extra.add(key)
            else:
                break
    return [_clip(k, 60) for k in keys], len(extra)


def _rows(student: Trace, expected: Trace, keys: list[str], tolerance: float,
          at: int | None) -> list[dict[str, Any]]:
    """The rows shown: runs where the student's values are all inf/nan (a divergence) fold
    into one row each; of what remains, the first and last rows and the departure, with one
    row saying how many were skipped between. Work is bounded by MAX_EXAMINED rows."""
    total = min(max(len(student.iterations), len(expected.iterations)), MAX_EXAMINED)
    segments: list[list[int]] = []  # [first, last] iteration indexes
    for index in range(total):
        if _blown(student, index, keys) and index + 1 != at and segments and \
                segments[-1][0] + 1 != at and _blown(student, segments[-1][0], keys):
            segments[-1][1] = index
        else:
            segments.append([index, index])
    keep = set(range(min(HEAD_ROWS, len(segments))))
    keep |= set(range(max(0, len(segments) - TAIL_ROWS), len(segments)))
    keep |= {n for n, (first, last) in enumerate(segments) if at and first < at <= last + 1}
    out: list[dict[str, Any]] = []
    for number, (first, last) in enumerate(segments):
        if number not in keep:
            if out and out[-1]["kind"] == "skipped":
                out[-1]["to"] = last + 1
            else:
                out.append({"kind": "skipped", "number": first + 1, "to": last + 1})
        elif first == last:
            out.append({**_row(first, student, expected, keys, tolerance, at), "kind": "row",
                        "to": first + 1})
        else:
            out.append({"kind": "fold", "number": first + 1, "to": last + 1})
    return out


def _blown(student: Trace, index: int, keys: list[str]) -> bool:
    if index >= len(student.iterations):
        return False
    mine = student.iterations[index]
    return not any(math.isfinite(mine[k]) for k in keys if k in mine)


def _row(index: int, student: Trace, expected: Trace, keys: list[str], tolerance: float,
         at: int | None) -> dict[str, Any]:
    mine = student.iterations[index] if index < len(student.iterations) else None
    theirs = expected.iterations[index] if index < len(expected.iterations) else None
    differs = {k for k in keys if mine is not None and theirs is not None and k in theirs
               and not (k in mine and abs(mine[k] - theirs[k]) <= tolerance)}
    # a side that has stopped says so once, not on every later row
    sides = [side for side, trace in (("yours", student), ("reference", expected))
             if index <= len(trace.iterations)]
    return {"number": index + 1, "departure": at == index + 1, "differs": differs,
            "sides": sides,
            "yours": None if mine is None else [_cell(mine.get(k)) for k in keys],
            "reference": None if theirs is None else [_cell(theirs.get(k)) for k in keys]}


def _cell(value: float | None) -> str:
    """Six decimals, as the traces print them; a large number (a divergence) in six digits."""
    return "" if value is None else f"{value:.6f}" if abs(value) < 1e5 else f"{value:.6g}"


def _percent(score: float, top: float) -> float:
    return round(100 * score / top, 1) if top else 0.0
