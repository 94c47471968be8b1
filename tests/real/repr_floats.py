# printing the raw floats, no formatting

DZ_DB = "2*x+3*y"

HAND_ITERATIONS = [
    {'factor_b': 60.71428571, 'delta_b': 0.00358561, 'b': 3.80593820, 'z': 150.00007744, 'delta_z': 0.00007744},
    {'factor_b': 60.67126, 'delta_b': 0.00000128, 'b': 3.80593692, 'z': 150.0, 'delta_z': 0.0},
]


def double_variable_new(w, b, t):
    while True:
        x = 2*w + 3*b
        y = 2*b + 1
        z = x*y
        delta_z = z - t
        print(f"w={w},b={b},z={z},delta_z={delta_z}")
        if abs(delta_z) < 1e-5:
            break
        factor_b = 2*x + 3*y
        factor_w = 2*y
        delta_b = delta_z/factor_b/2
        delta_w = delta_z/factor_w/2
        print(f"factor_b={factor_b}, factor_w={factor_w}, delta_b={delta_b!r}, delta_w={delta_w!r}")
        b = b - delta_b
        w = w - delta_w
    print("done!")
    print(f"final b={b}")
    print(f"final w={w}")
