"""Student-facing words for a probe that produced no answer (a student fault, never a crash)."""

from __future__ import annotations

from grader.sandbox.protocol import ProbeOutcome


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
