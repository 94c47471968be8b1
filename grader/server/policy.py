"""Course policy: due dates, late penalties, extensions, the rate limit, which submission
counts, and what of a report a student may see now. Pure functions of plain data and times
(Unix seconds), so every rule is testable without a server.

The rules, from `policy:` in assignment.yaml (grader.spec.models.CoursePolicy):
- A student's due date (and the end of the late period) is moved by their extension.
- Before the due date a submission is on time. After it, while `late.until` has not passed,
  it is accepted and its score multiplied by max(floor, 1 - penalty * started units late);
  afterwards (or after the due date when there is no `late`) it is refused.
- `counts: latest` grades the newest graded submission; `best_before_due` the best on-time
  one, else (none on time) the newest.
- Feedback: the details (messages, traces, diagnosis) of an `after_due_date` test reach a
  student once their due date has passed; of a `hidden` or `after_published` test, never.
  Scores and pass/fail stay, so a report's score is still the sum of its tests'.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from grader.results import Report
from grader.server.store import StoredSubmission
from grader.spec.loader import Assignment
from grader.spec.models import CoursePolicy

UNIT_SECONDS = {"day": 86400.0, "hour": 3600.0}
WITHHELD = "Details of this check are shown after the due date."
HIDDEN = "Details of this check are not shown to students."


@dataclass(frozen=True)
class Deadline:
    """One student's deadlines for one assignment, their extension applied."""

    due: float | None = None
    late_until: float | None = None
    penalty: float = 0.0
    unit: float = 86400.0
    floor: float = 0.0

    def closed(self, at: float) -> bool:
        if self.due is None or at <= self.due:
            return False
        return self.late_until is None or at > self.late_until

    def late_by(self, at: float) -> float:
        return max(0.0, at - self.due) if self.due is not None else 0.0

    def multiplier(self, at: float) -> float:
        late = self.late_by(at)
        if late <= 0:
            return 1.0
        return max(self.floor, 1.0 - self.penalty * math.ceil(late / self.unit))


def policy_of(assignment: Assignment) -> CoursePolicy:
    return assignment.spec.policy or CoursePolicy()


def deadline(assignment: Assignment, extension_hours: float = 0.0) -> Deadline:
    policy = policy_of(assignment)
    due = policy.due or _top_level_due(assignment)
    if due is None:
        return Deadline()
    shift = extension_hours * 3600.0
    late = policy.late
    if late is None:
        return Deadline(due.timestamp() + shift)
    return Deadline(due.timestamp() + shift, late.until.timestamp() + shift, late.penalty,
                    UNIT_SECONDS[late.per], late.floor)


def _top_level_due(assignment: Assignment) -> datetime | None:
    """A `due:` key beside `policy:` (the reports' due date), when the spec has one."""
    due = getattr(assignment.spec, "due", None)
    return due if isinstance(due, datetime) and due.tzinfo is not None else None


def retry_after(assignment: Assignment, recent: Sequence[float], now: float) -> int | None:
    """Seconds to wait when `recent` (submission times, oldest first) fill the rate limit."""
    limit = policy_of(assignment).rate_limit
    if limit is None:
        return None
    window = limit.minutes * 60.0
    inside = [t for t in recent if t > now - window]
    if len(inside) < limit.submissions:
        return None
    oldest = inside[-limit.submissions]
    return max(1, math.ceil(oldest + window - now))


def window_start(assignment: Assignment, now: float) -> float | None:
    limit = policy_of(assignment).rate_limit
    return None if limit is None else now - limit.minutes * 60.0


def counted(assignment: Assignment, subs: Sequence[StoredSubmission],
            line: Deadline) -> StoredSubmission | None:
    """The submission whose (penalised) score is the grade; `subs` newest first."""
    graded = [s for s in subs if s.status == "graded" and s.report is not None]
    if not graded:
        return None
    if policy_of(assignment).counts == "best_before_due":
        on_time = [s for s in graded if line.late_by(s.submitted_at) == 0]
        if on_time:  # max keeps the first (newest) of equal scores
            return max(on_time, key=lambda s: float(s.report["score"]))  # type: ignore[index]
    return graded[0]


def penalised(report: Report, multiplier: float, late_seconds: float) -> Report:
    """The report as the gradebook holds it: every check's score times the multiplier."""
    if multiplier >= 1.0:
        return report
    tests = tuple(replace(t, score=round(t.score * multiplier, 6)) for t in report.tests)
    hours = late_seconds / 3600.0
    notice = (f"submitted {hours:.1f} h after the due date: score multiplied by "
              f"{multiplier:g}")
    return replace(report, tests=tests, notices=(*report.notices, notice))


def _shown(visibility: str, line: Deadline, now: float) -> bool:
    """Whether a student sees the details of a test of this visibility now."""
    released = line.due is None or now > line.due
    return visibility == "visible" or (visibility == "after_due_date" and released)


def shows_all(visibilities: str | None, line: Deadline, now: float) -> bool:
    """Whether `for_student` would keep every test of a report whose tests' visibilities are
    `visibilities` ("a,b", as stored beside it; None: not known, so not shown as it is)."""
    return visibilities is not None and all(
        _shown(v, line, now) for v in visibilities.split(",") if v)


def for_student(report: dict[str, Any], line: Deadline, now: float) -> dict[str, Any]:
    """What a student may see of a `--json` report document now."""
    tests = []
    for test in report.get("tests", []):
        visibility = test.get("visibility", "visible")
        if _shown(visibility, line, now):
            tests.append(test)
            continue
        text = WITHHELD if visibility == "after_due_date" else HIDDEN
        tests.append({**test, "output": text, "diagnosis": "", "detail": {}})
    return {**report, "tests": tests}
