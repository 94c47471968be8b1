"""The `expression` kind's spec: the answer, its variables and definitions, known mistakes."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from grader.spec.models import ExerciseBase, Identifier, Model


class Mistake(Model):
    """A known wrong answer and the hint that goes with it."""

    answer: str
    hint: str


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


MODEL = ExpressionExercise  # what the loader reads a `kind: expression` file with
