# ruff: noqa: UP031, SIM105, E501 -- written as a hostile student would write it
"""Attack: Splits a memory bomb over eight processes of 900 MiB each, every one under the
per-process limit (RLIMIT_AS, 1 GiB), in the first call of its solver, then prints nothing.
The submission's cgroup holds the whole to 1.25 GiB (the kernel kills the rest); what this
file proves is that grading goes on, within its time, with nothing left behind.
tests/test_sandbox_confinement.py counts how many held their memory at once.

expect: derive-dz-db=2 iterate-by-hand=2 two-variable-solver=0
"""

import os
import time

DZ_DB = "2*x + 3*y"

HAND_ITERATIONS = [
    {"factor_b": 60.714286, "delta_b": 0.003585, "b": 3.805938, "z": 150.000077,
     "delta_z": 0.000077},
    {"factor_b": 60.671261, "delta_b": 0.000001, "b": 3.805937, "z": 150.0, "delta_z": 0.0},
]


def bomb(count=8, mib=900):
    for _ in range(count):
        if os.fork() == 0:
            block = b"x" * (mib << 20)
            time.sleep(5)
            os._exit(0)
    while True:
        try:
            os.wait()
        except ChildProcessError:
            return


def double_variable_new(w, b, t):
    if not os.path.exists("/tmp/bombed"):  # once per sandbox: /tmp is the sandbox's own
        open("/tmp/bombed", "w").close()
        bomb()
