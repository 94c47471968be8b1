"""The exercise spec format: one YAML file per exercise, plus `assignment.yaml`.

Pydantic models, frozen: a spec is instructor input, validated once on load
(`grader.spec.loader`) and then passed around read-only. Three kinds of exercise:
`expression` (a symbolic answer), `table` (numbers computed by hand), `function` (code
whose printed trace is compared with the reference's).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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


class TraceFormat(Model):
    iteration_keys: list[Identifier] = Field(min_length=1)  # a line with these starts an iteration
    final_prefix: str = "final"  # `final b=...` lines hold the result
    # expected lines that are not key=value (regular expressions): neither read nor reported
    quiet_lines: list[str] = [r"^done!$", r"-----$"]


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


class AssignmentSpec(Model):
    id: Slug
    title: str
    module: Identifier  # the student's module name: `linear_backprop` -> linear_backprop.py
    solution: str  # the reference module, relative to the assignment file
    variants: str = ""  # wrong versions of the method, relative to the assignment file
    exercises: list[Slug] = Field(min_length=1)  # exercise ids, in order; files <id>.yaml
    intro: str = ""
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
