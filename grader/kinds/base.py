"""The one interface an exercise kind implements, and the records it hands to the rest.

A kind (PrairieLearn's "element") owns everything about one sort of exercise: its spec
model, the probes it asks of a submission, its checks and how one is graded from plain
data, what the stub, the notebook and the public checks show for it, and its diagnosis.
The rest of the grader only calls these methods; `grader.kinds` registers the kinds.
Templates for a kind live in `templates/kinds/<name>/` (stub.py.j2, public.py.j2).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # the loader imports the kinds' models: no import back at run time
    from grader.notebooks.cells import GradedCell
    from grader.results import CheckResult
    from grader.sandbox.protocol import Probe, ProbeOutcome
    from grader.spec.loader import Assignment
    from grader.validation.leaks import Line
    from grader.validation.mistakes import KnownMistake


@dataclass(frozen=True)
class CheckInfo:
    """One check as the generated test files name it."""

    exercise: str
    check: str
    points: float
    visibility: str

    @property
    def test_name(self) -> str:
        return f"test_{self.exercise}__{self.check}".replace("-", "_")

    def to_dict(self) -> dict[str, Any]:
        return {"exercise": self.exercise, "check": self.check, "points": self.points,
                "visibility": self.visibility}


class Kind(Protocol):
    """What every exercise kind provides (each kind's `kind.py` defines one)."""

    name: str  # the spec's `kind:` value, and the folder of its templates
    # Its stdlib-only modules the student-side checks run, in import order, as paths relative
    # to grader/kinds/ (e.g. "function/trace.py"): shipped verbatim, never a template's copy.
    shipped: tuple[str, ...]

    def probes(self, assignment: Assignment, exercise: Any) -> list[Probe]:
        """What the sandboxed run must ask the submission for this exercise."""
        ...

    def checks(self, exercise: Any) -> list[CheckInfo]:
        """The exercise's checks: ids, points (adding up to the exercise's), visibility."""
        ...

    def grade(self, assignment: Assignment, exercise: Any, check: str,
              outcomes: Mapping[str, ProbeOutcome]) -> CheckResult:
        """One check, from the probes' plain outcomes, diagnosis included."""
        ...

    def warm(self, assignment: Assignment, exercise: Any) -> Iterator[None]:
        """Work its grading may need that depends on the spec alone (e.g. the traces of
        known mistakes), one small step per item, each caching its result: `grader check`
        does it while the sandbox runs and stops when the sandbox is done."""
        ...

    def public_data(self, assignment: Assignment, exercise: Any) -> dict[str, Any]:
        """What its public checks template needs besides the spec (e.g. reference traces)."""
        ...

    def answer_cell(self, assignment: Assignment, exercise: Any) -> str:
        """The notebook's answer cell: the expected form, the reference as the solution."""
        ...

    def test_cells(self, assignment: Assignment, exercise: Any) -> list[GradedCell]:
        """The notebook's autograder test cells, one per check, with the same points."""
        ...

    # What `grader validate` asks of the kind (grader.validation calls these):
    def check_code(self, assignment: Assignment, exercise: Any) -> None:
        """Raise a SpecError, at the spec's line, for a name the code does not define."""
        ...

    def known_mistakes(self, assignment: Assignment, exercise: Any, base: str
                       ) -> list[KnownMistake]:
        """Each known mistake as a submission (`base`: the reference module's source)."""
        ...

    def leaks(self, assignment: Assignment, exercise: Any, lines: list[Line],
              numbers: list[tuple[float, Line]]) -> list[str]:
        """What of the answer the release shows (its text by line, and its numbers)."""
        ...


class KindBase:
    """Defaults: nothing to warm; for `grader validate`, no code to check, no known
    mistakes, nothing secret."""

    def warm(self, assignment: Assignment, exercise: Any) -> Iterator[None]:
        return iter(())

    def check_code(self, assignment: Assignment, exercise: Any) -> None:
        return None

    def known_mistakes(self, assignment: Assignment, exercise: Any, base: str
                       ) -> list[KnownMistake]:
        return []

    def leaks(self, assignment: Assignment, exercise: Any, lines: list[Line],
              numbers: list[tuple[float, Line]]) -> list[str]:
        return []
