"""The corpus in tests/real: submissions in the styles students really use, each graded as deserved.

tests/real/expected.yaml gives, for every file, its score per exercise (and per solver case where
partial credit applies), the mistake the feedback must name (or `none`), and why. Every file goes
through the real `grader check --json`, sandbox and all.
"""

from __future__ import annotations

import pytest
import yaml
from conftest import ROOT, exercise_scores

REAL = ROOT / "tests" / "real"
SOLVER = "two-variable-solver"
MANIFEST: dict[str, dict] = yaml.safe_load((REAL / "expected.yaml").read_text("utf-8"))["files"]


def _solver_tests(report: dict) -> list[dict]:
    return [test for test in report["tests"] if test["exercise"] == SOLVER]


def _named(test: dict) -> str | None:
    """The variant a solver test names: its report field, else the `Likely cause:` line."""
    variant = (test.get("detail") or {}).get("variant") or {}
    if variant.get("name"):
        return str(variant["name"])
    for line in test["output"].splitlines():
        if line.strip().startswith("Likely cause:"):
            return line.split("Likely cause:", 1)[1].strip()
    return None


def test_manifest_lists_every_file_in_the_folder():
    assert sorted(p.name for p in REAL.glob("*.py")) == sorted(MANIFEST)
    for name, entry in MANIFEST.items():
        assert entry.get("reason"), f"{name} has no reason"
        cases = entry.get("cases")
        if cases:  # the per-case points are the solver's score, split
            assert sum(cases.values()) == pytest.approx(entry["scores"][SOLVER]), name


@pytest.fixture(scope="module")
def graded() -> dict[str, tuple[int, dict]]:
    """Each file graded once per worker, on first use, for all the assertions about it."""
    return {}


def _grade(name: str, graded: dict, check_json) -> tuple[int, dict]:
    if name not in graded:
        graded[name] = check_json(REAL / name)
    return graded[name]


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_real_submission_scores(name, graded, check_json):
    code, report = _grade(name, graded, check_json)
    expected = {key: float(value) for key, value in MANIFEST[name]["scores"].items()}
    assert exercise_scores(report) == pytest.approx(expected), MANIFEST[name]["reason"]
    assert report["score"] == pytest.approx(sum(expected.values()))
    assert report["max_score"] == 10.0
    assert code == (0 if sum(expected.values()) == 10.0 else 1)
    for case, points in (MANIFEST[name].get("cases") or {}).items():
        test = next(t for t in _solver_tests(report) if t["name"].endswith(f": {case}"))
        assert test["score"] == pytest.approx(points), (case, test["output"])


@pytest.mark.parametrize("name", sorted(n for n, e in MANIFEST.items() if "diagnosis" in e))
def test_real_submission_diagnosis(name, graded, check_json):
    _, report = _grade(name, graded, check_json)
    want = MANIFEST[name]["diagnosis"]
    for test in _solver_tests(report):
        named = _named(test)
        if want == "none":
            assert named is None, (test["name"], test["output"])
        elif test["status"] == "failed":
            assert named is not None and named.startswith(want), (test["name"], test["output"])
