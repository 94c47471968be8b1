# ruff: noqa: UP031, SIM105, E501 -- written as a hostile student would write it
"""Attack: Starts a detached process meant to outlive grading, then answers honestly.

expect: derive-dz-db=2 iterate-by-hand=2 two-variable-solver=6
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
        x, y = 2 * w + 3 * b, 2 * b + 1
        z = x * y
        delta_z = z - t
        print("w=%f,b=%f,z=%f,delta_z=%f" % (w, b, z, delta_z))
        if abs(delta_z) < 1e-5:
            break
        factor_b, factor_w = 2 * x + 3 * y, 2 * y
        delta_b, delta_w = delta_z / factor_b / 2, delta_z / factor_w / 2
        print("factor_b=%f, factor_w=%f, delta_b=%f, delta_w=%f"
              % (factor_b, factor_w, delta_b, delta_w))
        b, w = b - delta_b, w - delta_w
    print("done!")
    print("final b=%f" % b)
    print("final w=%f" % w)


_honest = double_variable_new


def double_variable_new(w, b, t):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            try:
                os.execv("/bin/sleep", ["sleep", "987654"])
            finally:
                os._exit(0)
        os._exit(0)
    _honest(w, b, t)
