"""Runs the generated hidden checks with real pytest and collects their results.

The generated test files hold one test per check; each asks the `grade` fixture to grade
its (exercise, check) for the current submission. The fixture is parametrised over the
submissions of the session, so one pytest run grades a whole batch. Results come back
through pytest's own report hook (`pytest_runtest_logreport`) and `user_properties`, as
JSON-ready dicts; scores never come from the student's process.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from grader.checks import run_check
from grader.errors import GraderError
from grader.results import CheckResult
from grader.sandbox.protocol import ProbeOutcome
from grader.spec.assignment import Assignment
from grader.spec.captured import captured_stdout

PROPERTY = "grader.check"
OnDone = Callable[[str, list[CheckResult]], None]
# Built-in plugins the hidden checks never use. Besides their import and setup time, some
# cost a lot per session (unraisableexception runs gc.collect several times at the end).
UNUSED_PLUGINS = [arg for name in (
    "terminal", "capture", "cacheprovider", "debugging", "unittest", "legacypath", "tmpdir",
    "monkeypatch", "recwarn", "pastebin", "junitxml", "doctest", "setuponly", "setupplan",
    "stepwise", "unraisableexception", "threadexception", "warnings", "logging",
    "faulthandler", "subtests") for arg in ("-p", f"no:{name}")]


class CheckFellShort(AssertionError):
    """A check graded below full marks: the test fails with the check's message."""


class GradingPlugin:
    def __init__(
        self, assignment: Assignment, submissions: Mapping[str, dict[str, ProbeOutcome]],
        on_done: OnDone | None = None,
    ) -> None:
        self.assignment = assignment
        self.submissions = submissions
        self.results: dict[str, list[CheckResult]] = {key: [] for key in submissions}
        self.errors: list[str] = []
        self.grader_errors: list[GraderError] = []
        self.on_done = on_done
        self.expected: Counter[str] = Counter()

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "submission_id" in metafunc.fixturenames:
            # Module scope makes pytest order the tests submission by submission, so each
            # submission is complete (and handed to `on_done`) before the next one starts.
            metafunc.parametrize("submission_id", list(self.submissions), scope="module")

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            callspec = getattr(item, "callspec", None)
            if callspec is not None and "submission_id" in callspec.params:
                self.expected[callspec.params["submission_id"]] += 1

    @pytest.fixture
    def grade(
        self, request: pytest.FixtureRequest, submission_id: str
    ) -> Callable[[str, str], None]:
        outcomes = self.submissions[submission_id]

        def grade_one(exercise: str, check: str) -> None:
            try:
                result = run_check(self.assignment, outcomes, exercise, check)
            except GraderError as exc:  # a broken spec or reference: the run's error, exit 2
                self.grader_errors.append(exc)
                raise
            request.node.user_properties.append((PROPERTY, (submission_id, result.to_dict())))
            if not result.passed:
                raise CheckFellShort(result.output)

        return grade_one

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]
                                  ) -> pytest.TestReport | None:
        """A check that fell short is reported by its message alone. pytest would filter
        and format its traceback first (path lookups, the test file's source: ~2 ms of
        every failed check, so of a typical mistake); anything else is pytest's to report."""
        failure = call.excinfo.value if call.excinfo is not None else None
        if call.when != "call" or not isinstance(failure, CheckFellShort):
            return None
        sections = [(f"Captured {key} {when}", content)
                    for when, key, content in item._report_sections]
        return pytest.TestReport(item.nodeid, item.location, dict.fromkeys(item.keywords, 1),
                                 "failed", str(failure), "call", sections, call.duration,
                                 call.start, call.stop, user_properties=item.user_properties)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        recorded = [value for key, value in report.user_properties if key == PROPERTY]
        for submission_id, result in recorded:
            if report.when == "call":
                self.results[submission_id].append(CheckResult.from_dict(result))
                done = len(self.results[submission_id]) == self.expected[submission_id]
                if done and self.on_done is not None:
                    self.on_done(submission_id, self.results[submission_id])
        if report.failed and not recorded:  # the check itself broke: a grader bug, not a score
            self.errors.append(f"{report.nodeid}: {report.longreprtext.splitlines()[-1:]}")

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.errors.append(f"cannot collect {report.nodeid}: {report.longreprtext[-500:]}")


def run_hidden_checks(
    test_dir: Path, assignment: Assignment, submissions: Mapping[str, dict[str, ProbeOutcome]],
    *, on_done: OnDone | None = None,
) -> dict[str, list[CheckResult]]:
    """Run the hidden test files in `test_dir` in this process, quietly.

    `submissions` may be a lazy mapping (outcomes still being probed): a submission's
    outcomes are read when its first check runs. `on_done(key, results)` is called as soon
    as every check of that submission has run.
    """
    plugin = GradingPlugin(assignment, submissions, on_done)
    args = [str(test_dir), *UNUSED_PLUGINS, "--assert=plain",
            "--noconftest", "-c", str(test_dir / "pytest.ini"), "--rootdir", str(test_dir),
            "-o", "python_files=test_*.py", "-W", "ignore"]
    previous = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # only our plugin, nothing installed
    try:
        # this thread's prints only (grader.spec.captured): the sandbox threads keep theirs
        with captured_stdout(), contextlib.redirect_stderr(io.StringIO()):
            code = pytest.main(args, plugins=[plugin])
    finally:
        _forget_modules(test_dir)
        if previous is None:
            os.environ.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = previous
    # pytest reports a collection error as INTERRUPTED too: only without one is it a Ctrl-C
    if code == pytest.ExitCode.INTERRUPTED and not plugin.errors:
        raise KeyboardInterrupt
    if plugin.grader_errors:
        raise plugin.grader_errors[0]
    if plugin.errors or code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        detail = plugin.errors[0] if plugin.errors else f"pytest exit code {int(code)}"
        raise GraderError(f"{test_dir}: the hidden checks could not run: {detail}")
    return plugin.results


def _forget_modules(test_dir: Path) -> None:
    """Every assignment's suite is a `test_hidden.py`: drop this one from sys.modules, or the
    next session in this process (validate, the server) would collect it instead of its own."""
    folder = os.path.realpath(test_dir)
    # pytest imports a test file of a folder without __init__.py by its stem: look only at
    # those names (resolving every module's path cost 150 ms of each `grader check`)
    for name in {path.stem for path in test_dir.glob("*.py")}:
        module = sys.modules.get(name)
        where = getattr(module, "__file__", None)
        if where and os.path.dirname(os.path.realpath(where)) == folder:
            del sys.modules[name]
