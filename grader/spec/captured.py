"""Capture what the instructor's code prints, in the calling thread only.

`contextlib.redirect_stdout` swaps the process-wide `sys.stdout`. `grader check` computes the
reference's traces in its probing thread (the probes' budgets) while its main thread computes
the variants' (the warm-up): with two redirects interleaved, the first to end put the real
stdout back while the other was still printing, so a variant's trace went out as the
command's output and the JSON report went into a buffer. Here `sys.stdout` becomes, once, a
stream that writes to the calling thread's buffer while it captures, else where it wrote before.

So nothing else in the grading process may swap `sys.stdout` while grading (none does: the
progress bar holds its own stream, and the student-side `local_run` never runs here), and
a thread that the captured code starts itself is not captured (grader.spec.reference).
"""

from __future__ import annotations

import io
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

_local = threading.local()
_installing = threading.Lock()


class _PerThread:
    """Stands in for `sys.stdout`: each write goes to its thread's capture, if any."""

    def __init__(self, fallback: TextIO) -> None:
        self.fallback = fallback

    def _target(self) -> TextIO:
        buffer = getattr(_local, "buffer", None)
        return self.fallback if buffer is None else buffer

    def write(self, text: str) -> int:
        return self._target().write(text)

    def writelines(self, lines: Any) -> None:
        self._target().writelines(lines)

    def flush(self) -> None:
        self._target().flush()

    def __getattr__(self, name: str) -> Any:
        """encoding, isatty, fileno, buffer...: the capture's while capturing (a StringIO
        has no `buffer` and no fileno, so code that writes past it fails, as it did under
        redirect_stdout, rather than reach the real stdout), else the real stream's."""
        return getattr(self._target(), name)


def _install() -> None:
    with _installing:
        if not isinstance(sys.stdout, _PerThread):
            # no stdout at all (pythonw): what is not captured is dropped, as print would
            sys.stdout = _PerThread(sys.stdout or io.StringIO())  # type: ignore[assignment]


@contextmanager
def captured_stdout() -> Iterator[io.StringIO]:
    """What this thread prints inside the block, and only that, goes to the buffer yielded."""
    _install()
    outer = getattr(_local, "buffer", None)
    buffer = io.StringIO()
    _local.buffer = buffer
    try:
        yield buffer
    finally:
        _local.buffer = outer
