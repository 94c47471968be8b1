"""What the kinds graded case by case (`function`, `returns`) share: a check per case, and a
notebook test cell per case, with the hidden cases' calls inside the hidden block."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from grader.kinds.base import CheckInfo, KindBase
from grader.notebooks.cells import GradedCell, points_label

if TYPE_CHECKING:
    from grader.results import CheckResult
    from grader.sandbox.protocol import ProbeOutcome
    from grader.spec.loader import Assignment
    from grader.validation.leaks import Line


def probe_id(exercise: Any, case: Any) -> str:
    return f"{exercise.id}/{case.name}"


class CaseKind(KindBase):
    """A kind whose exercise has `cases`; subclasses say how one case is graded and called."""

    def leaks(self, assignment: Assignment, exercise: Any, lines: list[Line],
              numbers: list[tuple[float, Line]]) -> list[str]:
        """A hidden case's arguments, shown in a row, give the case away."""
        from grader.validation.leaks import argument_leaks

        return argument_leaks(exercise, lines)

    def grade_case(self, assignment: Assignment, exercise: Any, case: Any,
                   outcome: ProbeOutcome) -> CheckResult:
        raise NotImplementedError

    def case_call(self, assignment: Assignment, exercise: Any, case: Any) -> str:
        """The notebook test cell's call that checks one case."""
        raise NotImplementedError

    def checks(self, exercise: Any) -> list[CheckInfo]:
        return [CheckInfo(exercise.id, case.name, case.points, case.visibility)
                for case in exercise.cases]

    def grade(self, assignment: Assignment, exercise: Any, check: str,
              outcomes: Mapping[str, ProbeOutcome]) -> CheckResult:
        case = next(c for c in exercise.cases if c.name == check)
        return self.grade_case(assignment, exercise, case, outcomes[probe_id(exercise, case)])

    def test_cells(self, assignment: Assignment, exercise: Any) -> list[GradedCell]:
        cells, hidden_number = [], 0
        for case in exercise.cases:
            call = self.case_call(assignment, exercise, case)
            label = points_label(case.points)
            if case.visibility == "visible":
                cells.append(GradedCell(f"test-{exercise.id}-{case.name}", exercise.id,
                                        case.points, f"# Test of {exercise.id}, case "
                                        f"{case.name} ({label})\n{call}"))
            else:  # nothing of a hidden case outside the hidden block, not even its name
                hidden_number += 1  # ids stay in the release: `hidden3`, not a `-3` to wonder at
                cells.append(GradedCell(f"test-{exercise.id}-hidden{hidden_number}",
                                        exercise.id, case.points,
                                        f"# Hidden test of {exercise.id} ({label}): it runs "
                                        f"when your notebook is graded.", call))
        return cells
