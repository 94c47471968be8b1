import numpy as np

DZ_DB = "2*x+3*y"

HAND_ITERATIONS = [
    {"factor_b": 60.714286, "delta_b": 0.003585, "b": 3.805938, "z": 150.000077, "delta_z": 0.000077},
    {"factor_b": 60.671261, "delta_b": 0.000001, "b": 3.805937, "z": 150.000000, "delta_z": 0.000000},
]


def target_function(w, b):
    x = 2*w + 3*b
    y = 2*b + 1
    z = x*y
    return x, y, z


def double_variable_new(w, b, t):
    # recompute factor_b every step (the "new" version from the book)
    print("single variable new: b ----- ")
    error = 1e-5
    while True:
        x, y, z = target_function(w, b)
        delta_z = z - t
        print("w=%f,b=%f,z=%f,delta_z=%f" % (w, b, z, delta_z))
        if abs(delta_z) < error:
            break
        factor_b = 2*x + 3*y
        delta_b = delta_z / factor_b
        print("factor_b=%f, delta_b=%f" % (factor_b, delta_b))
        b = b - delta_b
    print("done!")
    print("final b=%f" % b)
