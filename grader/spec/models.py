"""The exercise spec format: one YAML file per exercise, plus `assignment.yaml`.

Pydantic models, frozen: a spec is instructor input, validated once on load
(`grader.spec.loader`) and then passed around read-only. Here: what every exercise has
(`ExerciseBase`), the cases of the kinds graded case by case, and the assignment. Each
kind's own exercise model is in its package (`grader/kinds/<kind>/model.py`); the loader
reads an exercise file with the model its `kind:` names (`grader.kinds.kind_model`).
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

# The specs use no pydantic plugin; looking for one, pydantic reads the entry points of every
# installed distribution when the first model is built (~40 ms of each `grader check`).
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

Identifier = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
Visibility = Literal["visible", "hidden", "after_due_date", "after_published"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExerciseBase(Model):
    id: Slug
    title: str
    points: float = Field(gt=0)
    prompt: str
    name: Identifier  # the name the student's module defines
    visibility: Visibility = "visible"


class Case(Model):
    name: Slug
    args: dict[Identifier, float]
    points: float = Field(gt=0)
    visibility: Visibility = "visible"


def cases_fit(exercise: Any) -> Any:
    """A function exercise's cases: each gives the parameters, and their points add up."""
    # Messages start with the key they concern, so the loader can point at its line.
    for case in exercise.cases:
        if list(case.args) != exercise.parameters:
            raise ValueError(
                f"cases: case {case.name!r} gives {list(case.args)}, the function takes "
                f"{exercise.parameters}")
    seen: set[str] = set()
    for number, case in enumerate(exercise.cases):
        if case.name in seen:  # two checks of one name: one would silently be lost
            raise ValueError(f"cases.{number}.name: {case.name!r} names an earlier case too; "
                             f"case names must be unique")
        seen.add(case.name)
    total = sum(c.points for c in exercise.cases)
    if abs(total - exercise.points) > 1e-9:
        raise ValueError(f"cases: the cases' points add up to {total:g}, not the "
                         f"exercise's {exercise.points:g}")
    return exercise


class LatePolicy(Model):
    """Late submissions until `until`; each started day (or hour) late costs `penalty` of the
    score, and at least `floor` of it is kept."""

    until: AwareDatetime
    penalty: float = Field(ge=0, le=1)
    per: Literal["day", "hour"] = "day"
    floor: float = Field(default=0.0, ge=0, le=1)


class RateLimit(Model):
    submissions: int = Field(ge=1)  # at most this many per student...
    minutes: float = Field(gt=0)  # ...in any window of this length


class CoursePolicy(Model):
    """How `grader serve` takes submissions for the assignment (grader.server.policy)."""

    due: AwareDatetime | None = None
    late: LatePolicy | None = None  # absent: nothing is accepted after the due date
    rate_limit: RateLimit | None = None
    counts: Literal["latest", "best_before_due"] = "latest"  # which submission is the grade

    @model_validator(mode="after")
    def _late_after_due(self) -> CoursePolicy:
        if self.late is not None and (self.due is None or self.late.until < self.due):
            raise ValueError("late: needs a `due` date, and `until` on or after it")
        return self


class AssignmentSpec(Model):
    id: Slug
    title: str
    module: Identifier  # the student's module name: `linear_backprop` -> linear_backprop.py
    solution: str  # the reference module, relative to the assignment file
    variants: str = ""  # wrong versions of the method, relative to the assignment file
    exercises: list[Slug] = Field(min_length=1)  # exercise ids, in order; files <id>.yaml
    intro: str = ""
    # installed distributions student code may import besides the standard library (with
    # their dependencies; nothing else of site-packages is visible in the sandbox)
    packages: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]] = []
    policy: CoursePolicy | None = None  # deadlines, rate limit: only `grader serve` reads it
    # Until then a student's report shows only the score of `after_due_date` checks. An ISO
    # date-time; without a time zone it is UTC.
    due: datetime | None = None

    @field_validator("exercises")
    @classmethod
    def _unique_exercises(cls, value: list[str]) -> list[str]:
        repeated = sorted({e for e in value if value.count(e) > 1})
        if repeated:
            raise ValueError(f"exercise {repeated[0]!r} is listed twice")
        return value
