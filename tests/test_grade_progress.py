"""The class run's progress bar moves while it grades, on a real terminal (a pty): the
hidden checks' in-process pytest session swallows sys.stderr, and the bar used to write
there, so a class showed 0/N until its very end."""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT, SUBMISSIONS

STUDENTS = 40
FRAME = re.compile(rb"(\d+)/" + str(STUDENTS).encode())


def test_the_bar_counts_students_while_the_class_is_graded(tmp_path: Path) -> None:
    for i in range(STUDENTS):
        (tmp_path / "class" / f"s{i:02d}").mkdir(parents=True)
        shutil.copy(SUBMISSIONS / "correct_fstrings.py",
                    tmp_path / "class" / f"s{i:02d}" / "linear_backprop.py")
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "grader", "grade", str(tmp_path / "class"), "--db",
         str(tmp_path / "gradebook.sqlite"), "--jobs", "1"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=follower, cwd=ROOT,
        env={**os.environ, "COLUMNS": "120", "TERM": "xterm"})
    os.close(follower)
    shown = bytearray()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 1.0)
        if not ready:
            if proc.poll() is not None:
                break
            continue
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the pty's other end is closed: the run is over
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert proc.wait(30) == 0
    counts = [int(n) for n in FRAME.findall(bytes(shown))]
    assert counts and counts[-1] == STUDENTS, shown[-2000:]
    assert any(0 < n < STUDENTS for n in counts), counts  # seen before the end
