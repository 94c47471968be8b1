"""A report as text for people: per exercise, its checks, points and messages."""

from __future__ import annotations

from grader.results import Report


def render(report: Report, *, show_hidden: bool = True) -> str:
    lines = [f"{report.assignment}: {report.score:g} / {report.max_score:g} points"]
    for notice in report.notices:
        lines.append(f"note: {notice}")
    totals = report.exercise_scores()
    for exercise, (score, top) in totals.items():
        lines.append("")
        lines.append(f"{exercise}: {score:g} / {top:g}")
        for test in (t for t in report.tests if t.exercise == exercise):
            if not show_hidden and test.visibility != "visible":
                continue
            mark = "PASS" if test.passed else "FAIL"
            label = test.name.split(": ", 1)[-1]
            lines.append(f"  [{mark}] {label} ({test.score:g}/{test.max_score:g})")
            for text_line in test.output.splitlines():
                lines.append(f"      {text_line}")
    return "\n".join(lines) + "\n"
