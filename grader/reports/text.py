"""A report as text for people (rich): per exercise, its checks, points, messages and traces.

The same content as the HTML report, laid out for a terminal: wrapped to the width given
(80 columns unless the terminal says otherwise), colour only when asked for. Everything the
student wrote goes in as `Text`, never as rich markup, so `[bold]` in a trace stays text.
"""

from __future__ import annotations

import io
import math
import os
import shutil
import sys
from typing import Any, TextIO

from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from grader.kinds.function.trace import Trace
from grader.results import CheckResult, Report

MAX_ROWS = 12  # iterations shown in the terminal; the HTML report shows them all
BAR = 16  # width of the log|delta_z| bar
PLOT_KEY = "delta_z"


def render(report: Report, *, show_hidden: bool = True, color: bool = False,
           width: int = 80) -> str:
    """The report as text; ANSI colour codes only when `color`."""
    console = Console(file=io.StringIO(), width=width, color_system="standard" if color else None,
                      force_terminal=color, no_color=not color, highlight=False, markup=False,
                      emoji=False, soft_wrap=False)
    console.print(Text(f"{report.assignment}: {report.score:g} / {report.max_score:g} points",
                       style="bold"))
    for notice in report.notices:
        console.print(Text(f"note: {printable(notice)}", style="yellow"))
    for exercise, (score, top) in report.exercise_scores().items():
        console.print()
        style = "bold green" if score >= top else "bold red"
        console.print(Text(f"{exercise}: {score:g} / {top:g}", style=style))
        for test in (t for t in report.tests if t.exercise == exercise):
            if show_hidden or test.visibility == "visible":
                _check(console, test)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    # rich pads wrapped blocks to the full width; trailing blanks only get in the way
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def _check(console: Console, test: CheckResult) -> None:
    mark, style = ("PASS", "green") if test.passed else ("FAIL", "red")
    label = test.name.split(": ", 1)[-1]
    console.print(Text.assemble("  ", (f"[{mark}]", f"bold {style}"),
                                f" {printable(label)} ({test.score:g}/{test.max_score:g})"))
    body = Text()
    for number, line in enumerate(test.output.split("\n")):  # not splitlines: a CR is shown
        if number:
            body.append("\n")
        cause = line.strip().startswith("Likely cause:")
        body.append(printable(line, keep="\t"), style="bold yellow" if cause else "")
    if test.diagnosis and test.diagnosis not in test.output:
        body.append(f"\nLikely cause: {printable(test.diagnosis)}", style="bold yellow")
    console.print(Padding(body, (0, 0, 0, 6), expand=False))
    table = None if test.passed else trace_table(test.detail)
    if table is not None:
        console.print(Padding(table, (0, 0, 0, 6), expand=False))


def trace_table(detail: dict[str, Any]) -> Text | None:
    """Yours beside the reference, per iteration, with the first departure marked."""
    if "student" not in detail or "reference" not in detail:
        return None
    student, expected = Trace.from_dict(detail["student"]), Trace.from_dict(detail["reference"])
    departure = detail.get("departure") or {}
    at = departure.get("iteration") or 0
    keys = [PLOT_KEY]
    if departure.get("key") and departure["key"] != PLOT_KEY:
        keys.insert(0, departure["key"])
    total = max(len(student.iterations), len(expected.iterations))
    first = max(0, min(at + 2, total) - MAX_ROWS)
    rows = [["#", *(name for key in keys for name in (key, "ref")), f"log|{PLOT_KEY}|"]]
    for index in range(first, min(total, first + MAX_ROWS)):
        mine, theirs = _row(student, index), _row(expected, index)
        cells = [f"{index + 1}{'>' if index + 1 == at else ''}"]
        for key in keys:
            cells += [_number(mine.get(key)), _number(theirs.get(key))]
        rows.append([*cells, _bar(mine.get(PLOT_KEY))])
    # Short plain cells in aligned columns: laid out here, as a rich Table measured every
    # cell of every table (most of the time a failing report took to render).
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    # never wrapped: a row too wide for the terminal loses the end of its bar, not its columns
    table = Text(f"yours | reference, per iteration ({', '.join(keys)})", no_wrap=True,
                 overflow="crop")
    for number, row in enumerate(rows):
        cells = [cell.rjust(width) for cell, width in zip(row[:-1], widths, strict=False)]
        line = "  ".join([*cells, row[-1]])
        departs = number and first + number == at
        table.append("\n" + line.rstrip(), style="bold red" if departs else "")
    return table


def _row(trace: Trace, index: int) -> dict[str, float]:
    return trace.iterations[index] if index < len(trace.iterations) else {}


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.6g}"


def _bar(value: float | None) -> str:
    """log10|v| from 1e-6 (empty) to 1e+2 (full): how far from the target, at a glance."""
    if value is None or not math.isfinite(value):
        return "" if value is None else "overflow"
    level = 0 if value == 0 else math.log10(abs(value)) + 6
    return "#" * max(0, min(BAR, round(level * BAR / 8)))


def printable(text: str, keep: str = "") -> str:
    """`text` as one line a terminal only shows: what it would act on (ESC, CR, BEL, C1
    codes, bidi overrides, line breaks) or cannot show (a lone surrogate) is written as its
    escape, repr-style (`\\x1b`); the bytes of a file name that is not UTF-8 as `\\xNN`.
    Every student-controlled string goes through this before a terminal sees it."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c in keep else _escape(c) for c in text)


def _escape(char: str) -> str:
    if "\udc80" <= char <= "\udcff":  # os.fsdecode's stand-in for an undecodable byte
        return f"\\x{ord(char) - 0xdc00:02x}"
    return repr(char)[1:-1]


def wants_color(stream: TextIO) -> bool:
    """Colour only for a terminal, and never with NO_COLOR set (https://no-color.org)."""
    return stream.isatty() and not os.environ.get("NO_COLOR")


def echo(report: Report, stream: TextIO | None = None) -> None:
    """Print the report on `stream` (stdout), sized and coloured for it."""
    stream = stream or sys.stdout
    color = wants_color(stream)
    width = shutil.get_terminal_size((80, 24)).columns if color else 80
    stream.write(render(report, color=color, width=max(60, width)))
