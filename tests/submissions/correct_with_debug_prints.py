# Correct, with extra lines that are not trace lines: ignored and reported, no points lost.
DZ_DB = "3*(2*b + 1) + 2*(2*w + 3*b)"

HAND_ITERATIONS = [
    {"factor_b": 60.71429, "delta_b": 0.0035856, "b": 3.8059384, "z": 150.000077, "delta_z": 7.7e-5},
    {"factor_b": 60.67126, "delta_b": 0.0000013, "b": 3.8059371, "z": 150.0000001,
     "delta_z": 1e-7},
]


def double_variable_new(w, b, t):
    print("starting the solver, good luck")
    while True:
        x = 2 * w + 3 * b
        y = 2 * b + 1
        z = x * y
        delta_z = z - t
        print("w=%f,b=%f,z=%f,delta_z=%f" % (w, b, z, delta_z))
        if abs(delta_z) < 1e-5:
            break
        print("debug: still going")
        factor_b, factor_w = 2 * x + 3 * y, 2 * y
        delta_b, delta_w = delta_z / factor_b / 2, delta_z / factor_w / 2
        print("factor_b=%f, factor_w=%f, delta_b=%f, delta_w=%f"
              % (factor_b, factor_w, delta_b, delta_w))
        b -= delta_b
        w -= delta_w
    print("done!")
    print("final b=%f" % b)
    print("final w=%f" % w)
