# ruff: noqa: UP031, SIM105, E501 -- written as a hostile student would write it
"""Attack: Answers are objects that compare equal to anything (str and float subclasses).

expect: derive-dz-db=0 iterate-by-hand=0 two-variable-solver=6
"""

class Anything(str):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = str.__hash__


class Close(float):
    def __eq__(self, other):
        return True

    def __sub__(self, other):
        return Close(0.0)

    def __abs__(self):
        return Close(0.0)

    def __lt__(self, other):
        return True

    def __le__(self, other):
        return True

    __hash__ = float.__hash__


DZ_DB = Anything("wrong")

HAND_ITERATIONS = [
    {key: Close(-1.0) for key in ("factor_b", "delta_b", "b", "z", "delta_z")}
    for _ in range(2)
]


def double_variable_new(w, b, t):
    while True:
        x, y = 2 * w + 3 * b, 2 * b + 1
        z = x * y
        delta_z = z - t
        print("w=%f,b=%f,z=%f,delta_z=%f" % (w, b, z, delta_z))
        if abs(delta_z) < 1e-5:
            break
        factor_b, factor_w = 2 * x + 3 * y, 2 * y
        delta_b, delta_w = delta_z / factor_b / 2, delta_z / factor_w / 2
        print("factor_b=%f, factor_w=%f, delta_b=%f, delta_w=%f"
              % (factor_b, factor_w, delta_b, delta_w))
        b, w = b - delta_b, w - delta_w
    print("done!")
    print("final b=%f" % b)
    print("final w=%f" % w)
