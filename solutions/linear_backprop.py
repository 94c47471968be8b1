"""Reference solution for chapter 2.1, "Linear backpropagation".

The ground truth of the `linear-backprop` assignment: run as a script it prints the
chapter's four traces (tests/data/seed_traces.txt) line for line. The grader imports it
in the grading process only; it is never shown to, or reachable from, student code.

Forward: x = 2w + 3b, y = 2b + 1, z = x*y. Goal: move z to the target t.
"""

ERROR = 1e-5  # the printed traces stop at 1e-5 (the prose's 1e-4 is the grading tolerance)

# Exercise 1 (derive-dz-db): two paths, z->x->b and z->y->b, summed.
DZ_DB = "2*x + 3*y"

# Exercise 2 (iterate-by-hand): the two steps after b = 3.809524, w = 3, target 150,
# with factor_b recomputed at each step.
HAND_ITERATIONS = [
    {"factor_b": 60.714286, "delta_b": 0.003585, "b": 3.805938, "z": 150.000077,
     "delta_z": 0.000077},
    {"factor_b": 60.671261, "delta_b": 0.000001, "b": 3.805937, "z": 150.0, "delta_z": 0.0},
]


def target_function(w: float, b: float) -> tuple[float, float, float]:
    x = 2 * w + 3 * b
    y = 2 * b + 1
    z = x * y
    return x, y, z


def factor_of_b(x: float, y: float) -> float:
    return 2 * x + 3 * y  # dz/db = dz/dx * dx/db + dz/dy * dy/db = y*3 + x*2


def factor_of_w(y: float) -> float:
    return 2 * y  # dz/dw = dz/dx * dx/dw = y*2


def single_variable(w: float, b: float, t: float) -> None:
    """The chapter's first loop: the factor 63 is never recomputed."""
    print("single variable: b -----")
    while True:
        x, y, z = target_function(w, b)
        delta_z = z - t
        print("w=%f,b=%f,z=%f,delta_z=%f" % (w, b, z, delta_z))
        if abs(delta_z) < ERROR:
            break
        delta_b = delta_z / 63
        print("delta_b=%f" % delta_b)
        b = b - delta_b
    print("done!")
    print("final b=%f" % b)


def single_variable_new(w: float, b: float, t: float) -> None:
    """b alone, with factor_b recomputed at every iteration."""
    print("single variable new: b -----")
    while True:
        x, y, z = target_function(w, b)
        delta_z = z - t
        print("w=%f,b=%f,z=%f,delta_z=%f" % (w, b, z, delta_z))
        if abs(delta_z) < ERROR:
            break
        factor_b = factor_of_b(x, y)
        delta_b = delta_z / factor_b
        print("factor_b=%f, delta_b=%f" % (factor_b, delta_b))
        b = b - delta_b
    print("done!")
    print("final b=%f" % b)


def double_variable(w: float, b: float, t: float) -> None:
    """The chapter's buggy version: factors 63 and 18 are never recomputed."""
    print("double variable: w, b -----")
    while True:
        x, y, z = target_function(w, b)
        delta_z = z - t
        print("w=%f,b=%f,z=%f,delta_z=%f" % (w, b, z, delta_z))
        if abs(delta_z) < ERROR:
            break
        delta_b = delta_z / 63 / 2
        delta_w = delta_z / 18 / 2
        print("delta_b=%f, delta_w=%f" % (delta_b, delta_w))
        b = b - delta_b
        w = w - delta_w
    print("done!")
    print("final b=%f" % b)
    print("final w=%f" % w)


def double_variable_new(w: float, b: float, t: float) -> None:
    """Both variables, half of delta_z charged to each, factors recomputed every iteration."""
    print("double variable new: w, b -----")
    while True:
        x, y, z = target_function(w, b)
        delta_z = z - t
        print("w=%f,b=%f,z=%f,delta_z=%f" % (w, b, z, delta_z))
        if abs(delta_z) < ERROR:
            break
        factor_b = factor_of_b(x, y)
        factor_w = factor_of_w(y)
        delta_b = delta_z / factor_b / 2
        delta_w = delta_z / factor_w / 2
        print("factor_b=%f, factor_w=%f, delta_b=%f, delta_w=%f"
              % (factor_b, factor_w, delta_b, delta_w))
        b = b - delta_b
        w = w - delta_w
    print("done!")
    print("final b=%f" % b)
    print("final w=%f" % w)


if __name__ == "__main__":
    for number, loop in enumerate(
        (single_variable, single_variable_new, double_variable, double_variable_new)
    ):
        if number:
            print()
        loop(3, 4, 150)
