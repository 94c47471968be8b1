DZ_DB = "2*x + 3*y"

HAND_ITERATIONS = [
    {"factor_b": 60.714286, "delta_b": 0.003585, "b": 3.805938, "z": 150.000077, "delta_z": 0.000077},
    {"factor_b": 60.671261, "delta_b": 0.000001, "b": 3.805937, "z": 150.0, "delta_z": 0.0},
]


def double_variable_new(w, b, t):
    i = 0
    while True:
        i += 1
        x = 2 * w + 3 * b
        y = 2 * b + 1
        z = x * y
        # i, w, b and z; the error I look at by eye
        print(i, "w:", w, "b:", b, z)
        delta_z = z - t
        if abs(delta_z) < 1e-5:
            break
        factor_b = 2 * x + 3 * y
        factor_w = 2 * y
        delta_b = delta_z / factor_b / 2
        delta_w = delta_z / factor_w / 2
        print("  factor_b:", factor_b, "factor_w:", factor_w, "delta_b:", delta_b, "delta_w:", delta_w)
        b = b - delta_b
        w = w - delta_w
    print("done!")
    print("final b=%f" % b)
    print("final w=%f" % w)
