import numpy as np

DZ_DB = "2*x + 3*y"

HAND_ITERATIONS = [
    {"factor_b": 60.714286, "delta_b": 0.003585, "b": 3.805938, "z": 150.000077, "delta_z": 0.000077},
    {"factor_b": 60.671261, "delta_b": 0.000001, "b": 3.805937, "z": 150.0, "delta_z": 0.0},
]


def double_variable_new(w, b, t):
    # p = [w, b]; the gradient of z is [2y, 2x+3y]
    p = np.array([w, b], dtype=np.float64)
    while True:
        x = 2 * p[0] + 3 * p[1]
        y = 2 * p[1] + 1
        z = x * y
        delta_z = z - t
        print("w=%f,b=%f,z=%f,delta_z=%f" % (p[0], p[1], z, delta_z))
        if np.abs(delta_z) < 1e-5:
            break
        grad = np.array([2 * y, 2 * x + 3 * y])
        step = delta_z / grad / 2
        print("factor_b=%f, factor_w=%f, delta_b=%f, delta_w=%f" % (grad[1], grad[0], step[1], step[0]))
        p = p - step
    print("done!")
    print("final b=%f" % p[1])
    print("final w=%f" % p[0])
