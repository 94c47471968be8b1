"""What the kinds whose answer is the value of a name (`expression`, `table`) share: one
probe reading that name, and no reference data for their public checks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from grader.kinds.base import KindBase
from grader.sandbox.protocol import Probe

if TYPE_CHECKING:
    from grader.spec.loader import Assignment


class NamedValueKind(KindBase):
    def probes(self, assignment: Assignment, exercise: Any) -> list[Probe]:
        return [Probe(exercise.id, "value", exercise.name)]

    def public_data(self, assignment: Assignment, exercise: Any) -> dict[str, Any]:
        return {}
