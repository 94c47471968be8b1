"""Student-facing words for a probe that produced no answer (a student fault, never a crash)."""

from __future__ import annotations

import dataclasses
import re

from grader.sandbox.protocol import ProbeOutcome

NOT_INSTALLED = re.compile(r"ModuleNotFoundError: No module named '([^']{1,100})'")


def with_import_hint(outcome: ProbeOutcome, packages: tuple[str, ...]) -> ProbeOutcome:
    """An import of a package the sandbox does not have says what it does have: the student's
    own machine may have it installed, so "no module named" alone reads like a typo."""
    found = NOT_INSTALLED.search(outcome.error or "")
    if not found:
        return outcome
    top = found.group(1).split(".")[0]
    if top in packages and "." in found.group(1):
        return outcome  # a submodule that is not there: the name is what is wrong
    hint = available(packages) if top not in packages else (
        f"{top} is there for code that names it in an import statement (import {top})")
    return dataclasses.replace(outcome, error=f"{outcome.error}: {hint}")


def available(packages: tuple[str, ...]) -> str:
    if not packages:
        return "only the standard library is available"
    return f"only the standard library and {', '.join(packages)} are available"


def explain(outcome: ProbeOutcome, name: str) -> str:
    """Why there is nothing to grade, and what to do about it. The submission is not named
    by file: it may be a .py or the code cells of a notebook."""
    if outcome.status == "load_error":
        return f"your code could not be loaded: {outcome.error}. Fix this first: nothing " \
               f"in it can be graded until it loads."
    if outcome.status == "missing":
        return f"your code defines no `{name}`: keep the name from the stub."
    if outcome.status == "timeout":
        return f"`{name}` did not finish within the time limit: an endless loop? Check the " \
               f"stop test and that the variables are updated each iteration."
    if outcome.status == "error":
        return f"`{name}` raised {outcome.error}"
    if outcome.status == "bad_value":
        return f"`{name}` is not plain data: {outcome.error}"
    return f"running `{name}` failed: {outcome.error or 'the process ended without an answer'}"
