# ruff: noqa: UP031, SIM105, E501 -- written as a hostile student would write it
"""Attack: A correct solver whose trace also holds 30 000 distinct keys on one line and
24 000 more over lines the reader does read, inside the iterations (issue 12, defect 2:
reports that render every key). The reader keeps at most 32 unknown keys per line and per
iteration, never at the cost of the keys the spec grades, and none from a line it does not
read, so the report stays small; the numbers are right: full marks.

expect: derive-dz-db=2 iterate-by-hand=2 two-variable-solver=6
"""

DZ_DB = "2*x + 3*y"

HAND_ITERATIONS = [
    {"factor_b": 60.714286, "delta_b": 0.003585, "b": 3.805938, "z": 150.000077,
     "delta_z": 0.000077},
    {"factor_b": 60.671261, "delta_b": 0.000001, "b": 3.805937, "z": 150.0, "delta_z": 0.0},
]


def double_variable_new(w, b, t):
    print(",".join("k%d=1" % i for i in range(30000)))
    count = 0
    while True:
        x = 2 * w + 3 * b
        y = 2 * b + 1
        z = x * y
        delta_z = z - t
        print("w=%f,b=%f,z=%f,delta_z=%f" % (w, b, z, delta_z))
        for _ in range(20):
            print(" ".join("k%d=1" % (count + i) for i in range(300)))
            count += 300
        if abs(delta_z) < 1e-5:
            break
        factor_b = 2 * x + 3 * y
        factor_w = 2 * y
        delta_b = delta_z / factor_b / 2
        delta_w = delta_z / factor_w / 2
        print("factor_b=%f, factor_w=%f, delta_b=%f, delta_w=%f" % (factor_b, factor_w, delta_b, delta_w))
        b = b - delta_b
        w = w - delta_w
    print("done!")
    print("final b=%f" % b)
    print("final w=%f" % w)
