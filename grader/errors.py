"""Errors that stop the grader itself (exit code 2), as opposed to student faults."""


class GraderError(Exception):
    """The grader could not grade: bad spec, bad path, bad flag. One line, exit 2."""

    exit_code = 2


class SpecError(GraderError):
    """An instructor's spec is broken; the message is `path:line: key: what is wrong`."""
