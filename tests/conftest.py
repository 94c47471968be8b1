"""Shared helpers: run the real `grader` command, as users and scripts do."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SUBMISSIONS = ROOT / "tests" / "submissions"


def run_grader(*args: str, cwd: Path | None = None, env: dict | None = None,
               timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True,
                          text=True, cwd=cwd or ROOT, env=env, timeout=timeout)


def exercise_scores(report: dict) -> dict[str, float]:
    scores: dict[str, float] = {}
    for test in report["tests"]:
        scores[test["exercise"]] = round(scores.get(test["exercise"], 0.0) + test["score"], 6)
    return scores


@pytest.fixture
def check_json():
    """`grader check --json PATH`: (exit code, parsed report)."""

    def run(path: Path, *extra: str) -> tuple[int, dict]:
        proc = run_grader("check", "--json", str(path), *extra)
        assert proc.returncode in (0, 1), proc.stderr
        return proc.returncode, json.loads(proc.stdout)

    return run
