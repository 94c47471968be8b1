# ruff: noqa: UP031, SIM105, E501 -- written as a hostile student would write it
"""Attack: Prints the chapter's trace for (3, 4, 150) whatever it is asked.

expect: derive-dz-db=2 iterate-by-hand=2 two-variable-solver=0
"""

DZ_DB = "2*x + 3*y"

HAND_ITERATIONS = [
    {"factor_b": 60.714286, "delta_b": 0.003585, "b": 3.805938, "z": 150.000077,
     "delta_z": 0.000077},
    {"factor_b": 60.671261, "delta_b": 0.000001, "b": 3.805937, "z": 150.0, "delta_z": 0.0},
]


TRACE = """w=3.000000,b=4.000000,z=155.000000,delta_z=5.000000
factor_b=63.000000, factor_w=18.000000, delta_b=0.039683, delta_w=0.138889
done!
final b=3.903263
final w=2.661517"""


def double_variable_new(w, b, t):
    print(TRACE)
