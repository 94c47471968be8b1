# homework: change w and b together, recomputing the contributions each time
import numpy as np

DZ_DB = "2*x + 3*y"

HAND_ITERATIONS = [
    {"factor_b": 60.714286, "delta_b": 0.003585, "b": 3.805938, "z": 150.000077, "delta_z": 0.000077},
    {"factor_b": 60.671261, "delta_b": 0.000001, "b": 3.805937, "z": 150.0, "delta_z": 0.0},
]


def double_variable_new(w, b, t):
    e = 1e-5
    count = 0
    z = (2 * w + 3 * b) * (2 * b + 1)
    while abs(z - t) > e:
        x = 2 * w + 3 * b
        y = 2 * b + 1
        z = x * y
        delta_z = z - t
        w = w - delta_z / (2 * y) / 2
        b = b - delta_z / (2 * x + 3 * y) / 2
        count += 1
        # printed after the update: w and b are already the new ones here
        print("Iteration %d: w=%f, b=%f, z=%f, delta_z=%f" % (count, w, b, z, delta_z))
    print("total iterations: %d" % count)
    print("final b=%f" % b)
    print("final w=%f" % w)
