# ruff: noqa: UP031, SIM105, E501 -- written as a hostile student would write it
"""Attack: Floods stdout and stderr forever.

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
    line = "w=1.0,b=1.0,z=1.0,delta_z=1.0 " * 100
    while True:
        print(line)
        sys.stderr.write(line)
