# ruff: noqa: UP031, SIM105, E501 -- written as a hostile student would write it
"""Attack: Looks for the reference solution and hidden checks at likely paths; replays them if found.

expect: derive-dz-db=2 iterate-by-hand=2 two-variable-solver=0
"""

import os

DZ_DB = "2*x + 3*y"

HAND_ITERATIONS = [
    {"factor_b": 60.714286, "delta_b": 0.003585, "b": 3.805938, "z": 150.000077,
     "delta_z": 0.000077},
    {"factor_b": 60.671261, "delta_b": 0.000001, "b": 3.805937, "z": 150.0, "delta_z": 0.0},
]


PLACES = ["/work/main/solutions/linear_backprop.py", "../solutions/linear_backprop.py",
          "../../solutions/linear_backprop.py", "/work/shared/CONTRACT.md", "/etc/passwd",
          os.path.expanduser("~/.bash_history"), "/root/.bash_history"]


def double_variable_new(w, b, t):
    for place in PLACES:
        try:
            with open(place) as handle:
                text = handle.read()
        except OSError:
            continue
        print("LEAKED " + place)
        if "def double_variable_new" in text:
            space = {}
            exec(text, space)
            space["double_variable_new"](w, b, t)
            return
