"""Who a report is for: the student sees what each check's `visibility` allows, the
instructor everything. A pure function over the `Report` record, so every renderer (text,
JSON, HTML) shows a student the same thing.

As Gradescope does: `hidden` checks are not shown at all (a notice says how many count);
`after_due_date` (and `after_published`: this grader publishes at the due date) checks show
only their score until the assignment's `due:` has passed, then everything. Without a `due:`
they stay score-only.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from grader.results import CheckResult, Report

AFTER_DUE = ("after_due_date", "after_published")
WITHHELD = "Details are shown after the due date{when}."


@dataclass(frozen=True)
class Heading:
    """What every report carries besides its checks: whose it is, of what, graded when."""

    student: str
    title: str
    graded_at: str  # ISO 8601, UTC

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def heading(student: str, title: str, when: datetime | None = None) -> Heading:
    moment = (when or datetime.now(UTC)).astimezone(UTC)
    return Heading(student, title, moment.isoformat(timespec="seconds"))


def for_student(report: Report, *, due: datetime | None, now: datetime) -> Report:
    """The report a student may see at `now`."""
    past_due = due is not None and _aware(now) >= _aware(due)
    tests = tuple(_shown(t, past_due, due) for t in report.tests if t.visibility != "hidden")
    hidden = len(report.tests) - len(tests)
    notices = report.notices
    if hidden:
        notices += (f"{hidden} hidden check(s) are not shown; they count in your grade.",)
    return dataclasses.replace(report, tests=tests, notices=notices)


def _shown(test: CheckResult, past_due: bool, due: datetime | None) -> CheckResult:
    if test.visibility not in AFTER_DUE or past_due:
        return test
    when = f" ({_aware(due).isoformat(timespec='minutes')})" if due else ""
    return dataclasses.replace(test, output=WITHHELD.format(when=when), diagnosis="",
                               detail={})


def _aware(moment: datetime) -> datetime:
    """A date-time without a time zone is UTC (the spec's `due:` may be written either way)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
