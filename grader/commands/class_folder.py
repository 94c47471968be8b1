"""A class folder, scanned: one `Student` per student, found but not yet read.

The class folder is the instructor's; each name in it is a student's (a folder, or a
.py/.ipynb file whose stem is the id), and hostile (`grader.submission`). The scan opens
each submission once to stream its hash, for a rerun to skip what is unchanged, and keeps
no text: the worker that grades a student reads the file again. Whatever goes wrong on one
student is that student's problem; the scan never raises for it.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from grader import submission
from grader.errors import GraderError
from grader.spec.assignment import Assignment

INTERNAL = "the grader failed on this submission; tell the course staff"


@dataclass(frozen=True)
class Student:
    """One student folder, found: where its submission is, or why there is none."""

    student: str  # the folder's name, as `submission.stored_name` keeps it
    found: submission.Submission | None  # read already (validate), or a file refused unread
    digest: str
    problem: str = ""  # no submission file, or two candidates: reported, not graded
    location: submission.Location | None = None  # read by the worker that grades it

    @property
    def reported(self) -> str:
        """What the summary lists: the problem, or why the file could not be run (graded 0)."""
        return self.problem or (self.found.problem if self.found else "")


def student_entries(submissions: Path) -> list[str]:
    """Names in the class folder, one per student: a folder (the contract's layout), or a
    .py/.ipynb file (student id: its stem), as a folder of handed-in files often is. Links,
    FIFOs and the like are kept, to be reported and graded 0 rather than skipped."""
    def wanted(entry: os.DirEntry[str]) -> bool:
        if entry.name.startswith("."):
            return False
        handed_in = Path(entry.name).suffix in submission.SUFFIXES and \
            not entry.name.startswith("test_")
        return entry.is_dir(follow_symlinks=entry.is_symlink()) or handed_in

    with os.scandir(submissions) as entries:
        return sorted(entry.name for entry in entries if wanted(entry))


def without_duplicates(students: list[Student]) -> list[Student]:
    """`alice/` beside `alice.py`: one student id, two submissions; neither is guessed at."""
    counts = Counter(s.student for s in students)
    kept = [s for s in students if counts[s.student] == 1]
    for student in sorted(s for s, n in counts.items() if n > 1):
        problem = f"{counts[student]} submissions for this student id (a folder and a file?)"
        kept.append(Student(student, None, _sha(problem), problem))
    return sorted(kept, key=lambda s: s.student)


def read_student(submissions: Path, name: str, assignment: Assignment) -> Student:
    """Where one student's submission is, and its digest (streamed: no text is held). Never
    raises: whatever goes wrong is this student's problem, and the class goes on."""
    entry = Path(submissions, name)
    folder = entry.is_dir() and not entry.is_symlink()
    student = submission.stored_name(
        name if folder or entry.suffix not in submission.SUFFIXES else entry.stem)
    try:
        location = submission.locate_in(submissions, (name,), assignment.spec.module)
        return Student(student, None, submission.digest_of(location), location=location)
    except submission.Unreadable as exc:  # a link, a FIFO, too large: graded 0, reported
        found = submission.failed(entry, str(exc))
        return Student(student, found, found.digest)
    except GraderError as exc:  # no file, or two: reported, not graded
        problem = str(exc).removeprefix(f"{submission.stored_name(str(entry))}: ")
    except Exception as exc:  # a bug of ours, on this student's files
        problem = f"{INTERNAL} ({type(exc).__name__}: {submission.stored_name(str(exc))})"
    return Student(student, None, _sha(problem), problem)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
