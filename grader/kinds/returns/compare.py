"""The rule of a `returns` exercise: a returned value against the reference's, entry by entry.

Values travel as plain data with their type at the top ({"kind": "tuple", "value": [...]},
numpy arrays with "shape" and "dtype" kind), the form the sandbox's harness sends them in.
Numbers match within a tolerance; tuples and lists are both sequences; a numpy array must be
one, of the same shape and dtype kind. Stdlib only: shipped verbatim to students.
"""

from __future__ import annotations

import math
from typing import Any

SEQUENCES = ("tuple", "list")
NUMBERS = ("int", "float")
MAX_REPORTED = 60  # characters of a value quoted in a message


def envelope(value: Any) -> dict[str, Any]:
    """A value as plain data with its type. The harness (harness_child.returned) makes the
    same form inside the sandbox, where no grader module can be imported."""
    kind = type(value)
    if kind.__name__ == "ndarray" and kind.__module__ == "numpy":
        return {"kind": "ndarray", "shape": [int(n) for n in value.shape],
                "dtype": str(value.dtype.kind), "value": _plain(value.tolist())}
    return {"kind": kind.__name__, "value": _plain(value)}


def _plain(value: Any) -> Any:
    if type(value) in (list, tuple):
        return [_plain(v) for v in value]
    if type(value) is dict:
        return {str(k): _plain(v) for k, v in value.items()}
    if type(value) is float and not math.isfinite(value):
        return str(value)
    return value


def _describe(kind: str, value: Any) -> str:
    if kind in SEQUENCES:
        return f"a {kind} of {len(value)}"
    if kind == "ndarray":
        return "a numpy array"
    return f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind}"


def first_difference(got: dict[str, Any], expected: dict[str, Any], tolerance: float) -> str:
    """Where the returned value first differs from the reference's, or "" when it matches."""
    want, have = expected["kind"], got.get("kind")
    if want == "ndarray":
        if have != "ndarray":
            return f"it returns {_describe(str(have), got.get('value'))}, not a numpy array"
        if got.get("shape") != expected["shape"]:
            return (f"the array has shape {tuple(got.get('shape') or ())}, the reference's "
                    f"{tuple(expected['shape'])}")
        if got.get("dtype") != expected["dtype"]:
            return (f"the array's dtype kind is {got.get('dtype')!r}, the reference's "
                    f"{expected['dtype']!r}")
    elif _family(str(have)) != _family(want):
        return (f"it returns {_describe(str(have), got.get('value'))}, the reference "
                f"{_describe(want, expected['value'])}")
    return _entry(got.get("value"), expected["value"], tolerance, "")


def _family(kind: str) -> str:
    return "sequence" if kind in SEQUENCES else "number" if kind in NUMBERS else kind


def _entry(got: Any, want: Any, tolerance: float, where: str) -> str:
    place = f" at {where}" if where else ""
    if type(want) in (int, float) and type(want) is not bool:
        if type(got) not in (int, float) or type(got) is bool:
            return f"the entry{place} is {_quote(got)}, not a number"
        if not (math.isfinite(got) and abs(got - want) <= tolerance):
            return f"the entry{place} is {got!r}, the reference has {want!r}"
        return ""
    if type(want) is list:
        if type(got) is not list:
            return f"the entry{place} is {_quote(got)}, not a sequence"
        if len(got) != len(want):
            return f"the sequence{place} has {len(got)} entries, the reference's {len(want)}"
        return next((found for index, (g, w) in enumerate(zip(got, want, strict=True))
                     if (found := _entry(g, w, tolerance, f"{where}[{index}]"))), "")
    if type(want) is dict:
        if type(got) is not dict:
            return f"the entry{place} is {_quote(got)}, not a dict"
        if set(got) != set(want):
            missing = sorted(set(want) - set(got))
            return (f"the dict{place} lacks the key {missing[0]!r}" if missing else
                    f"the dict{place} has the extra key {sorted(set(got) - set(want))[0]!r}")
        return next((found for key in want
                     if (found := _entry(got[key], want[key], tolerance, f"{where}[{key!r}]"))),
                    "")
    return "" if got == want else f"the entry{place} is {_quote(got)}, the reference has " \
                                  f"{_quote(want)}"


def _quote(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= MAX_REPORTED else text[:MAX_REPORTED] + "…"
