DZ_DB = "2*x + 3*y"

HAND_ITERATIONS = [
    {"factor_b": 60.714286, "delta_b": 0.003585, "b": 3.805938, "z": 150.000077, "delta_z": 0.000077},
    {"factor_b": 60.671261, "delta_b": 0.000001, "b": 3.805937, "z": 150.0, "delta_z": 0.0},
]


def double_variable_new(weight, bias, target):
    while True:
        x = 2 * weight + 3 * bias
        y = 2 * bias + 1
        z = x * y
        error = z - target
        print(f"weight={weight}, bias={bias}, output={z}, error={error}")
        if abs(error) < 1e-5:
            break
        step_w = 0.5 * error / (2 * y)
        step_b = 0.5 * error / (3 * y + 2 * x)
        print(f"    step_w={step_w}, step_b={step_b}")
        weight -= step_w
        bias -= step_b
    print(f"""
RESULT:
    weight = {weight}
    bias   = {bias}
""")
