import numpy as np

DZ_DB = "2*x + 3*y"

HAND_ITERATIONS = [
    {"factor_b": 60.714286, "delta_b": 0.003585, "b": 3.805938, "z": 150.000077, "delta_z": 0.000077},
    {"factor_b": 60.671261, "delta_b": 0.000001, "b": 3.805937, "z": 150.0, "delta_z": 0.0},
]


def target_function(w, b):
    x = 2*w + 3*b
    y = 2*b + 1
    z = x*y
    return x, y, z


def double_variable_new(w, b, t):
    print("double variable new: w, b -----")
    error = 1e-5
    while True:
        x, y, z = target_function(w, b)
        delta_z = z - t
        print("w=%f,b=%f,z=%f,delta_z=%f" % (w, b, z, delta_z))
        if abs(delta_z) < error:
            break
        # same print as the book's double_variable, but the factors are recomputed
        delta_b = delta_z / (2*x + 3*y) / 2
        delta_w = delta_z / (2*y) / 2
        print("delta_b=%f, delta_w=%f" % (delta_b, delta_w))
        b = b - delta_b
        w = w - delta_w
    print("done!")
    print("final b=%f" % b)
    print("final w=%f" % w)
