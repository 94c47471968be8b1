# ruff: noqa: UP031, SIM105, E501 -- written as a hostile student would write it
"""Attack: Scans every object on the heap for other probes, expected traces or results.

expect: derive-dz-db=2 iterate-by-hand=2 two-variable-solver=0
"""

import gc

DZ_DB = "2*x + 3*y"

HAND_ITERATIONS = [
    {"factor_b": 60.714286, "delta_b": 0.003585, "b": 3.805938, "z": 150.000077,
     "delta_z": 0.000077},
    {"factor_b": 60.671261, "delta_b": 0.000001, "b": 3.805937, "z": 150.0, "delta_z": 0.0},
]


def double_variable_new(w, b, t):
    for thing in gc.get_objects():
        try:
            if isinstance(thing, dict) and ("probes" in thing or "outcomes" in thing):
                print("HEAP " + repr(thing)[:2000])
            if isinstance(thing, list) and thing and isinstance(thing[0], dict) \
                    and "kind" in thing[0]:
                print("HEAP " + repr(thing)[:2000])
        except Exception:
            pass
