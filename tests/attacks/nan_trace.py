# ruff: noqa: UP031, SIM105, E501 -- written as a hostile student would write it
"""Attack: NaN everywhere: hand rows and trace values (NaN fails every <).

expect: derive-dz-db=2 iterate-by-hand=0 two-variable-solver=0
"""

DZ_DB = "2*x + 3*y"

HAND_ITERATIONS = [
    {key: float("nan") for key in ("factor_b", "delta_b", "b", "z", "delta_z")}
    for _ in range(2)
]


def double_variable_new(w, b, t):
    for _ in range(3):
        print("w=nan,b=nan,z=nan,delta_z=nan")
        print("factor_b=nan, factor_w=nan, delta_b=nan, delta_w=nan")
    print("done!")
    print("final b=nan")
    print("final w=nan")
