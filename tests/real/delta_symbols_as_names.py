# I print the changes with the Greek letter, like in the book's formulas

DZ_DB = "2*x + 3*y"

HAND_ITERATIONS = [
    {"factor_b": 60.714286, "delta_b": 0.003585, "b": 3.805938, "z": 150.000077, "delta_z": 0.000077},
    {"factor_b": 60.671261, "delta_b": 0.000001, "b": 3.805937, "z": 150.0, "delta_z": 0.0},
]


def double_variable_new(w, b, t):
    while True:
        x = 2 * w + 3 * b
        y = 2 * b + 1
        z = x * y
        dz = z - t
        print("w=%f, b=%f, z=%f, Δz=%f" % (w, b, z, dz))
        if abs(dz) < 1e-5:
            break
        fb = 2 * x + 3 * y    # ∂z/∂b
        fw = 2 * y            # ∂z/∂w
        db = dz / fb / 2
        dw = dz / fw / 2
        print("∂z/∂b=%f, ∂z/∂w=%f, Δb=%f, Δw=%f" % (fb, fw, db, dw))
        b = b - db
        w = w - dw
    print("done!")
    print("final b=%f" % b)
    print("final w=%f" % w)
