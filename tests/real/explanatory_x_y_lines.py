# two-variable version, printing x and y as well to check my hand calculation

DZ_DB = "2x + 3y"

HAND_ITERATIONS = [
    {"factor_b": 60.714286, "delta_b": 0.003585, "b": 3.805938, "z": 150.000077, "delta_z": 0.000077},
    {"factor_b": 60.671261, "delta_b": 0.000001, "b": 3.805937, "z": 150.0, "delta_z": 0.0},
]


def double_variable_new(w, b, t):
    print("double variable new: w, b -----")
    while True:
        x = 2 * w + 3 * b
        y = 2 * b + 1
        z = x * y
        print("x=2w+3b=%.2f, y=2b+1=%.2f, z=x*y" % (x, y))
        delta_z = z - t
        print("w=%f,b=%f,z=%f,delta_z=%f" % (w, b, z, delta_z))
        if abs(delta_z) < 1e-5:
            break
        factor_b = 2 * x + 3 * y   # dz/db = 2x+3y
        factor_w = 2 * y           # dz/dw = 2y
        delta_b = delta_z / factor_b / 2
        delta_w = delta_z / factor_w / 2
        print("factor_b=%f, factor_w=%f, delta_b=%f, delta_w=%f" % (factor_b, factor_w, delta_b, delta_w))
        print("so b=b-delta_b and w=w-delta_w")
        b = b - delta_b
        w = w - delta_w
    print("done!")
    print("final b=%f" % b)
    print("final w=%f" % w)
