DZ_DB = "2*x + 3*y"
HAND_ITERATIONS = [
    {"b": 3.805938, "z": 150.000077, "delta_z": 0.000077, "factor_b": 60.714286, "delta_b": 0.003585},
    {"b": 3.805937, "z": 150.0, "delta_z": 0.0, "factor_b": 60.671261, "delta_b": 0.000001},
]


def double_variable_new(w, b, t):
    # I like to see the error first
    while True:
        x = 2 * w + 3 * b
        y = 2 * b + 1
        z = x * y
        delta_z = z - t
        print("delta_z=%f, z=%f, w=%f, b=%f" % (delta_z, z, w, b))
        if abs(delta_z) < 1e-5:
            break
        factor_w = 2 * y
        factor_b = 2 * x + 3 * y
        delta_w = delta_z / 2 / factor_w
        delta_b = delta_z / 2 / factor_b
        print("delta_w=%f, delta_b=%f, factor_w=%f, factor_b=%f" % (delta_w, delta_b, factor_w, factor_b))
        w = w - delta_w
        b = b - delta_b
    print("done!")
    print("final w=%f" % w)
    print("final b=%f" % b)
