"""The instructor's side: run reference (and variant) functions in the grading process.

Reference code is trusted, so it is imported here, once per process; its printed traces are
computed once per (function, arguments) and cached, however many submissions are graded.
Several threads ask at once (`grader check`'s probing and main threads, `grader grade`'s
sandbox threads computing budgets): instructor code runs in one thread at a time, each
result is computed once (`once`), and what it prints is captured for that thread alone
(grader.spec.captured). Prints from threads the instructor's code starts itself are not
captured: a reference must print its trace from the thread that calls it.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable
from functools import cache, wraps
from pathlib import Path
from types import ModuleType
from typing import TypeVar

from grader.errors import SpecError
from grader.spec.captured import captured_stdout

# One thread at a time runs instructor code; an RLock, since a reference may load another.
_RUNNING = threading.RLock()
Result = TypeVar("Result")


def once(function: Callable[..., Result]) -> Callable[..., Result]:
    """`functools.cache`, computed under the instructor lock: two threads asking at once
    get one computation (a reference with state, a random generator, must not give them
    two different traces, the last of which would then be cached)."""
    cached = cache(function)

    @wraps(function)
    def computed_once(*args: object) -> Result:
        with _RUNNING:
            return cached(*args)

    computed_once.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    computed_once.cache_info = cached.cache_info  # type: ignore[attr-defined]
    return computed_once


@once
def load_module(path: Path) -> ModuleType:
    """The module at `path`, run once per process; what its top level prints is dropped."""
    spec = importlib.util.spec_from_file_location(f"_reference_{abs(hash(path))}", path)
    if spec is None or spec.loader is None:
        raise SpecError(f"{path}:1: cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    try:
        with captured_stdout():
            spec.loader.exec_module(module)
    except Exception as exc:  # a broken reference is the instructor's fault: exit 2
        raise SpecError(f"{path}:1: the reference module fails to load: {exc}") from None
    return module


@once
def printed_output(path: Path, function: str, args: tuple[float, ...]) -> str:
    """What `function(*args)` from the module at `path` prints."""
    target = getattr(load_module(path), function, None)
    if not callable(target):
        raise SpecError(f"{path}:1: defines no function {function!r}")
    with captured_stdout() as buffer:
        target(*args)
    return buffer.getvalue()


def value(path: Path, name: str) -> object:
    module = load_module(path)
    if not hasattr(module, name):
        raise SpecError(f"{path}:1: defines no {name!r}")
    return getattr(module, name)


@once
def returned_value(path: Path, function: str, args: tuple[float, ...]) -> object:
    """What `function(*args)` from the module at `path` returns (what it prints is dropped)."""
    target = getattr(load_module(path), function, None)
    if not callable(target):
        raise SpecError(f"{path}:1: defines no function {function!r}")
    with captured_stdout():
        return target(*args)
