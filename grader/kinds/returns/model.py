"""The `returns` kind's spec: the parameters, the reference function, the cases."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from grader.spec.models import Case, ExerciseBase, Identifier, cases_fit


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


MODEL = ReturnsExercise  # what the loader reads a `kind: returns` file with
