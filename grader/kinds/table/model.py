"""The `table` kind's spec: the start, the columns' formulas, the rows, known mistakes."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from grader.kinds.table.formula import Formula, FormulaError
from grader.spec.models import ExerciseBase, Identifier, Model


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
    for column, text in formulas.items():
        try:
            unknown = sorted(Formula(text).names - known)
        except FormulaError as exc:
            raise ValueError(f"{where}.{column}: {text!r}: {exc}") from None
        if unknown:
            raise ValueError(f"{where}.{column}: {text!r} uses {unknown[0]!r}, which is "
                             f"neither a start value nor a column")


MODEL = TableExercise  # what the loader reads a `kind: table` file with
