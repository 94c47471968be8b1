"""Result records: what a check found, and a whole graded submission.

Plain frozen dataclasses that round-trip through JSON (`to_dict` / `from_dict`); they cross
stage and process boundaries, so nothing in them may be a live object.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")


def strict(value: Any) -> Any:
    """`value` as strict JSON data (RFC 8259): a non-finite float, which a student's numbers
    can make anywhere (a table row of 1e308 makes the expected value inf), becomes the string
    "nan", "inf" or "-inf", as the contract's JSON section says."""
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {str(k): strict(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [strict(v) for v in value]
    return value


def to_json(value: Any) -> str:
    """The one way student-influenced data becomes JSON text: strict, never NaN."""
    return json.dumps(strict(value), ensure_ascii=False, allow_nan=False)


@dataclass(frozen=True)
class CheckResult:
    """One check of one exercise: a pytest test of the hidden suite, scored."""

    name: str
    exercise: str
    score: float
    max_score: float
    passed: bool
    output: str
    visibility: str = "visible"
    diagnosis: str = ""  # the recognised mistake and its fix, if any
    detail: dict[str, Any] = field(default_factory=dict, compare=False)  # JSON data for reports

    @property
    def status(self) -> str:
        return "passed" if self.passed else "failed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "exercise": self.exercise,
            "score": self.score,
            "max_score": self.max_score,
            "status": self.status,
            "visibility": self.visibility,
            "output": self.output,
            "diagnosis": self.diagnosis,
            "detail": self.detail,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckResult:
        return cls(
            name=str(data["name"]),
            exercise=str(data["exercise"]),
            score=float(data["score"]),
            max_score=float(data["max_score"]),
            passed=data["status"] == "passed",
            output=str(data["output"]),
            visibility=str(data.get("visibility", "visible")),
            diagnosis=str(data.get("diagnosis", "")),
            detail=dict(data.get("detail") or {}),
        )


@dataclass(frozen=True)
class Report:
    """A graded submission: every check of every exercise of one assignment."""

    assignment: str
    tests: tuple[CheckResult, ...]
    execution_time: float = 0.0
    notices: tuple[str, ...] = ()  # things the person should know that are not checks

    @property
    def score(self) -> float:
        return round(sum(t.score for t in self.tests), 6)

    @property
    def max_score(self) -> float:
        return round(sum(t.max_score for t in self.tests), 6)

    @property
    def passed(self) -> bool:
        return all(t.passed for t in self.tests)

    def exercise_scores(self) -> dict[str, tuple[float, float]]:
        """Exercise id -> (score, max_score), in the order the checks came."""
        totals: dict[str, tuple[float, float]] = {}
        for t in self.tests:
            got, top = totals.get(t.exercise, (0.0, 0.0))
            totals[t.exercise] = (round(got + t.score, 6), round(top + t.max_score, 6))
        return totals

    def to_dict(self) -> dict[str, Any]:
        return {
            "assignment": self.assignment,
            "score": self.score,
            "max_score": self.max_score,
            "execution_time": round(self.execution_time, 3),
            "tests": [t.to_dict() for t in self.tests],
            "notices": list(self.notices),
        }

    def to_json(self) -> str:
        """The `--json` document: strict JSON, non-finite numbers as strings."""
        return to_json(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        return cls(
            assignment=str(data["assignment"]),
            tests=tuple(CheckResult.from_dict(t) for t in data["tests"]),
            execution_time=float(data.get("execution_time", 0.0)),
            notices=tuple(str(n) for n in data.get("notices", ())),
        )
