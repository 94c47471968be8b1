"""The exercise spec format: one YAML file per exercise, plus `assignment.yaml`.

Pydantic models, frozen: a spec is instructor input, validated once on load
(`grader.spec.loader`) and then passed around read-only. Three kinds of exercise:
`expression` (a symbolic answer), `table` (numbers computed by hand), `function` (code
whose printed trace is compared with the reference's).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

Identifier = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
Visibility = Literal["visible", "hidden", "after_due_date", "after_published"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Mistake(Model):
    """A known wrong answer and the hint that goes with it."""

    answer: str
    hint: str


class ExerciseBase(Model):
    id: Slug
    title: str
    points: float = Field(gt=0)
    prompt: str
    name: Identifier  # the name the student's module defines
    visibility: Visibility = "visible"


class ExpressionExercise(ExerciseBase):
    kind: Literal["expression"]
    variables: list[Identifier] = Field(min_length=1)
    definitions: dict[Identifier, str] = {}  # intermediate names in terms of the free ones
    answer: str
    start: dict[Identifier, float] = {}  # the point where a bare number would be the "value"
    value_only_credit: float = Field(default=0.0, ge=0, le=1)  # fraction of points
    mistakes: list[Mistake] = []
    time_limit: float = Field(default=2.0, gt=0, le=30)
    # Shown in the stub as the form an answer takes; never the answer (validate proves it).
    # Default: twice the last variable ("2*y" for w, b, x, y).
    example: str = ""

    @model_validator(mode="before")
    @classmethod
    def _default_example(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("example") and data.get("variables"):
            return {**data, "example": f"2*{data['variables'][-1]}"}
        return data


class TableMistake(Model):
    """A wrong way to fill the table: some columns computed by other formulas."""

    name: str
    columns: dict[Identifier, str]
    hint: str


class TableExercise(ExerciseBase):
    kind: Literal["table"]
    start: dict[Identifier, float]  # the state before the first row
    columns: dict[Identifier, str]  # column -> formula over the state and earlier columns
    rows: int = Field(ge=1, le=100)
    tolerance: float = Field(default=1e-4, gt=0)
    mistakes: list[TableMistake] = []
    shown_start: list[Identifier] = []  # start values the stub may state

    @field_validator("columns")
    @classmethod
    def _not_empty(cls, value: dict[str, str]) -> dict[str, str]:
        if not value:
            raise ValueError("a table needs at least one column")
        return value

    @model_validator(mode="after")
    def _formulas_compile(self) -> TableExercise:
        # Each message names the key path it concerns, so the loader points at that line.
        known = set(self.start) | set(self.columns)
        _check_formulas("columns", self.columns, known)
        for number, mistake in enumerate(self.mistakes):
            where = f"mistakes.{number}.columns"
            for column in mistake.columns:
                if column not in self.columns:
                    raise ValueError(f"{where}.{column}: the table has no column {column!r}")
            _check_formulas(where, mistake.columns, known)
        return self


def _check_formulas(where: str, formulas: dict[str, str], known: set[str]) -> None:
    # imported here: the kinds import these models (no import circle)
    from grader.kinds.table.formula import Formula, FormulaError

    for column, text in formulas.items():
        try:
            unknown = sorted(Formula(text).names - known)
        except FormulaError as exc:
            raise ValueError(f"{where}.{column}: {text!r}: {exc}") from None
        if unknown:
            raise ValueError(f"{where}.{column}: {text!r} uses {unknown[0]!r}, which is "
                             f"neither a start value nor a column")


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


class TracePart(Model):
    """A share of each case's points, earned when these keys match at every iteration.

    `final b` (the format's final prefix, a space, a name) is the final value of b."""

    name: str = Field(min_length=1)
    keys: list[Annotated[str, Field(pattern=r"^([A-Za-z_]\w* )?[A-Za-z_][A-Za-z0-9_]*$")]] = \
        Field(min_length=1)
    share: float = Field(gt=0, le=1)


class TraceFormat(Model):
    iteration_keys: list[Identifier] = Field(min_length=1)  # the first one starts an iteration
    final_prefix: Identifier = "final"  # `final b=...` lines hold the result
    # expected lines that are not key=value (regular expressions): neither read nor reported
    quiet_lines: list[str] = [r"^done!$", r"-----$"]
    parts: list[TracePart] = []  # partial credit; none: a case is all or nothing

    @field_validator("parts")
    @classmethod
    def _parts_fit(cls, parts: list[TracePart], info: ValidationInfo) -> list[TracePart]:
        if not parts:
            return parts
        total = sum(part.share for part in parts)
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"the shares add up to {total:g}, not 1")
        prefix = info.data.get("final_prefix", "final")
        seen: set[str] = set()
        for part in parts:
            for key in part.keys:
                words = key.split()
                if len(words) == 2 and words[0] != prefix:
                    raise ValueError(f"{key!r} in part {part.name!r}: a final value is "
                                     f"written `{prefix} {words[1]}`")
                if key in seen:
                    raise ValueError(f"{key!r} is in two parts")
                seen.add(key)
        return parts


class Variant(Model):
    """A wrong version of the method, run from the same start to name a student's mistake.

    Either a function of its own, or a shared one with keyword `parameters` turning one knob
    (`{share: 1.0}`): an instructor adds a mistake in YAML, without grader code.
    """

    name: str
    function: Identifier  # defined in the assignment's variants module
    parameters: dict[Identifier, float | bool | str] = {}  # keyword arguments for `function`
    hint: str  # what is wrong and how to fix it, addressed to the student


class FunctionExercise(ExerciseBase):
    kind: Literal["function"]
    parameters: list[Identifier] = Field(min_length=1)
    reference: Identifier  # the reference function, in the assignment's solution module
    trace: TraceFormat
    tolerance: float = Field(default=1e-4, gt=0)
    time_limit: float = Field(default=2.0, gt=0, le=60)
    cases: list[Case] = Field(min_length=1)
    variants: list[Variant] = []

    @model_validator(mode="after")
    def _cases_fit(self) -> FunctionExercise:
        return cases_fit(self)


class ReturnsExercise(ExerciseBase):
    """A function whose returned value is compared with the reference's, case by case."""

    kind: Literal["returns"]
    parameters: list[Identifier] = Field(min_length=1)
    reference: Identifier  # the reference function, in the assignment's solution module
    tolerance: float = Field(default=1e-6, gt=0)
    time_limit: float = Field(default=2.0, gt=0, le=60)
    cases: list[Case] = Field(min_length=1)

    @model_validator(mode="after")
    def _cases_fit(self) -> ReturnsExercise:
        return cases_fit(self)


Exercise = Annotated[
    ExpressionExercise | TableExercise | FunctionExercise | ReturnsExercise,
    Field(discriminator="kind"),
]


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
