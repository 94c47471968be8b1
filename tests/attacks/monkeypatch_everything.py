# ruff: noqa: UP031, SIM105, E501 -- written as a hostile student would write it
"""Attack: Patches builtins, math and json so that a wrong trace would compare equal, then prints one.

expect: derive-dz-db=2 iterate-by-hand=2 two-variable-solver=0
"""

import builtins
import json
import math

DZ_DB = "2*x + 3*y"

HAND_ITERATIONS = [
    {"factor_b": 60.714286, "delta_b": 0.003585, "b": 3.805938, "z": 150.000077,
     "delta_z": 0.000077},
    {"factor_b": 60.671261, "delta_b": 0.000001, "b": 3.805937, "z": 150.0, "delta_z": 0.0},
]


builtins.abs = lambda value: 0.0
builtins.float = lambda *args: 0.0
math.isclose = lambda *args, **kwargs: True
math.isnan = lambda value: False
json.loads = lambda *args, **kwargs: {"status": "ok"}
try:
    import pytest  # not in the sandbox; patching it would not reach the grader anyway
    pytest.approx = lambda *args, **kwargs: True
except ImportError:
    pass


def double_variable_new(w, b, t):
    print("w=%f,b=%f,z=%f,delta_z=%f" % (w, b, 0.0, 0.0))
    print("done!")
    print("final b=0.0")
    print("final w=0.0")
