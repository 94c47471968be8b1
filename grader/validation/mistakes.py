"""Known mistakes as submissions: each must lose points where it matters and be named there.

Every function-exercise variant becomes the reference module with the student's solver
replaced by a wrapper around the variant (the variants module's source is carried inside, so
the submission runs like any other); every expression and table `mistakes:` entry becomes the
reference with that one wrong answer. `concerns` lists the checks where the mistake differs
from the reference: it must lose points on each and its name (or hint) must be the diagnosis.
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.kinds import kind_of
from grader.spec.loader import Assignment


@dataclass(frozen=True)
class KnownMistake:
    """A submission holding one known mistake, and what grading it must show."""

    key: str  # unique among the assignment's mistakes: the graded submission's key
    exercise: str
    name: str  # how validate's table calls it
    names: tuple[str, ...]  # any of these in a check's diagnosis names the mistake
    source: str  # the whole submission
    concerns: tuple[str, ...]  # check ids (CheckInfo.check) where it differs from the reference
    # check id -> other mistakes' names that give the very same result there (one start can
    # make two methods coincide, e.g. factors kept from the start and the chapter's 63, 18)
    alike: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def accepted(self, check: str) -> tuple[str, ...]:
        return self.names + dict(self.alike).get(check, ())


def known_mistakes(assignment: Assignment) -> list[KnownMistake]:
    base = assignment.solution_path.read_text(encoding="utf-8")
    found: list[KnownMistake] = []
    for exercise in assignment.exercises:
        found += kind_of(exercise).known_mistakes(assignment, exercise, base)
    return found


