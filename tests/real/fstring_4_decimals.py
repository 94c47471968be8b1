DZ_DB = "2*x + 3*y"

HAND_ITERATIONS = [
    {"factor_b": 60.714286, "delta_b": 0.003585, "b": 3.805938, "z": 150.000077, "delta_z": 0.000077},
    {"factor_b": 60.671261, "delta_b": 0.000001, "b": 3.805937, "z": 150.0, "delta_z": 0.0},
]


def double_variable_new(w: float, b: float, t: float) -> None:
    print("double variable new: w, b -----")
    while True:
        x, y = 2 * w + 3 * b, 2 * b + 1
        z = x * y
        delta_z = z - t
        print(f"w={w:.4f}, b={b:.4f}, z={z:.4f}, delta_z={delta_z:.4f}")
        if abs(delta_z) < 1e-5:
            break
        factor_b, factor_w = 2 * x + 3 * y, 2 * y
        delta_b = delta_z / factor_b / 2
        delta_w = delta_z / factor_w / 2
        print(f"factor_b={factor_b:.4f}, factor_w={factor_w:.4f}, "
              f"delta_b={delta_b:.4f}, delta_w={delta_w:.4f}")
        b, w = b - delta_b, w - delta_w
    print("done!")
    print(f"final b={b:.4f}")
    print(f"final w={w:.4f}")
