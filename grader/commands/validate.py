"""`grader validate`: prove, for every assignment, that grading it cannot mislead.

- the code the specs name exists and prints the keys they name (else exit 2, at the spec line);
- the reference scores full marks and the blank stub zero, check by check;
- every known mistake (function variants, expression and table `mistakes:`), handed in as a
  submission, loses points on each check where it differs from the reference and is named by
  the diagnosis there;
- nothing a student receives (stub, public checks, notebook) holds an answer.
It prints a table per assignment and returns the problems (exit 1 when there are any).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from grader.checks import CheckInfo, check_infos
from grader.commands.generate import environment, render_release
from grader.commands.grade import Student, grade_submissions
from grader.notebooks.build import render_release_notebook
from grader.results import CheckResult, Report
from grader.spec.loader import Assignment, find_assignments, load_assignment
from grader.submission import Submission
from grader.validation.leaks import find_leaks, release_lines
from grader.validation.mistakes import KnownMistake, known_mistakes
from grader.validation.static import check_code

REFERENCE, STUB = "reference", "stub"


def main(*, course: Path, echo: Callable[[str], None] = print) -> list[str]:
    """Validate every assignment; return the problems found (empty when all is well)."""
    assignments = [load_assignment(folder) for folder in find_assignments(course).values()]
    for assignment in assignments:  # every spec error (exit 2) before any table is printed
        check_code(assignment)
    problems: list[str] = []
    for assignment in assignments:
        found, table = validate_assignment(assignment)
        problems += found
        echo(f"{assignment.id}: " + ("ok" if not found else f"{len(found)} problem(s)"))
        for line in table:
            echo(f"  {line}")
        for problem in found:
            echo(f"  problem: {problem}")
    return problems


def validate_assignment(assignment: Assignment) -> tuple[list[str], list[str]]:
    """(problems, the table's lines) for one assignment whose code was checked."""
    mistakes = known_mistakes(assignment)
    with tempfile.TemporaryDirectory(prefix="grader-validate-") as scratch:
        release = render_release(assignment, Path(scratch) / "release")
        render_release_notebook(assignment, release, environment())
        stub = (release / assignment.module_file).read_text(encoding="utf-8")
        leaks = find_leaks(assignment, release_lines(release))
    sources = {REFERENCE: assignment.solution_path.read_text(encoding="utf-8"), STUB: stub,
               **{m.key: m.source for m in mistakes}}
    reports = grade_sources(assignment, sources)
    results = {key: _by_check(report) for key, report in reports.items()}
    infos = check_infos(assignment)
    problems = _baseline(infos, results) + _caught(mistakes, results) + leaks
    return problems, _table(infos, mistakes, results)


def grade_sources(assignment: Assignment, sources: dict[str, str]) -> dict[str, Report]:
    """Grade instructor sources (key -> module text) the way a class is graded, in one pytest
    session. The sandbox is not required: these are the instructor's own files."""
    students = [Student(key, Submission(Path(f"{key}.py"), text), "")
                for key, text in sources.items()]
    reports: dict[str, Report] = {}

    def save(student: Student, report: Report) -> None:
        reports[student.student] = report

    grade_submissions(assignment, students, save, jobs=2, require_sandbox=False)
    return reports


def _by_check(report: Report) -> dict[tuple[str, str], CheckResult]:
    return {(t.exercise, t.name.split(": ", 1)[-1].replace(" ", "-")): t for t in report.tests}


def _result(results: dict[str, dict[tuple[str, str], CheckResult]], key: str,
            info: CheckInfo) -> CheckResult | None:
    return results[key].get((info.exercise, info.check))


def _baseline(infos: list[CheckInfo], results: dict) -> list[str]:
    problems = []
    for info in infos:
        ref, stub = _result(results, REFERENCE, info), _result(results, STUB, info)
        if ref is None or ref.score < ref.max_score:
            why = ref.output.splitlines()[0] if ref else "no result"
            problems.append(f"the reference scores {ref.score if ref else 0:g}/{info.points:g} "
                            f"on {info.exercise} / {info.check}: {why}")
        if stub is not None and stub.score != 0:
            problems.append(f"the blank stub scores {stub.score:g} on {info.exercise} / "
                            f"{info.check}, not 0")
    return problems


def _caught(mistakes: list[KnownMistake], results: dict) -> list[str]:
    problems = []
    for mistake in mistakes:
        if not mistake.concerns:
            problems.append(f"{mistake.exercise}: the known mistake {mistake.name!r} gives the "
                            "reference's result on every check: add a case where it differs")
        for check in mistake.concerns:
            got = results[mistake.key].get((mistake.exercise, check))
            if got is None or got.score >= got.max_score:
                problems.append(f"{mistake.exercise} / {check}: the known mistake "
                                f"{mistake.name!r} keeps full marks")
            elif not _named(mistake, got, check):
                problems.append(f"{mistake.exercise} / {check}: the known mistake "
                                f"{mistake.name!r} loses points but the diagnosis does not "
                                f"name it ({got.diagnosis[:60] or 'no diagnosis'!r})")
    return problems


def _named(mistake: KnownMistake, result: CheckResult, check: str) -> bool:
    return any(name and name in result.diagnosis for name in mistake.accepted(check))


def _table(infos: list[CheckInfo], mistakes: list[KnownMistake], results: dict) -> list[str]:
    def score(key: str, info: CheckInfo) -> str:
        got = _result(results, key, info)
        return "-" if got is None else f"{got.score:g}"

    width = max(len(i.exercise) for i in infos)
    check = max(len(i.check) for i in infos)
    lines = [f"{'exercise':{width}}  {'check':{check}}  points  reference  stub"]
    lines += [f"{i.exercise:{width}}  {i.check:{check}}  {i.points:6g}  "
              f"{score(REFERENCE, i):>9}  {score(STUB, i):>4}" for i in infos]
    if not mistakes:
        return lines
    label = max(len(m.name) for m in mistakes)
    lines.append(f"{'known mistake':{label}}  {'exercise':{width}}  {'check':{check}}  "
                 f"{'score':>7}  caught  diagnosis")
    for mistake in mistakes:
        for info in (i for i in infos if i.exercise == mistake.exercise):
            got = _result(results, mistake.key, info)
            concerned = info.check in mistake.concerns
            caught = "-" if not concerned else "yes" if got and got.score < got.max_score \
                and _named(mistake, got, info.check) else "NO"
            text = got.diagnosis.replace("\n", " ") if got else ""
            text = text if len(text) <= 60 else text[:59] + "…"
            lines.append(f"{mistake.name:{label}}  {info.exercise:{width}}  "
                         f"{info.check:{check}}  {score(mistake.key, info):>3}/{info.points:<3g}"
                         f"  {caught:6}  {text}")
    return lines
