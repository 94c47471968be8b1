# ruff: noqa: UP031, SIM105, E501 -- written as a hostile student would write it
"""Attack: Walks the call stack into the harness's frames looking for expected answers.

expect: derive-dz-db=2 iterate-by-hand=2 two-variable-solver=0
"""

import sys

DZ_DB = "2*x + 3*y"

HAND_ITERATIONS = [
    {"factor_b": 60.714286, "delta_b": 0.003585, "b": 3.805938, "z": 150.000077,
     "delta_z": 0.000077},
    {"factor_b": 60.671261, "delta_b": 0.000001, "b": 3.805937, "z": 150.0, "delta_z": 0.0},
]


def double_variable_new(w, b, t):
    frame = sys._getframe()
    while frame is not None:
        for name, value in list(frame.f_locals.items()) + list(frame.f_globals.items()):
            loot = (isinstance(value, dict) and ("probes" in value or "outcomes" in value)) \
                or (isinstance(value, list) and value and isinstance(value[0], dict)
                    and "kind" in value[0]) \
                or (isinstance(value, (str, bytes)) and "final b=" + "3.9" in str(value))
            if loot:
                print("FRAME " + name + " " + repr(value)[:2000])
        frame = frame.f_back
