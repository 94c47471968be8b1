"""Read traces kept across processes (grader.kinds.function.kept): a later `grader check`
reads none of the instructor's traces again, an entry answers only for the very text it was
read from, and grading is the same whether traces were read afresh or kept."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SUBMISSIONS

from grader import cache, checks, submission
from grader.commands.check import collect_answers, resolve_assignment
from grader.kinds.function import diagnosis, kept
from grader.kinds.function.trace import Format

WRONG = SUBMISSIONS / "wrong_sign.py"


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_SWITCH, str(folder))
    fresh_process_state()
    yield folder
    fresh_process_state()


def fresh_process_state() -> None:
    """What a new process starts with: nothing read, nothing loaded."""
    kept.forget()
    diagnosis.parsed.cache_clear()


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts the trace reader is asked to read, from here on."""
    seen: list[str] = []
    real = diagnosis.parse_trace

    def counting(text: str, form: Format) -> object:
        seen.append(text)
        return real(text, form)

    monkeypatch.setattr(diagnosis, "parse_trace", counting)
    return seen


def grade(path: Path) -> list[dict]:
    assignment = resolve_assignment(ROOT, "linear-backprop", ROOT)
    outcomes = collect_answers(assignment, submission.read(path)).outcomes
    return [result.to_dict() for result in checks.grade_all(assignment, outcomes)]


def test_a_later_check_reads_no_known_mistake_again(own_cache: Path, reads: list[str]):
    env = {**os.environ, cache.CACHE_SWITCH: str(own_cache)}
    proc = subprocess.run([sys.executable, "-m", "grader", "check", "--json", str(WRONG)],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert any(own_cache.glob("traces-variants-*")) and any(own_cache.glob("traces-reference-*"))
    grade(WRONG)  # in this process, as in the next `grader check`
    assert reads == []  # the student's trace is read by check.py, not counted here


def test_without_kept_traces_every_trace_is_read(own_cache: Path, reads: list[str]):
    """The test above, with nothing kept: the instructor's traces are read here."""
    grade(WRONG)
    assert len(reads) >= 40  # four reference traces, and each case's known mistakes


def test_kept_and_fresh_traces_grade_alike(own_cache: Path):
    for path in (WRONG, SUBMISSIONS / "fixed_factors.py", SUBMISSIONS / "not_halved.py"):
        fresh_process_state()
        afresh = grade(path)  # nothing kept: read and kept now
        fresh_process_state()
        assert grade(path) == afresh  # every trace from the entry


def test_an_entry_answers_only_for_its_own_text(own_cache: Path):
    form = Format(("w", "b"))
    trace = diagnosis.parse_trace("w=1 b=2\nw=3 b=4\n", form)
    kept.remember("w=1 b=2\nw=3 b=4\n", form, "test", trace)
    kept.save(form, "test")
    kept.forget()
    assert kept.lookup("w=1 b=2\nw=3 b=4\n", form, "test") == trace
    assert kept.lookup("w=1 b=2\nw=3 b=5\n", form, "test") is None
    assert kept.lookup("w=1 b=2\nw=3 b=4\n", Format(("w",)), "test") is None  # another format


def test_a_damaged_entry_is_read_afresh(own_cache: Path, reads: list[str]):
    grade(WRONG)
    for entry in own_cache.glob("traces-*"):
        data = bytearray(entry.read_bytes())
        data[-10] ^= 0xFF
        entry.write_bytes(bytes(data))
    fresh_process_state()
    reads.clear()
    grade(WRONG)
    assert len(reads) >= 40
