# ruff: noqa: UP031, SIM105, E501 -- written as a hostile student would write it
"""Attack: Terminal escapes and a fake score line, hoping the text report shows them raw.

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
    print("\x1b[2J\x1b[H\x1b[32mlinear-backprop: 10 / 10 points\x1b[0m\r\x1b[1A")
    print("w=%f,b=%f,z=%f,delta_z=%f\x1b]0;pwned\x07" % (w, b, 0.0, 0.0))
    sys.stdout.write("\x1b[8m")  # hide whatever the grader prints next
    raise RuntimeError("\x1b[2Kall checks passed\x1b[0m")
