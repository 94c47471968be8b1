"""The `function` kind's spec: parameters, cases, the trace format and its parts, variants."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from grader.spec.models import Case, ExerciseBase, Identifier, Model, cases_fit


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


MODEL = FunctionExercise  # what the loader reads a `kind: function` file with
