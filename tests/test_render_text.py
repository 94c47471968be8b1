"""Terminal output: the same content as the HTML page, in 80 columns, colour only on a terminal.

Through the real CLI: once with stdout a pipe (as scripts and CI see it) and once with stdout
a real pseudo-terminal, with and without NO_COLOR.
"""

from __future__ import annotations

import functools
import os
import pty
import select
import subprocess
import sys

import pytest
from conftest import ROOT, SUBMISSIONS, run_grader

from grader.reports.text import render
from grader.results import CheckResult, Report

ANSI = "\x1b["


@functools.cache
def piped(name: str) -> str:
    proc = run_grader("check", str(SUBMISSIONS / name))
    assert proc.returncode in (0, 1), proc.stderr
    return proc.stdout


def in_terminal(name: str, **env: str) -> str:
    """stdout of `grader check` run on a pseudo-terminal 100 columns wide."""
    controller, terminal = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    environment.update(COLUMNS="100", LINES="40", TERM="xterm-256color", **env)
    proc = subprocess.Popen([sys.executable, "-m", "grader", "check", str(SUBMISSIONS / name)],
                            stdout=terminal, stderr=subprocess.DEVNULL, cwd=ROOT,
                            env=environment)
    os.close(terminal)
    chunks = []
    while True:
        ready, _, _ = select.select([controller], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal's other end closed: the grader is done
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=60)
    os.close(controller)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize("name", ["fixed_factors.py", "html_injection.py", "wrong_sign.py"])
def test_piped_output_is_plain_and_fits_80_columns(name):
    text = piped(name)
    assert ANSI not in text
    assert all(len(line) <= 80 for line in text.splitlines()), max(text.splitlines(), key=len)


def test_the_summary_lines_scripts_grep_for():
    text = piped("fixed_factors.py")
    assert text.startswith("linear-backprop: 4 / 10 points\n")
    for line in ("derive-dz-db: 2 / 2", "iterate-by-hand: 2 / 2", "two-variable-solver: 0 / 6"):
        assert f"\n{line}\n" in text


def test_messages_diagnosis_and_the_trace_table_are_shown():
    text = piped("fixed_factors.py")
    assert "[FAIL] chapter-example (0/3)" in text and "[PASS] answer (2/2)" in text
    assert "Likely cause: fixed factors 63 and 18" in text
    assert "yours | reference, per iteration" in text
    assert any(line.lstrip().startswith("2>") for line in text.splitlines())  # departure


def test_student_text_is_never_read_as_rich_markup():
    words = " ".join(piped("html_injection.py").split())  # undo the wrapping
    assert "[bold red]not rich markup[/bold red]" in words


def test_a_terminal_gets_colour_and_its_own_width():
    text = in_terminal("fixed_factors.py")
    assert ANSI in text
    assert "linear-backprop: 4 / 10 points" in text
    assert max(len(line) for line in _plain(text).splitlines()) > 80  # the terminal's 100


def test_no_color_turns_colour_off_even_on_a_terminal():
    text = in_terminal("fixed_factors.py", NO_COLOR="1")
    assert ANSI not in text and "linear-backprop: 4 / 10 points" in text


def _plain(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text).replace("\r", "")


def test_render_wraps_long_messages_within_the_width():
    long = "word " * 60
    report = Report("a", (CheckResult("e: c", "e", 0.0, 1.0, False, long.strip()),))
    for width in (60, 80):
        lines = render(report, width=width).splitlines()
        assert all(len(line) <= width for line in lines)
        assert sum(line.count("word") for line in lines) == 60


def test_a_trace_table_keeps_its_columns_when_a_row_is_too_wide():
    """Numbers as wide as `.6g` makes them, at 60 columns: each row stays one line, aligned,
    and only the end of the bar is cut."""
    rows = [{"w": -1.23456e6 * (i + 1), "delta_z": -9.87654e-5 * (i + 1)} for i in range(4)]
    reference = [{"w": 2.0, "delta_z": 1.0}] * 4
    detail = {"student": {"iterations": rows, "finals": {}},
              "reference": {"iterations": reference, "finals": {}},
              "departure": {"iteration": 2, "key": "w"}}
    report = Report("a", (CheckResult("e: c", "e", 0.0, 1.0, False, "off", detail=detail),))
    lines = render(report, width=60).splitlines()
    table = lines[lines.index(next(x for x in lines if "per iteration" in x)) + 1:]
    assert len(table) == 5 and all(len(line) <= 60 for line in table)
    assert table[0].split()[:5] == ["#", "w", "ref", "delta_z", "ref"]
    assert table[2].split()[:2] == ["2>", "-2.46912e+06"]
    for column in range(5):  # every column right-aligned: its cells end where its head does
        ends = {_end_of(line, column) for line in table}
        assert len(ends) == 1, (column, table)


def _end_of(line: str, column: int) -> int:
    import re

    return [match.end() for match in re.finditer(r"\S+", line)][column]
