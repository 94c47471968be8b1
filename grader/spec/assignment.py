"""An assignment as the rest of the grader sees it: its spec and its exercises, in order.

Plain on purpose (no pydantic, no YAML): `grader check` gets it either from the validating
loader (grader.spec.loader) or from the snapshot of the specs validated before
(grader.spec.snapshot), and grades with either alike.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from grader import CHECKOUT


@dataclass(frozen=True)
class Assignment:
    """An assignment as loaded from its folder: the spec and its exercises, in order."""

    spec: Any  # an AssignmentSpec, or its snapshot (grader.spec.snapshot.Record)
    exercises: tuple[Any, ...]  # exercise models, or their snapshots
    folder: Path

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def module_file(self) -> str:
        return f"{self.spec.module}.py"

    # resolved once: every check of every submission asks (each resolve is a stat per folder)
    @cached_property
    def solution_path(self) -> Path:
        return (self.folder / self.spec.solution).resolve()

    @cached_property
    def variants_path(self) -> Path | None:
        return (self.folder / self.spec.variants).resolve() if self.spec.variants else None

    @cached_property
    def by_id(self) -> dict[str, Any]:
        return {exercise.id: exercise for exercise in self.exercises}

    @property
    def points(self) -> float:
        return sum(exercise.points for exercise in self.exercises)


def default_course() -> Path:
    """The course folder: $GRADER_COURSE, else this checkout, else the working folder."""
    if env := os.environ.get("GRADER_COURSE"):
        return Path(env)
    return CHECKOUT if (CHECKOUT / "exercises").is_dir() else Path.cwd()
