"""The instructor's side: run reference (and variant) functions in the grading process.

Reference code is trusted, so it is imported here, once per process; its printed traces are
computed once per (function, arguments) and cached, however many submissions are graded.
"""

from __future__ import annotations

import importlib.util
import threading
from functools import cache
from pathlib import Path
from types import ModuleType

from grader.errors import SpecError
from grader.spec.captured import captured_stdout

_loading = threading.RLock()  # a reference may load another (RLock): no module loaded twice


def load_module(path: Path) -> ModuleType:
    """The module at `path`, run once per process, whichever threads ask at once (`grader
    check` asks from its probing thread and its main thread)."""
    with _loading:
        return _loaded(path)


@cache
def _loaded(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_reference_{abs(hash(path))}", path)
    if spec is None or spec.loader is None:
        raise SpecError(f"{path}:1: cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # a broken reference is the instructor's fault: exit 2
        raise SpecError(f"{path}:1: the reference module fails to load: {exc}") from None
    return module


@cache
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


@cache
def returned_value(path: Path, function: str, args: tuple[float, ...]) -> object:
    """What `function(*args)` from the module at `path` returns (what it prints is dropped)."""
    target = getattr(load_module(path), function, None)
    if not callable(target):
        raise SpecError(f"{path}:1: defines no function {function!r}")
    with captured_stdout():
        return target(*args)
