"""The exercise kinds, one package each (`kinds/<name>/`), registered here and nowhere else.

A kind's package holds its spec model (`model.py`), its grading (`check.py`), its interface
(`kind.py`, see `base.Kind`) and the stdlib-only modules its student-side checks run,
shipped verbatim to students.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Annotated, Any, Union

from grader.kinds.base import Kind

# The registry: adding a kind is its folder, its templates and one name here.
NAMES = ("expression", "table", "function", "returns")
SHARED = ("local_run.py",)  # student-side modules every kind may use, shipped first


@cache
def kind(name: str) -> Kind:
    """The kind of that `kind:` name (its module is imported on first use)."""
    if name not in NAMES:
        raise KeyError(f"unknown exercise kind {name!r} (known: {', '.join(NAMES)})")
    return importlib.import_module(f"grader.kinds.{name}.kind").KIND


def kind_model(name: str) -> Any:
    """The exercise model of that kind (`kinds/<name>/model.py`)."""
    return importlib.import_module(f"grader.kinds.{name}.model").MODEL


@cache
def exercise_model() -> Any:
    """Every kind's exercise model, told apart by `kind:`: what the spec loader reads an
    exercise file with when its `kind:` names none of them (for pydantic's message)."""
    from pydantic import Field  # the validating loader's alone (grader.spec.snapshot)

    models = tuple(kind_model(name) for name in NAMES)
    return Annotated[Union[models], Field(discriminator="kind")]  # noqa: UP007 - built at run time


def kind_of(exercise: Any) -> Kind:
    return kind(exercise.kind)


def shipped_modules() -> tuple[str, ...]:
    """Every student-side module, relative to grader/kinds/, in an order that imports."""
    return SHARED + tuple(path for name in NAMES for path in kind(name).shipped)
