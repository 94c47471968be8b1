"""Hostile submissions, graded end to end with `grader check --json` under the real sandbox.

Each file in tests/attacks/ states in its docstring the points it must get per exercise
(`expect: derive-dz-db=2 ...`): none for the attacked part, full marks for the honest parts.
For every one: exact scores, exit code 1 or 0 (never a crash of the grader), and afterwards no
stray process, no file left outside the scratch folder, no connection made.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, exercise_scores

from grader.sandbox.bwrap import bwrap_path

ATTACKS = ROOT / "tests" / "attacks"
MARKERS = (Path("/tmp/grader-attack-pwned"), Path("/tmp/grader-attack-marker"),
           Path("/var/tmp/grader-attack-marker"), Path.home() / "grader-attack-marker")
SOLUTION = ROOT / "solutions" / "linear_backprop.py"
LISTEN_PORTS = range(47113, 47123)  # network_connect.py tries each of these
OUTLIVER = "987654"  # fork_to_outlive.py leaves `sleep 987654` behind if it can
# Under the fallback these run as the grader's own user, so only the harmless ones are tried
# there: kill(-1), a fork bomb or writes outside scratch would hit the machine for real.
FALLBACK_SAFE = ("exit_at_import", "os_exit_in_solver", "sys_exit_in_solver", "infinite_loop",
                 "ignore_sigterm", "output_flood", "ctypes_segfault", "deep_recursion",
                 "equal_to_everything", "nan_trace", "fake_results_printed", "fork_to_outlive",
                 "memory_bomb", "walk_heap", "forge_result_channel")

needs_bwrap = pytest.mark.skipif(bwrap_path() is None, reason="bubblewrap is not installed")


@dataclass(frozen=True)
class Graded:
    returncode: int
    report: dict
    stderr: str
    leftovers: tuple[str, ...]  # processes still mentioning this run's scratch folder


def expected(attack: Path) -> dict[str, float]:
    line = re.search(r"^expect: (.*)$", attack.read_text(), re.MULTILINE)
    assert line, f"{attack.name} states no expected points"
    return {k: float(v) for k, v in re.findall(r"([\w-]+)=(\d+(?:\.\d+)?)", line.group(1))}


def grade(attack: Path, tmp: Path, sandbox: str = "") -> Graded:
    """`grader check --json` with its own TMPDIR, so this run's scratch folder is findable."""
    tmp.mkdir(parents=True)
    env = {**os.environ, "TMPDIR": str(tmp), "GRADER_SANDBOX": sandbox}
    proc = subprocess.run([sys.executable, "-m", "grader", "check", "--json", str(attack)],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    report = json.loads(proc.stdout) if proc.stdout.strip() else {}
    return Graded(proc.returncode, report, proc.stderr, processes_mentioning(str(tmp)))


def processes_mentioning(text: str) -> tuple[str, ...]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if text in cmdline:
            found.append(f"{pid}: {cmdline[:200]}")
    return tuple(found)


class Listener:
    """A TCP service on the host's 127.0.0.1 that records whether anyone connected."""

    def __init__(self) -> None:
        self.server = self.bind()
        self.server.settimeout(0.2)
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    @staticmethod
    def bind() -> socket.socket:
        for port in LISTEN_PORTS:  # a concurrent run of this suite may hold the first
            try:
                return socket.create_server(("127.0.0.1", port))
            except OSError:
                continue
        raise RuntimeError("no free port for the listener")

    def serve(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.server.close()


@pytest.fixture(scope="module")
def sandboxed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Graded]:
    """Every attack graded once under bwrap (two at a time), with a listener on 127.0.0.1."""
    if bwrap_path() is None:
        pytest.skip("bubblewrap is not installed")
    for marker in MARKERS:
        marker.unlink(missing_ok=True)
    root = tmp_path_factory.mktemp("attacks")
    listener = Listener()
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            runs = {a.stem: pool.submit(grade, a, root / a.stem) for a in sorted_attacks()}
            graded = {name: run.result() for name, run in runs.items()}
    finally:
        listener.close()
    graded["__listener__"] = Graded(0, {"connections": listener.connections}, "", ())
    return graded


def sorted_attacks() -> list[Path]:
    return sorted(ATTACKS.glob("*.py"))


def test_there_are_at_least_twenty_attacks_each_with_its_expected_points():
    attacks = sorted_attacks()
    assert len(attacks) >= 20
    for attack in attacks:
        assert set(expected(attack)) == {"derive-dz-db", "iterate-by-hand", "two-variable-solver"}


@needs_bwrap
@pytest.mark.parametrize("attack", sorted_attacks(), ids=lambda p: p.stem)
def test_attack_gets_exactly_its_points_and_leaves_nothing(
    attack: Path, sandboxed: dict[str, Graded]
) -> None:
    graded = sandboxed[attack.stem]
    assert graded.returncode in (0, 1), graded.stderr
    assert exercise_scores(graded.report) == expected(attack)
    assert graded.report["score"] == sum(expected(attack).values())
    assert graded.leftovers == ()


@needs_bwrap
def test_no_attack_left_a_file_a_process_or_a_connection(sandboxed: dict[str, Graded]) -> None:
    assert [str(m) for m in MARKERS if m.exists()] == []
    assert processes_mentioning(OUTLIVER) == ()
    assert sandboxed["__listener__"].report["connections"] == 0
    assert "def double_variable_new" in SOLUTION.read_text()
    assert "pwned" not in SOLUTION.read_text()


@needs_bwrap
def test_snooping_finds_nothing_of_the_instructors(sandboxed: dict[str, Graded]) -> None:
    for name in ("read_solutions_by_path", "read_solutions_by_glob", "walk_frames",
                 "walk_heap", "snoop_proc"):
        text = json.dumps(sandboxed[name].report)
        assert "LEAKED /work" not in text and "FOUND" not in text, name
        assert "HEAP" not in text and "FRAME" not in text, name  # other probes stay unseen
        assert "solutions" not in text.replace("tests/attacks", ""), name


@needs_bwrap
def test_the_slowest_attack_is_graded_within_a_bounded_time(
    sandboxed: dict[str, Graded],
) -> None:
    times = {n: g.report["execution_time"] for n, g in sandboxed.items() if "tests" in g.report}
    assert max(times.values()) < 30, times


def fallback_attacks() -> list[Path]:
    return [a for a in sorted_attacks() if a.stem in FALLBACK_SAFE]


@pytest.mark.parametrize("attack", fallback_attacks(), ids=lambda p: p.stem)
def test_fallback_still_grades_attacks_right_and_says_files_are_not_isolated(
    attack: Path, tmp_path: Path
) -> None:
    graded = grade(attack, tmp_path / "tmp", sandbox="none")
    assert graded.returncode in (0, 1), graded.stderr
    assert exercise_scores(graded.report) == expected(attack)
    assert any("not isolated" in n for n in graded.report.get("notices", []))
    assert processes_mentioning(OUTLIVER) == ()
    assert list((tmp_path / "tmp").iterdir()) == []  # the scratch folder is gone


def test_require_sandbox_refuses_without_bubblewrap(tmp_path: Path) -> None:
    env = {**os.environ, "GRADER_SANDBOX": "none"}
    proc = subprocess.run(
        [sys.executable, "-m", "grader", "check", "--require-sandbox", "--json",
         str(ATTACKS / "write_outside_scratch.py")],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert proc.returncode == 2
    assert "bubblewrap" in proc.stderr and proc.stdout == ""
    assert not Path("/tmp/grader-attack-marker").exists()



BESIDE = '''import pathlib
pathlib.Path(%r).write_text("loaded")

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    outcome.get_result().outcome = "passed"  # every check would pass
'''


@needs_bwrap
def test_files_handed_in_beside_the_submission_are_never_loaded(tmp_path: Path) -> None:
    """A conftest.py, pytest.ini or sitecustomize.py next to the module changes nothing."""
    folder, marker = tmp_path / "handin", tmp_path / "loaded"
    folder.mkdir()
    attack = ATTACKS / "hardcoded_trace.py"
    (folder / "linear_backprop.py").write_text(attack.read_text())
    for name in ("conftest.py", "sitecustomize.py", "usercustomize.py"):
        (folder / name).write_text(BESIDE % str(marker))
    (folder / "pytest.ini").write_text("[pytest]\naddopts = -p no:python\n")
    graded = grade(folder, tmp_path / "tmp")
    assert graded.returncode == 1, graded.stderr
    assert exercise_scores(graded.report) == expected(attack)
    assert not marker.exists()


@needs_bwrap
def test_the_text_report_never_passes_terminal_escapes_through() -> None:
    proc = subprocess.run([sys.executable, "-m", "grader", "check",
                           str(ATTACKS / "terminal_spoof.py")],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith("linear-backprop: 4 / 10 points")
    assert not any(c in proc.stdout for c in "\x1b\x07\x9b\r")
